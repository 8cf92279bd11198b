/**
 * A training run in a thread of its own, driven over comlink from the caller's thread
 * (remote.ts). The run uses the parallel runtime from here, so the caller's event loop does
 * nothing but receive progress events.
 */
import { makeDataset, type DatasetInput } from '../data/dataset.js';
import { Model, type ModelConfig } from '../nn/model.js';
import { createOptimizer } from '../optim/registry.js';
import type { OptimizerName } from '../optim/rule.js';
import type { FloatArray } from '../tensor/dtype.js';
import { Trainer, type BatchInfo, type EpochRecord, type ProgressInfo, type TrainerOptions } from '../train/trainer.js';
import { toErrorData } from './remoteErrors.js';

/** Everything a remote run needs, as structured-cloneable data. */
export interface SessionSpec {
  model: ModelConfig;
  /** Initial parameters (default: initialized from `seed`). */
  params?: ArrayLike<number>;
  seed?: number;
  data: DatasetInput;
  validation?: DatasetInput;
  optimizer: { name: OptimizerName; options?: Record<string, unknown> };
  trainer?: Omit<TrainerOptions, 'optimizer' | 'onBatchEnd' | 'onProgress' | 'onEpochEnd' | 'engine' | 'earlyStopping' | 'loss'> & { loss?: string };
}

export type BatchEvent = Omit<BatchInfo, 'stop'>;

export interface SessionEvents {
  /** After every step (the steps then go one at a time). */
  batch?(info: BatchEvent): void;
  /** Passive progress (TrainerOptions.onProgress): the steps still go in runs. */
  progress?(info: ProgressInfo): void;
  epoch?(record: EpochRecord): void;
}

export interface LayerArrays {
  W: number[][];
  b: number[] | null;
}

export interface WeightsSnapshot {
  params: FloatArray;
  layers: LayerArrays[];
}

/** The object exposed over comlink in the session thread. */
export class Session {
  private trainer: Trainer | null = null;

  /**
   * Callbacks come as separate arguments: comlink proxies only top-level arguments. An error is
   * thrown as data (remoteErrors.ts), so that the caller gets its class and fields back.
   */
  async start(spec: SessionSpec, onBatch?: SessionEvents['batch'], onEpoch?: SessionEvents['epoch'], onProgress?: SessionEvents['progress']): Promise<EpochRecord[]> {
    try {
      return await this.run(spec, { batch: onBatch, epoch: onEpoch, progress: onProgress });
    } catch (e) {
      throw toErrorData(e);
    }
  }

  private async run(spec: SessionSpec, { batch: onBatch, epoch: onEpoch, progress: onProgress }: SessionEvents): Promise<EpochRecord[]> {
    if (this.trainer) throw new Error('this session is already training; start another session for another run');
    const model = Model.fromConfig(spec.model, { seed: spec.seed ?? 0 });
    if (spec.params) model.params.set(spec.params);
    const dtype = model.dtype;
    // Events are sent without waiting for the caller: the run never blocks on them. A callback
    // that throws (in the caller's thread) stops the run, and start() rejects with its error.
    // start() answers only once every event has been handled, so none arrives after `done`.
    let callbackError: { error: unknown } | null = null;
    const outstanding = new Set<Promise<unknown>>();
    const send = (event: unknown) => {
      const handled = Promise.resolve(event).catch((error: unknown) => {
        if (callbackError) return;
        callbackError = { error };
        this.trainer?.stop();
      });
      outstanding.add(handled);
      void handled.finally(() => outstanding.delete(handled));
    };
    const trainer = new Trainer(model, {
      ...spec.trainer,
      optimizer: createOptimizer(spec.optimizer.name, model.parameters(), spec.optimizer.options),
      onBatchEnd: onBatch ? (b) => send(onBatch({ epoch: b.epoch, batch: b.batch, step: b.step, size: b.size, loss: b.loss })) : null,
      onProgress: onProgress ? (i) => send(onProgress(i)) : null,
      onEpochEnd: onEpoch ? (r) => send(onEpoch(r)) : null,
    });
    this.trainer = trainer;
    let history: EpochRecord[];
    try {
      history = await trainer.fit(makeDataset(spec.data, dtype), spec.validation ? makeDataset(spec.validation, dtype) : undefined);
    } finally {
      await Promise.all(outstanding);
    }
    if (callbackError) throw (callbackError as { error: unknown }).error;
    return history;
  }

  pause(): void {
    this.running().pause();
  }

  resume(): void {
    this.running().resume();
  }

  stop(): void {
    this.running().stop();
  }

  async weights(): Promise<WeightsSnapshot> {
    const model = await this.running().currentParams();
    return { params: model.params.slice(), layers: model.weights().map(({ W, b }) => ({ W: W.to2DArray(), b: b ? b.getRow(0) : null })) };
  }

  private running(): Trainer {
    if (!this.trainer) throw new Error('no training has been started in this session');
    return this.trainer;
  }
}
