/**
 * Early stopping on the held-out loss (the training loss when there is no held-out data):
 * stop once `patience` epochs in a row bring no improvement of more than `minDelta` (Keras'
 * semantics), and, when it stops the run, put back the parameters and running statistics of
 * the best epoch (Keras' restore_best_weights, which also restores only when it stopped).
 */
import { checkBoolean, checkFinite, checkNonNegativeInt, mergeOptions } from '../errors.js';
import type { Model } from '../nn/model.js';
import type { FloatArray } from '../tensor/dtype.js';
import type { EpochRecord } from './records.js';

export interface EarlyStoppingOptions {
  patience?: number;
  minDelta?: number;
  restoreBest?: boolean;
}

export interface EarlyStoppingState {
  best: number | null;
  bestEpoch: number;
  wait: number;
  /** Whether the watch has ended the run (absent in older checkpoints: then wait ≥ patience). */
  stopped?: boolean;
  bestParams: ArrayLike<number> | null;
  bestState: ArrayLike<number> | null;
}

const DEFAULTS: Readonly<Required<EarlyStoppingOptions>> = Object.freeze({ patience: 5, minDelta: 0, restoreBest: true });

export class EarlyStopping {
  readonly options: Readonly<Required<EarlyStoppingOptions>>;
  private best = Infinity;
  private bestEpoch = 0;
  private wait = 0;
  private ended = false;
  private bestParams: FloatArray | null = null;
  private bestState: FloatArray | null = null;

  constructor(private readonly model: Model, options: EarlyStoppingOptions) {
    const o = mergeOptions('earlyStopping', DEFAULTS, options);
    checkNonNegativeInt('earlyStopping.patience', o.patience);
    if (checkFinite('earlyStopping.minDelta', o.minDelta) < 0) throw new RangeError(`earlyStopping.minDelta must be >= 0, got ${o.minDelta} (number)`);
    checkBoolean('earlyStopping.restoreBest', o.restoreBest);
    this.options = Object.freeze(o);
  }

  get bestEpochNumber(): number {
    return this.bestEpoch;
  }

  /** True once update() has said to stop: the run is over. */
  get stopped(): boolean {
    return this.ended;
  }

  /** Record an epoch; true when training should stop. */
  update(record: EpochRecord): boolean {
    const value = record.testLoss ?? record.trainLoss;
    if (value < this.best - this.options.minDelta) {
      this.best = value;
      this.bestEpoch = record.epoch;
      this.wait = 0;
      if (this.options.restoreBest) {
        this.bestParams = this.model.params.slice();
        this.bestState = this.model.state.slice();
      }
      return false;
    }
    this.ended = ++this.wait >= this.options.patience;
    return this.ended;
  }

  /** Where the watch stands, for a checkpoint (best is null while no epoch has been seen). */
  stateDict(): EarlyStoppingState {
    return {
      best: Number.isFinite(this.best) ? this.best : null,
      bestEpoch: this.bestEpoch,
      wait: this.wait,
      stopped: this.ended,
      bestParams: this.bestParams ? this.bestParams.slice() : null,
      bestState: this.bestState ? this.bestState.slice() : null,
    };
  }

  /** Check a saved watch without loading it (restoring a checkpoint checks every part first). */
  checkStateDict(s: EarlyStoppingState): void {
    const n = this.model.params.length;
    const q = this.model.state.length;
    const sized = (a: ArrayLike<number> | null, length: number) => a === null || (a !== undefined && typeof a === 'object' && a.length === length);
    if (!s || typeof s !== 'object' || !(s.best === null || Number.isFinite(s.best)) || !Number.isInteger(s.bestEpoch) || s.bestEpoch < 0 || !Number.isInteger(s.wait) || s.wait < 0
      || !(s.stopped === undefined || typeof s.stopped === 'boolean') || !sized(s.bestParams, n) || !sized(s.bestState, q) || (s.bestParams === null) !== (s.bestState === null)) {
      throw new TypeError(`early-stopping state must be {best: null or a finite number, bestEpoch, wait, stopped, bestParams and bestState: both null, or ${n} and ${q} values} as returned by stateDict()`);
    }
  }

  /** Continue a watch saved by stateDict() (resuming a run from a checkpoint). */
  loadStateDict(s: EarlyStoppingState): void {
    this.checkStateDict(s);
    this.best = s.best ?? Infinity;
    this.bestEpoch = s.bestEpoch;
    this.wait = s.wait;
    this.ended = s.stopped ?? (s.wait > 0 && s.wait >= this.options.patience);
    this.bestParams = s.bestParams ? this.model.params.slice() : null;
    this.bestParams?.set(Array.from(s.bestParams!));
    this.bestState = s.bestState ? this.model.state.slice() : null;
    this.bestState?.set(Array.from(s.bestState!));
  }

  /** Forget every epoch seen: the watch of a run that has not started. */
  reset(): void {
    this.best = Infinity;
    this.bestEpoch = 0;
    this.wait = 0;
    this.ended = false;
    this.bestParams = null;
    this.bestState = null;
  }

  /** Put the best epoch's parameters and statistics back into the model (if restoreBest kept them). */
  restore(): void {
    if (!this.bestParams || !this.bestState) return;
    this.model.params.set(this.bestParams);
    this.model.state.set(this.bestState);
  }
}
