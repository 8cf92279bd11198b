/** What the training loop reports and what it saves: epoch records, batch and progress events, its resumable state. */
import type { EarlyStoppingState } from './earlyStopping.js';

export interface EpochRecord {
  epoch: number;
  trainLoss: number;
  trainAccuracy: number | null;
  testLoss: number | null;
  testAccuracy: number | null;
  seconds: number;
  samplesPerSecond: number;
}

export interface BatchInfo {
  epoch: number;
  batch: number;
  step: number;
  size: number;
  /** Mean loss of this batch. */
  loss: number;
  /** Ask the trainer to stop after this batch. */
  stop(): void;
}

/**
 * What onProgress reports: how far the epoch has got. Passive (nothing here can stop the run:
 * use trainer.stop()), so the parallel runtime keeps taking steps in runs and reports several
 * steps at a time, as it takes their results (every ~32 steps, and at least every 100 ms); after
 * every step when steps go one at a time.
 */
export interface ProgressInfo {
  epoch: number;
  /** Batches of this epoch done. */
  batches: number;
  /** Rows of this epoch done (of the epoch's order, from its start). */
  rows: number;
  /** Optimizer steps taken in all. */
  step: number;
  /** Sum of per-sample losses over this epoch's rows done (training mode). */
  lossSum: number;
}

/** What onProgress reports at position `p`, after `step` optimizer steps in all. */
export function progressOf(p: EpochPosition, step: number): ProgressInfo {
  return { epoch: p.epoch, batches: p.batch, rows: p.next, step, lossSum: p.lossSum };
}

export interface Schedule {
  step(metric?: number): void;
  /** True if step() needs the metric (ReduceLROnPlateau): then it can only be stepped per epoch. */
  readonly needsMetric?: boolean;
}

/** How far an epoch has got: its data order, the next row, and its running sums. */
export interface EpochPosition {
  epoch: number;
  order: Int32Array;
  next: number;
  batch: number;
  lossSum: number;
  correct: number;
  seconds: number;
}

/** Where a run stands: enough, with the model and optimizer state, to resume exactly. */
export interface TrainerState {
  /** Epochs completed. */
  epoch: number;
  /** Optimizer steps taken (keys dropout masks). */
  step: number;
  /** The shuffle generator's state, from which the next epoch's data order is drawn. */
  rng: number[];
  history: EpochRecord[];
  /** An epoch stopped part-way (stop(), SIGINT): its order and how far it got; null between epochs. */
  inEpoch: (Omit<EpochPosition, 'order'> & { order: number[] }) | null;
  /** The early-stopping watch of options.earlyStopping (null without one; absent in older snapshots). */
  earlyStopping?: EarlyStoppingState | null;
}
