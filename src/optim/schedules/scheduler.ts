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

  /** The learning rate at `epoch` for a group whose base learning rate is `base`. */
  abstract lrAt(base: number, epoch: number): number;

  protected abstract get kind(): string;

  get lastEpoch(): number {
    return this.epoch;
  }

  get lastLr(): number[] {
    return lrsOf(this.optimizer);
  }

  step(): void {
    this.epoch += 1;
    this.apply();
  }

  stateDict(): SchedulerStateDict {
    return { kind: this.kind, lastEpoch: this.epoch, baseLrs: [...this.baseLrs] };
  }

  /** Restores the epoch and base rates, and sets the groups' learning rates to match them. */
  loadStateDict(state: SchedulerStateDict): void {
    checkState(this.kind, this.baseLrs.length, state);
    this.baseLrs.splice(0, this.baseLrs.length, ...state.baseLrs);
    this.epoch = state.lastEpoch;
    this.apply();
  }

  private apply(): void {
    this.baseLrs.forEach((base, i) => this.optimizer.setLr(i, this.lrAt(base, this.epoch)));
  }
}
