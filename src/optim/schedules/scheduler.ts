/**
 * Learning-rate schedules. A schedule sets the learning rate of every parameter group of an
 * optimizer each time `step()` is called; whether that is per epoch or per batch is the
 * caller's choice (the schedule only counts calls), as with `torch.optim.lr_scheduler`.
 *
 * As in PyTorch, constructing a schedule applies its epoch-0 learning rate, and the base
 * learning rates are the groups' learning rates at construction.
 */
import { optionError } from '../../errors.js';
import type { LrGroups } from '../optimizer.js';

export interface SchedulerStateDict {
  kind: string;
  lastEpoch: number;
  baseLrs: number[];
  [key: string]: unknown;
}

export interface LrScheduler {
  /** Advance one epoch or batch. ReduceLROnPlateau needs the metric; the others ignore it. */
  step(metric?: number): void;
  /** True if step() needs the metric (ReduceLROnPlateau): the trainer steps it only per epoch. */
  readonly needsMetric?: boolean;
  /** Calls of `step()` so far. */
  readonly lastEpoch: number;
  /** The learning rate of each group after the last step. */
  readonly lastLr: number[];
  stateDict(): SchedulerStateDict;
  loadStateDict(state: SchedulerStateDict): void;
}

export function checkOptimizer(optimizer: unknown): LrGroups {
  const o = optimizer as LrGroups;
  if (o === null || typeof o !== 'object' || typeof o.getLr !== 'function' || typeof o.setLr !== 'function') {
    throw optionError('optimizer', 'an Optimizer', optimizer);
  }
  return o;
}

export function lrsOf(optimizer: LrGroups): number[] {
  return Array.from({ length: optimizer.groupCount }, (_, i) => optimizer.getLr(i));
}

/** Check a saved state's kind and group count before loading it (nothing is changed on failure). */
export function checkState(kind: string, groups: number, state: SchedulerStateDict): void {
  if (state === null || typeof state !== 'object') throw optionError('loadStateDict(state)', 'a scheduler state dict', state);
  if (state.kind !== kind) throw new TypeError(`loadStateDict: state of ${String(state.kind)} cannot be loaded into ${kind}`);
  if (!Number.isInteger(state.lastEpoch) || state.lastEpoch < 0) throw optionError('state.lastEpoch', 'a non-negative integer', state.lastEpoch);
  if (!Array.isArray(state.baseLrs) || state.baseLrs.length !== groups) {
    throw new RangeError(`loadStateDict: expected ${groups} base learning rates, got ${Array.isArray(state.baseLrs) ? state.baseLrs.length : String(state.baseLrs)}`);
  }
  state.baseLrs.forEach((lr, i) => {
    if (typeof lr !== 'number' || !Number.isFinite(lr) || lr < 0) throw optionError(`state.baseLrs[${i}]`, 'a learning rate >= 0', lr);
  });
}

/**
 * A state saved with other settings than `current` (a step size, T_max, a plateau's mode, …) is
 * refused, naming both: PyTorch would quietly take the saved ones over the constructor's. A state
 * without settings (saved before they were) is accepted.
 */
export function checkSettings(kind: string, state: SchedulerStateDict, current: Record<string, unknown>): void {
  if (state.settings !== undefined && JSON.stringify(state.settings) !== JSON.stringify(current)) {
    throw new TypeError(`loadStateDict: the state was saved by a ${kind} with ${JSON.stringify(state.settings)}, this one has ${JSON.stringify(current)}`);
  }
}

/**
 * A schedule whose learning rate is a function of the epoch and the base learning rate
 * (PyTorch's `_get_closed_form_lr`). Subclasses write `lrAt` only.
 */
export abstract class ClosedFormScheduler implements LrScheduler {
  readonly baseLrs: number[];
  protected readonly optimizer: LrGroups;
  private epoch = 0;

  constructor(optimizer: LrGroups) {
    this.optimizer = checkOptimizer(optimizer);
    this.baseLrs = lrsOf(this.optimizer);
  }

  /** Subclasses call this at the end of their constructor, once their options are set. */
  protected start(): void {
    this.apply();
  }

  /** The learning rate at `epoch` for group `group`, whose base learning rate is `base`. */
  abstract lrAt(base: number, epoch: number, group: number): number;

  protected abstract get kind(): string;

  /** The options that shape the curve (saved with the state, so a resume cannot change them unnoticed). */
  protected abstract get settings(): Record<string, unknown>;

  get lastEpoch(): number {
    return this.epoch;
  }

  get lastLr(): number[] {
    return lrsOf(this.optimizer);
  }

  step(): void {
    this.apply(this.epoch + 1);
    this.epoch += 1;
  }

  stateDict(): SchedulerStateDict {
    return { kind: this.kind, lastEpoch: this.epoch, baseLrs: [...this.baseLrs], settings: structuredClone(this.settings) };
  }

  /**
   * Restores the epoch and base rates, and sets the groups' learning rates to match them. A state
   * saved with other settings (another step size, T_max, …) is refused: PyTorch would quietly
   * take the saved ones over the constructor's.
   */
  loadStateDict(state: SchedulerStateDict): void {
    checkState(this.kind, this.baseLrs.length, state);
    checkSettings(this.kind, state, this.settings);
    this.apply(state.lastEpoch, state.baseLrs);
    this.baseLrs.splice(0, this.baseLrs.length, ...state.baseLrs);
    this.epoch = state.lastEpoch;
  }

  /** Set every group's rate for `epoch`; all are computed first, so a throwing lrAt changes nothing. */
  private apply(epoch = this.epoch, bases: readonly number[] = this.baseLrs): void {
    const lrs = bases.map((base, group) => this.lrAt(base, epoch, group));
    lrs.forEach((lr, i) => this.optimizer.setLr(i, lr));
  }
}
