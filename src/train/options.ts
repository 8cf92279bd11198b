/**
 * The trainer's options, their frozen defaults, and their checks (run by the Trainer's
 * constructor), each error naming the option and the value received; and the checks of the
 * datasets fit() is given (checkData).
 */
import { outputWidth, type Dataset } from '../data/dataset.js';
import { checkBoolean, checkFinite, checkPositiveInt, checkSeed, mergeOptions, optionError, ShapeError } from '../errors.js';
import { lossByName } from '../losses/index.js';
import type { Loss } from '../losses/loss.js';
import type { Model } from '../nn/model.js';
import { Optimizer } from '../optim/optimizer.js';
import { checkParallelOptions, type ParallelOptions } from '../parallel/options.js';
import type { EarlyStoppingOptions } from './earlyStopping.js';
import type { StepEngine } from './engine.js';
import type { BatchInfo, EpochRecord, ProgressInfo, Schedule } from './records.js';

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
  /** Passive progress (ProgressInfo): unlike onBatchEnd, it lets the parallel runtime take steps in runs. */
  onProgress?: ((info: ProgressInfo) => void) | null;
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
  onProgress: null,
  onEpochEnd: null,
});

/** `options` merged with the defaults and checked against `model`; the loss, and the parallel runtime's options they give. */
export function checkTrainerOptions(model: Model, options: TrainerOptions): { o: TrainerOptions; loss: Loss; parallel: Required<ParallelOptions> } {
  const o = mergeOptions('trainer options', TRAINER_DEFAULTS, options);
  if (!(o.optimizer instanceof Optimizer)) throw optionError('trainer options.optimizer', 'an optimizer (e.g. new SGD(model.parameters(), {lr}))', o.optimizer);
  if (o.optimizer.params.values !== model.params) throw new TypeError('trainer options.optimizer must be built on this model\'s parameters (model.parameters())');
  const loss = typeof o.loss === 'string' ? lossByName(o.loss) : o.loss!;
  checkPositiveInt('trainer options.epochs', o.epochs);
  if (o.batchSize !== 'full') checkPositiveInt('trainer options.batchSize', o.batchSize);
  checkBoolean('trainer options.shuffle', o.shuffle);
  checkSeed('trainer options.seed', o.seed);
  if (o.scheduleEvery !== 'epoch' && o.scheduleEvery !== 'batch') throw optionError('trainer options.scheduleEvery', '"epoch" or "batch"', o.scheduleEvery);
  if (o.scheduleEvery === 'batch' && o.schedule?.needsMetric) {
    throw optionError('trainer options.scheduleEvery', '"epoch" for a schedule that steps on a metric (ReduceLROnPlateau: the held-out loss, known per epoch)', o.scheduleEvery);
  }
  for (const k of ['clipNorm', 'clipValue'] as const) {
    const v = o[k];
    if (v !== null && v !== undefined && (checkFinite(`trainer options.${k}`, v) < 0 || (k === 'clipNorm' && v === 0))) throw optionError(`trainer options.${k}`, k === 'clipNorm' ? 'a number > 0' : 'a number >= 0', v);
  }
  for (const k of ['onBatchEnd', 'onProgress', 'onEpochEnd'] as const) {
    if (o[k] !== null && o[k] !== undefined && typeof o[k] !== 'function') throw optionError(`trainer options.${k}`, 'a function or null', o[k]);
  }
  const parallel = checkParallelOptions({ ...o.parallel, ...(o.threads === undefined ? {} : { threads: o.threads }), microShard: o.microShard });
  // Each micro-shard is a batch of (ghost) batch norm, which needs 2 rows: with 3 or more, a
  // batch's last shards can always be cut so (shard.ts, shardRows).
  if (model.hasBatchNorm && parallel.microShard < 3) throw optionError('trainer options.microShard', 'at least 3 with batch norm in the model (each micro-shard is a batch-norm batch of at least 2 rows)', parallel.microShard);
  return { o, loss, parallel };
}

/** A dataset the trainer is given, against the model and the loss: shapes, dtype, targets. */
export function checkData(model: Model, loss: Loss, ds: Dataset, what: string): void {
  if (ds.x.cols !== model.inputs) throw new ShapeError(`${what} features`, `${model.inputs} columns (the model's inputs)`, `${ds.x.cols}`);
  const width = outputWidth(ds);
  if (width !== model.outputs) throw new ShapeError(`${what} targets`, `${model.outputs} outputs (the model's)`, `${width}`);
  if (ds.x.dtype !== model.dtype) throw new TypeError(`${what} is ${ds.x.dtype} but the model is ${model.dtype}; build the dataset with the model's dtype`);
  loss.checkTargets?.(ds.y, `${what} targets`);
}
