/**
 * Early stopping on the held-out loss (the training loss when there is no held-out data):
 * stop once `patience` epochs in a row bring no improvement of more than `minDelta` (Keras'
 * semantics), and put back the parameters and running statistics of the best epoch
 * (Keras' restore_best_weights).
 */
import { checkBoolean, checkFinite, checkNonNegativeInt, mergeOptions } from '../errors.js';
import type { Model } from '../nn/model.js';
import type { FloatArray } from '../tensor/dtype.js';
import type { EpochRecord } from './trainer.js';

export interface EarlyStoppingOptions {
  patience?: number;
  minDelta?: number;
  restoreBest?: boolean;
}

export interface EarlyStoppingState {
  best: number | null;
  bestEpoch: number;
  wait: number;
  bestParams: ArrayLike<number> | null;
  bestState: ArrayLike<number> | null;
}

const DEFAULTS: Readonly<Required<EarlyStoppingOptions>> = Object.freeze({ patience: 5, minDelta: 0, restoreBest: true });

export class EarlyStopping {
  readonly options: Readonly<Required<EarlyStoppingOptions>>;
  private best = Infinity;
  private bestEpoch = 0;
  private wait = 0;
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
    return ++this.wait >= this.options.patience;
  }

  /** Where the watch stands, for a checkpoint (best is null while no epoch has been seen). */
  stateDict(): EarlyStoppingState {
    return {
      best: Number.isFinite(this.best) ? this.best : null,
      bestEpoch: this.bestEpoch,
      wait: this.wait,
      bestParams: this.bestParams ? this.bestParams.slice() : null,
      bestState: this.bestState ? this.bestState.slice() : null,
    };
  }

  /** Continue a watch saved by stateDict() (resuming a run from a checkpoint). */
  loadStateDict(s: EarlyStoppingState): void {
    const n = this.model.params.length;
    if (!s || !Number.isInteger(s.bestEpoch) || !Number.isInteger(s.wait) || (s.bestParams !== null && s.bestParams.length !== n)) {
      throw new TypeError(`early-stopping state must be {best, bestEpoch, wait, bestParams: null or ${n} values, bestState} as returned by stateDict()`);
    }
    this.best = s.best ?? Infinity;
    this.bestEpoch = s.bestEpoch;
    this.wait = s.wait;
    this.bestParams = s.bestParams ? this.model.params.slice() : null;
    this.bestParams?.set(Array.from(s.bestParams!));
    this.bestState = s.bestState ? this.model.state.slice() : null;
    this.bestState?.set(Array.from(s.bestState!));
  }

  restore(): void {
    if (!this.bestParams || !this.bestState) return;
    this.model.params.set(this.bestParams);
    this.model.state.set(this.bestState);
  }
}
