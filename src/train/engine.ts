/**
 * How the trainer gets one optimization step done. The serial engine does it on this thread;
 * the parallel runtime does it over a worker pool; both split the batch into the same
 * micro-shards, so the trainer's epochs, metrics, callbacks and early stopping are written once
 * and give the same numbers on either.
 */
import type { Dataset } from '../data/dataset.js';

export interface StepResult {
  /** Sum of per-sample losses over the batch (training mode). */
  lossSum: number;
  /** Rows classified correctly (0 for regression). */
  correct: number;
}

/** One step of runSteps(): rows [start, end) of the epoch order, the 0-based global step. */
export interface StepBatch {
  start: number;
  end: number;
  step: number;
}

/** What runSteps() resolves with: the results of the steps applied, in order, and the error that ended the run early, or null. */
export interface StepsResult {
  results: StepResult[];
  error: unknown;
}

export interface StepEngine {
  /** Before the first step of a fit(): `maxBatch` is the largest batch that will be asked for. */
  begin?(data: Dataset, maxBatch: number): void | Promise<void>;
  /**
   * One step on rows `order[start..end)` of `data`: forward, backward, gradients averaged over
   * the batch, clipping, optimizer update. `step` is the 0-based global step (keys dropout masks).
   */
  step(data: Dataset, order: Int32Array, start: number, end: number, step: number): StepResult | Promise<StepResult>;
  // A step that fails with an error whose `torn` is true left the engine's parameters partly
  // updated: end() then keeps the model's parameters of the last sync(), and the trainer's
  // position no longer matches them (Trainer refuses to go on until restore()).
  /**
   * Optional pipelining: queue the step after the one just passed to step() (same epoch order),
   * before that one's result is awaited, calling `prepare()` just before the queued step's
   * learning rates are read. The queued step is applied only if the next step() asks for the
   * same rows with unchanged learning rates, else cancelled; it never counts unless applied.
   * Returns whether a step was queued (`prepare` is called only then).
   */
  prefetch?(data: Dataset, order: Int32Array, start: number, end: number, step: number, prepare?: () => void): boolean;
  /**
   * Optional: several consecutive steps of one epoch at once, applied without a word from the
   * caller in between (the trainer uses it when nothing observes single steps: no onBatchEnd,
   * no per-batch schedule that cannot be stepped ahead). `revoke()` cancels the ones not yet started (stop, pause). `taken`,
   * if given, is called with the results so far (in order) each time more of them are in; if it
   * throws, the run ends as after revoke() and resolves with its error. `beforeIssue`, if given
   * (only to an engine whose `issueHook` is true), is called just before batches[i] (i ≥ 1) is
   * queued, which then reads the learning rates (a per-batch schedule steps there); when it
   * returns false, nothing more is queued and the steps queued before run. It must not throw.
   */
  runSteps?(data: Dataset, order: Int32Array, batches: readonly StepBatch[], taken?: (results: readonly StepResult[]) => void, beforeIssue?: (index: number) => boolean): Promise<StepsResult>;
  /** True when runSteps calls beforeIssue before queuing each step: then a per-batch schedule keeps runs. */
  readonly issueHook?: boolean;
  revoke?(): void;
  /** Make the model's and optimizer's own arrays current (before evaluation and callbacks). */
  sync?(): void;
  /** After the last step of a fit(), even a failed one: sync and release threads. */
  end?(): void | Promise<void>;
}
