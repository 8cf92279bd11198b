/**
 * The training loop: epochs of seeded-shuffled mini-batches, per-epoch metrics on the training
 * and held-out data, callbacks with a way to stop, early stopping with best-weight restore,
 * and a history of every epoch. How a step is computed is the engine's business.
 */
import type { Dataset } from '../data/dataset.js';
import { optionError, ShapeError } from '../errors.js';
import type { Loss } from '../losses/loss.js';
import type { Model } from '../nn/model.js';
import { ParallelEngine } from '../parallel/engine.js';
import { Rng } from '../rng.js';
import { EarlyStopping } from './earlyStopping.js';
import type { StepEngine, StepResult } from './engine.js';
import { evaluate } from './evaluate.js';
import { isClassification } from './metrics.js';
import { checkData, checkTrainerOptions, type TrainerOptions } from './options.js';
import { canRunSteps, runSteps } from './autoSteps.js';
import { NOT_QUEUED, queueNext, restorable, type QueuedStep } from './queue.js';
import { progressOf, type EpochPosition, type EpochRecord, type TrainerState } from './records.js';
import { SerialEngine } from './serialEngine.js';
import { checkTrainerState, plainWatch } from './state.js';

export type { BatchInfo, EpochRecord, ProgressInfo, Schedule, TrainerState } from './records.js';
export type { TrainerOptions } from './options.js';

/** How long a synchronous engine computes before the trainer gives the event loop a turn. */
const YIELD_MS = 20;

export class Trainer {
  readonly options: Readonly<TrainerOptions>;
  readonly loss: Loss;
  readonly history: EpochRecord[] = [];
  private readonly engine: StepEngine;
  private readonly rng: Rng;
  private stepCount = 0;
  private stopRequested = false;
  private pauseGate: Promise<void> | null = null;
  private releasePause: (() => void) | null = null;
  /** True while a step is being computed; currentParams() then waits for its end. */
  private stepping = false;
  private running = false;
  private syncWaiters: Array<() => void> = [];
  private position: EpochPosition | null = null;
  /** A step failed part-way through its update (an engine error with `torn`): see checkNotTorn. */
  private torn: Error | null = null;
  /** The early-stopping watch (options.earlyStopping): one per run, so it spans fit() calls and snapshots. */
  private readonly early: EarlyStopping | null;

  constructor(readonly model: Model, options: TrainerOptions) {
    const { o, loss, parallel } = checkTrainerOptions(model, options);
    this.loss = loss;
    this.options = Object.freeze(o);
    this.early = o.earlyStopping ? new EarlyStopping(model, o.earlyStopping) : null;
    this.rng = new Rng(o.seed!);
    const clip = { clipNorm: o.clipNorm ?? null, clipValue: o.clipValue ?? null };
    if (o.engine === 'parallel') this.engine = new ParallelEngine(model, this.loss, o.optimizer, clip, o.seed!, parallel);
    else if (o.engine === 'serial') this.engine = new SerialEngine(model, this.loss, o.optimizer, clip, o.seed!, parallel.microShard);
    else if (o.engine && typeof o.engine.step === 'function') this.engine = o.engine;
    else throw optionError('trainer options.engine', '"parallel", "serial" or a StepEngine', o.engine);
  }

  /** The engine computing the steps (a ParallelEngine unless engine: 'serial' was asked for). */
  get stepEngine(): StepEngine {
    return this.engine;
  }

  /** A copy of the loop's state: between epochs (in onEpochEnd), or part-way after stop(). */
  snapshot(): TrainerState {
    this.checkNotTorn('snapshot()');
    const p = this.position;
    return {
      epoch: this.history.length, step: this.stepCount, rng: this.rng.getState(), history: structuredClone(this.history),
      inEpoch: p ? { ...p, order: Array.from(p.order) } : null,
      earlyStopping: this.early ? plainWatch(this.early.stateDict()) : null,
    };
  }

  /** Continue from a snapshot: the next fit() resumes the interrupted epoch, or starts epoch `state.epoch + 1`. */
  restore(state: TrainerState): void {
    if (this.running) throw new Error('restore() while fit() is running; stop() it and await fit() first');
    // Everything is checked before anything changes: a bad state leaves the trainer as it was.
    checkTrainerState(state, this.early);
    const p = state.inEpoch ?? null;
    const watch = state.earlyStopping;
    const history = structuredClone(state.history);
    this.rng.setState(state.rng);
    this.history.length = 0;
    this.history.push(...history);
    this.stepCount = state.step;
    this.position = p ? { ...p, order: Int32Array.from(p.order) } : null;
    if (watch) this.early!.loadStateDict(watch);
    else this.early?.reset();
    this.torn = null;
  }

