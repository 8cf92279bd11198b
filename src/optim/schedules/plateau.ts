/**
 * `torch.optim.lr_scheduler.ReduceLROnPlateau`: multiply the learning rates by `factor` when a
 * metric has stopped improving for more than `patience` steps. PyTorch's rules:
 *
 *   better:  min/rel  a < best·(1 − threshold)      max/rel  a > best·(1 + threshold)
 *            min/abs  a < best − threshold          max/abs  a > best + threshold
 *   if better: best ← a, bad ← 0  else bad ← bad + 1
 *   if in cooldown: cooldown ← cooldown − 1, bad ← 0
 *   if bad > patience: lr ← max(lr·factor, min_lr), applied only if it changes lr by more
 *                      than eps; cooldown ← cooldown option, bad ← 0
 *
 * A NaN metric is never better (it counts as a bad step), as in PyTorch.
 * Defaults: mode min, factor 0.1, patience 10, threshold 1e-4, thresholdMode rel, cooldown 0,
 * minLr 0 (one number or one per group), eps 1e-8.
 */
import { checkFinite, checkNonNegativeInt, checkOneOf, mergeOptions, optionError } from '../../errors.js';
import type { LrGroups } from '../optimizer.js';
import { checkOptimizer, checkSettings, checkState, lrsOf, type LrScheduler, type SchedulerStateDict } from './scheduler.js';

export interface ReduceLROnPlateauOptions {
  mode?: 'min' | 'max';
  factor?: number;
  patience?: number;
  threshold?: number;
  thresholdMode?: 'rel' | 'abs';
  cooldown?: number;
  minLr?: number | readonly number[];
  eps?: number;
}

const DEFAULTS: Readonly<Required<ReduceLROnPlateauOptions>> = Object.freeze({
  mode: 'min', factor: 0.1, patience: 10, threshold: 1e-4, thresholdMode: 'rel', cooldown: 0, minLr: 0, eps: 1e-8,
});

function nonNegative(name: string, value: unknown): number {
  const x = checkFinite(name, value);
  if (x < 0) throw optionError(name, 'a finite number >= 0', x);
  return x;
}

export class ReduceLROnPlateau implements LrScheduler {
  readonly needsMetric = true;
  readonly mode: 'min' | 'max';
  readonly factor: number;
  readonly patience: number;
  readonly threshold: number;
  readonly thresholdMode: 'rel' | 'abs';
  readonly cooldown: number;
  readonly minLrs: readonly number[];
  readonly eps: number;
  readonly baseLrs: number[];
  private readonly optimizer: LrGroups;
  private epoch = 0;
  private bestValue: number;
  private badEpochs = 0;
  private cooldownCounter = 0;

  constructor(optimizer: LrGroups, options?: ReduceLROnPlateauOptions) {
    this.optimizer = checkOptimizer(optimizer);
    const o = mergeOptions('ReduceLROnPlateau options', DEFAULTS, options);
    this.mode = checkOneOf('options.mode', o.mode, ['min', 'max'] as const);
    this.factor = nonNegative('options.factor', o.factor);
    if (this.factor >= 1) throw new RangeError('Factor should be < 1.0.');
    this.patience = checkNonNegativeInt('options.patience', o.patience);
    this.threshold = nonNegative('options.threshold', o.threshold);
    this.thresholdMode = checkOneOf('options.thresholdMode', o.thresholdMode, ['rel', 'abs'] as const);
    this.cooldown = checkNonNegativeInt('options.cooldown', o.cooldown);
    const groups = this.optimizer.groupCount;
    if (Array.isArray(o.minLr)) {
      if (o.minLr.length !== groups) throw new RangeError(`expected ${groups} min_lrs, got ${o.minLr.length}`);
      this.minLrs = Object.freeze(o.minLr.map((x, i) => nonNegative(`options.minLr[${i}]`, x)));
    } else {
      this.minLrs = Object.freeze(new Array<number>(groups).fill(nonNegative('options.minLr', o.minLr)));
    }
    this.eps = nonNegative('options.eps', o.eps);
    this.baseLrs = lrsOf(this.optimizer);
    this.bestValue = this.mode === 'min' ? Infinity : -Infinity;
  }

  get lastEpoch(): number {
    return this.epoch;
  }

  get lastLr(): number[] {
    return lrsOf(this.optimizer);
  }

  /** The best metric so far (±Infinity before the first step). */
  get best(): number {
    return this.bestValue;
  }

  get numBadEpochs(): number {
    return this.badEpochs;
  }

  get inCooldown(): boolean {
    return this.cooldownCounter > 0;
  }

  isBetter(a: number, best: number): boolean {
    if (this.mode === 'min') return this.thresholdMode === 'rel' ? a < best * (1 - this.threshold) : a < best - this.threshold;
    return this.thresholdMode === 'rel' ? a > best * (this.threshold + 1) : a > best + this.threshold;
  }

  step(metric?: number): void {
    if (typeof metric !== 'number') throw optionError('ReduceLROnPlateau.step(metric)', 'a number', metric);
    this.epoch += 1;
    if (this.isBetter(metric, this.bestValue)) {
      this.bestValue = metric;
      this.badEpochs = 0;
    } else {
      this.badEpochs += 1;
    }
    if (this.inCooldown) {
      this.cooldownCounter -= 1;
      this.badEpochs = 0;
    }
    if (this.badEpochs > this.patience) {
      this.reduce();
      this.cooldownCounter = this.cooldown;
      this.badEpochs = 0;
    }
  }

  stateDict(): SchedulerStateDict {
    return {
      kind: 'ReduceLROnPlateau', lastEpoch: this.epoch, baseLrs: [...this.baseLrs],
      best: this.bestValue, numBadEpochs: this.badEpochs, cooldownCounter: this.cooldownCounter, settings: this.settings(),
    };
  }

  private settings(): Record<string, unknown> {
    const { mode, factor, patience, threshold, thresholdMode, cooldown, minLrs, eps } = this;
    return { mode, factor, patience, threshold, thresholdMode, cooldown, minLrs: [...minLrs], eps };
  }

  /** Restores the counters; the learning rates themselves live in the optimizer's state dict. */
  loadStateDict(state: SchedulerStateDict): void {
    checkState('ReduceLROnPlateau', this.baseLrs.length, state);
    checkSettings('ReduceLROnPlateau', state, this.settings());
    // ±Infinity before the first metric; NaN would make every later metric compare as no better.
    if (typeof state.best !== 'number' || Number.isNaN(state.best)) throw optionError('state.best', 'a number or ±Infinity', state.best);
    const bad = checkNonNegativeInt('state.numBadEpochs', state.numBadEpochs);
    const cooldown = checkNonNegativeInt('state.cooldownCounter', state.cooldownCounter);
    this.baseLrs.splice(0, this.baseLrs.length, ...state.baseLrs);
    this.epoch = state.lastEpoch;
    this.bestValue = state.best;
    this.badEpochs = bad;
    this.cooldownCounter = cooldown;
  }

  private reduce(): void {
    for (let i = 0; i < this.optimizer.groupCount; i++) {
      const old = this.optimizer.getLr(i);
      const lr = Math.max(old * this.factor, this.minLrs[i]);
      if (old - lr > this.eps) this.optimizer.setLr(i, lr);
    }
  }
}
