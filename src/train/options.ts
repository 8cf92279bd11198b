/**
 * The trainer's options and their frozen defaults (validated in the Trainer's constructor).
 */
import type { Loss } from '../losses/loss.js';
import type { Optimizer } from '../optim/optimizer.js';
import type { ParallelOptions } from '../parallel/options.js';
import type { EarlyStoppingOptions } from './earlyStopping.js';
import type { StepEngine } from './engine.js';
import type { BatchInfo, EpochRecord, Schedule } from './records.js';

export interface TrainerOptions {
  optimizer: Optimizer;
  loss?: Loss | string;
  epochs?: number;
  batchSize?: number | 'full';
  shuffle?: boolean;
  seed?: number;
  /** Worker threads (default: os.availableParallelism()); 1 runs the same parallel code on one worker. */
  threads?: number;
  /** Rows per micro-shard (default 32): the unit of work, and the batch of (ghost) batch norm. */
  microShard?: number;
  /** 'parallel' (default) runs steps on the worker pool; 'serial' on this thread, from the same pieces. */
  engine?: 'parallel' | 'serial' | StepEngine;
  /** Fault handling of the worker pool: stepTimeout, maxRetries, resourceLimits. */
  parallel?: Omit<ParallelOptions, 'threads' | 'microShard'> | null;
  /** Clip the global gradient norm to this (torch.nn.utils.clip_grad_norm_), after averaging. */
  clipNorm?: number | null;
  /** Clip every gradient to [−clipValue, clipValue] (clip_grad_value_), after clipNorm. */
  clipValue?: number | null;
  schedule?: Schedule | null;
  /** Step the schedule after every epoch (PyTorch's usual) or every batch. */
  scheduleEvery?: 'epoch' | 'batch';
  earlyStopping?: EarlyStoppingOptions | null;
  onBatchEnd?: ((info: BatchInfo) => void) | null;
  onEpochEnd?: ((record: EpochRecord, stop: () => void) => void) | null;
}

export const TRAINER_DEFAULTS: Readonly<TrainerOptions> = Object.freeze({
  optimizer: undefined as unknown as Optimizer,
  loss: 'mse',
  epochs: 10,
  batchSize: 32,
  shuffle: true,
  seed: 0,
  threads: undefined,
  microShard: 32,
  engine: 'parallel',
  parallel: null,
  clipNorm: null,
  clipValue: null,
  schedule: null,
  scheduleEvery: 'epoch',
  earlyStopping: null,
  onBatchEnd: null,
  onEpochEnd: null,
});