  /**
   * After a step failed part-way through its update, the model has the parameters of the last
   * synchronization (the end of the last epoch, or currentParams()) but the loop's position is
   * past it: going on would skip the batches in between without a word. Until restore().
   */
  private checkNotTorn(what: string): void {
    if (this.torn) {
      throw new Error(`${what}: the run failed while applying an update (${this.torn.message}); the model has the parameters of its last synchronization, not of this trainer's position; restore() a checkpoint (with its model and optimizer state) first`, { cause: this.torn });
    }
  }

  /** Ask the run to stop once the step in flight is done. */
  stop(): void {
    this.stopRequested = true;
    this.engine.revoke?.();
    this.resume();
  }

  /** Hold the run after the step in flight; `resume()` continues it. */
  pause(): void {
    // A run asked to stop stops: a pause after stop() would hold it instead.
    if (this.running && this.stopRequested) return;
    this.pauseGate ??= new Promise<void>((resolve) => (this.releasePause = resolve));
    this.engine.revoke?.();
  }

  resume(): void {
    this.releasePause?.();
    this.pauseGate = null;
    this.releasePause = null;
  }

  get paused(): boolean {
    return this.pauseGate !== null;
  }

  /**
   * The model's parameters as they are now, even mid-epoch: waits for the step in flight, then
   * brings the model's own arrays up to date (the runtime trains on its copy in shared memory).
   */
  async currentParams(): Promise<Model> {
    if (this.stepping) {
      this.engine.revoke?.(); // a run of steps ends after the step in flight
      await new Promise<void>((resolve) => this.syncWaiters.push(resolve));
    } else {
      this.engine.sync?.();
    }
    return this.model;
  }

  /** At a step boundary: bring the model up to date for everyone waiting in currentParams(). */
  private releaseSyncWaiters(): void {
    this.stepping = false;
    if (this.syncWaiters.length === 0) return;
    this.engine.sync?.();
    const waiters = this.syncWaiters;
    this.syncWaiters = [];
    for (const resolve of waiters) resolve();
  }

  async fit(train: Dataset, validation?: Dataset): Promise<EpochRecord[]> {
    checkData(this.model, this.loss, train, 'training data');
    if (validation) checkData(this.model, this.loss, validation, 'validation data');
    const o = this.options;
    const batchSize = o.batchSize === 'full' ? train.size : Math.min(o.batchSize!, train.size);
    if (this.model.hasBatchNorm && (batchSize < 2 || train.size % batchSize === 1)) {
      // PyTorch fails at that step: "Expected more than 1 value per channel when training".
      throw optionError('trainer options.batchSize', `a size that leaves no batch of 1 row, which batch norm cannot normalize (the training data has ${train.size} rows)`, o.batchSize);
    }
    const early = this.early;
    if (this.position && this.position.order.length !== train.size) {
      throw new ShapeError('training data', `${this.position.order.length} rows (as in the interrupted epoch ${this.position.epoch})`, `${train.size}`);
    }
    const stop = () => this.stop();
    this.checkNotTorn('fit()');
    if (this.running) throw new Error('fit() is already running on this trainer; await it (or stop() it) before calling fit() again');
    // Early stopping ended this run (in an earlier fit(), or the one a snapshot was taken of).
    if (early?.stopped) return this.history;
    this.running = true;
    this.stopRequested = false;
    try {
      await this.engine.begin?.(train, batchSize);
      await this.epochs(train, validation, batchSize, early, stop);
    } finally {
      // Each in its own finally: the threads end and the trainer is free again whatever throws.
      try {
        this.releaseSyncWaiters();
      } finally {
        try {
          await this.engine.end?.();
        } finally {
          this.running = false;
        }
      }
    }
    // Only when early stopping ended the run (not on stop(), nor at the last epoch): the
    // optimizer's state and the position stay those of the last epoch, and the run is over.
    if (early?.stopped) early.restore();
    return this.history;
  }

