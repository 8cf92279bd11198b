/**
 * Linear warmup, then any other schedule: PyTorch's `LinearLR` followed by another scheduler,
 * as `SequentialLR([LinearLR(...), after], milestones=[steps])` does.
 *
 *   lr_t = base_lr · (s + (1 − s) · t / steps)     for t < steps   (s: startFactor)
 *   then `after`, whose epoch 0 is t = steps
 *
 *   const cosine = new CosineAnnealingLR(opt, { tMax: 95 });
 *   const schedule = new LinearWarmup(opt, { steps: 5 }, cosine);   // step only `schedule`
 *
 * Construct `after` first, on the same optimizer: its epoch-0 learning rates are taken when
 * the warmup ends. `step(metric)` passes the metric on, so ReduceLROnPlateau composes too.
 * Without `after` the rate stays at base_lr. Defaults: startFactor 1/3 (LinearLR's), steps 5.
 */
import { checkPositiveInt, mergeOptions, optionError } from '../../errors.js';
import type { LrGroups } from '../optimizer.js';
import { checkOptimizer, checkSettings, checkState, lrsOf, type LrScheduler, type SchedulerStateDict } from './scheduler.js';

export interface LinearWarmupOptions {
  /** Warmup length in steps (epochs or batches, as the schedule is stepped). */
  steps?: number;
  /** Fraction of the base rate at step 0, in (0, 1]. */
  startFactor?: number;
}

const DEFAULTS: Readonly<Required<LinearWarmupOptions>> = Object.freeze({ steps: 5, startFactor: 1 / 3 });

export class LinearWarmup implements LrScheduler {
  readonly steps: number;
  readonly startFactor: number;
  readonly baseLrs: number[];
  private readonly optimizer: LrGroups;
  private readonly after: LrScheduler | undefined;
  /** `after`'s epoch-0 rates, applied when the warmup ends. */
  private readonly afterLrs: number[];
  private epoch = 0;

  constructor(optimizer: LrGroups, options?: LinearWarmupOptions, after?: LrScheduler) {
    this.optimizer = checkOptimizer(optimizer);
    const o = mergeOptions('LinearWarmup options', DEFAULTS, options);
    this.steps = checkPositiveInt('options.steps', o.steps);
    const s = o.startFactor;
    if (typeof s !== 'number' || !(s > 0 && s <= 1)) throw optionError('options.startFactor', 'a number in (0, 1]', s);
    this.startFactor = s;
    if (after !== undefined && (after === null || typeof after.step !== 'function')) throw optionError('after', 'a scheduler', after);
    this.after = after;
    this.baseLrs = lrsOf(this.optimizer);
    this.afterLrs = [...this.baseLrs];
    this.apply();
  }

  get lastEpoch(): number {
    return this.epoch;
  }

  /** As the schedule that follows the warmup (a plateau one steps on a metric). */
  get needsMetric(): boolean {
    return this.after?.needsMetric === true;
  }

  get lastLr(): number[] {
    return lrsOf(this.optimizer);
  }

  /** The warmup factor at `epoch` (1 from `steps` on). */
  factorAt(epoch: number): number {
    return epoch >= this.steps ? 1 : this.startFactor + ((1 - this.startFactor) * epoch) / this.steps;
  }

  step(metric?: number): void {
    // Counted once it has taken effect: a schedule after the warmup that throws leaves both as they were.
    const epoch = this.epoch + 1;
    if (epoch > this.steps) this.after?.step(metric);
    this.epoch = epoch;
    if (epoch <= this.steps) this.apply();
  }

  stateDict(): SchedulerStateDict {
    return { kind: 'LinearWarmup', lastEpoch: this.epoch, baseLrs: [...this.baseLrs], afterLrs: [...this.afterLrs], after: this.after?.stateDict(), settings: { steps: this.steps, startFactor: this.startFactor } };
  }

  loadStateDict(state: SchedulerStateDict): void {
    checkState('LinearWarmup', this.baseLrs.length, state);
    checkSettings('LinearWarmup', state, { steps: this.steps, startFactor: this.startFactor });
    const afterLrs = state.afterLrs;
    if (!Array.isArray(afterLrs) || afterLrs.length !== this.baseLrs.length || afterLrs.some((lr) => typeof lr !== 'number' || !(lr >= 0) || !Number.isFinite(lr))) {
      throw optionError('state.afterLrs', `an array of ${this.baseLrs.length} learning rates`, afterLrs);
    }
    if ((state.after === undefined) !== (this.after === undefined)) throw new TypeError('loadStateDict: the saved warmup and this one differ in having a schedule after them');
    // Last of the checks: the following schedule checks its own state before it changes anything.
    if (this.after) this.after.loadStateDict(state.after as SchedulerStateDict);
    this.baseLrs.splice(0, this.baseLrs.length, ...state.baseLrs);
    this.afterLrs.splice(0, this.afterLrs.length, ...(afterLrs as number[]));
    this.epoch = state.lastEpoch;
    if (this.epoch <= this.steps) this.apply();
  }

  private apply(): void {
    if (this.epoch >= this.steps) this.afterLrs.forEach((lr, i) => this.optimizer.setLr(i, lr));
    else this.baseLrs.forEach((base, i) => this.optimizer.setLr(i, base * this.factorAt(this.epoch)));
  }
}