  private async epochs(train: Dataset, validation: Dataset | undefined, batchSize: number, early: EarlyStopping | null, stop: () => void): Promise<void> {
    let lastYield = performance.now();
    const o = this.options;
    const runs = canRunSteps(this.engine, o);
    for (let p = this.position ?? this.nextEpoch(train.size); p && !this.stopRequested; p = this.nextEpoch(train.size)) {
      this.position = p;
      const started = performance.now();
      while (p.next < train.size && !this.stopRequested) {
        while (this.pauseGate && !this.stopRequested) await this.pauseGate;
        if (this.stopRequested) break;
        this.stepping = true;
        if (runs) {
          // The step count moves with the position, so that a snapshot() from onProgress matches.
          const base = this.stepCount;
          const advanced = (applied: number) => {
            this.stepCount = base + applied;
            o.onProgress?.(progressOf(p, this.stepCount));
          };
          const ahead = o.scheduleEvery === 'batch' && o.schedule ? { schedule: restorable(o.schedule)!, optimizer: o.optimizer! } : null;
          const { applied, error } = await runSteps(this.engine, train, p, batchSize, base, advanced, ahead);
          this.stepCount = base + applied;
          if ((error as { torn?: unknown } | null)?.torn === true) this.torn = error as Error;
          if (error !== null) throw error;
          this.releaseSyncWaiters();
          continue;
        }
        const start = p.next;
        const end = Math.min(train.size, start + batchSize);
        const result = this.engine.step(train, p.order, start, end, this.stepCount);
        // A synchronous engine (serial) would never give the event loop a turn: timers, pause(),
        // stop() and SIGINT get one every YIELD_MS.
        if (!(result instanceof Promise) && performance.now() - lastYield > YIELD_MS) {
          await new Promise((resolve) => setImmediate(resolve));
          lastYield = performance.now();
        }
        let next: QueuedStep = NOT_QUEUED;
        // A schedule that throws when stepped ahead: the step in flight still counts first, as
        // with the serial engine, which steps the schedule after the result.
        let scheduleError: { error: unknown } | null = null;
        try {
          const blocked = this.stopRequested || this.pauseGate !== null;
          next = blocked ? NOT_QUEUED : queueNext(this.engine, o.schedule, o.scheduleEvery, o.optimizer, { data: train, order: p.order, start: end, end: Math.min(train.size, end + batchSize), step: this.stepCount + 1 });
        } catch (e) {
          scheduleError = { error: e };
        }
        let r: StepResult;
        try {
          r = await result;
        } catch (e) {
          next.undo?.();
          if ((e as { torn?: unknown })?.torn === true) this.torn = e as Error;
          throw e;
        }
        this.releaseSyncWaiters();
        this.stepCount++;
        p.next = end;
        p.lossSum += r.lossSum;
        p.correct += r.correct;
        if (scheduleError) throw scheduleError.error;
        if (!next.queued && o.scheduleEvery === 'batch') o.schedule?.step();
        const batch = p.batch++;
        o.onBatchEnd?.({ epoch: p.epoch, batch, step: this.stepCount, size: end - start, loss: r.lossSum / (end - start), stop });
        o.onProgress?.(progressOf(p, this.stepCount));
      }
      p.seconds += (performance.now() - started) / 1000;
      // Stopped mid-epoch: the position stays, for a later fit() or a checkpoint.
      if (p.next < train.size) return;
      this.position = null;
      this.engine.sync?.();
      const test = validation ? evaluate(this.model, validation, this.loss) : null;
      const record: EpochRecord = {
        epoch: p.epoch,
        trainLoss: p.lossSum / train.size,
        trainAccuracy: isClassification(train) ? p.correct / train.size : null,
        testLoss: test ? test.loss : null,
        testAccuracy: test ? test.accuracy : null,
        seconds: p.seconds,
        samplesPerSecond: train.size / p.seconds,
      };
      this.history.push(record);
      if (o.scheduleEvery === 'epoch') o.schedule?.step(record.testLoss ?? record.trainLoss);
      // The watch sees the epoch before onEpochEnd does, so a snapshot taken there holds it.
      const stopEarly = early?.update(record) ?? false;
      o.onEpochEnd?.(record, stop);
      if (stopEarly) this.stopRequested = true;
    }
  }

  /** The next epoch's start (its data order drawn from the shuffle generator), or null when all are done. */
  private nextEpoch(size: number): EpochPosition | null {
    const epoch = this.history.length + 1;
    if (epoch > this.options.epochs!) return null;
    const order = new Int32Array(size);
    for (let i = 0; i < size; i++) order[i] = i;
    if (this.options.shuffle) this.rng.shuffle(order);
    return { epoch, order, next: 0, batch: 0, lossSum: 0, correct: 0, seconds: 0 };
  }
}


/** Train `model` on `train` (and report on `validation`); returns the history. */
export function fit(model: Model, train: Dataset, options: TrainerOptions & { validation?: Dataset }): Promise<EpochRecord[]> {
  const { validation, ...rest } = options;
  return new Trainer(model, rest).fit(train, validation);
}
