/**
 * An optimizer: one update rule, parameter groups, the step count and the state arrays.
 *
 * Serial use is PyTorch's: `opt.step()` after the gradients are in `params.grads`.
 * The parallel runtime splits a step in two:
 *
 *   const plan = opt.beginStep();          // coordinator, once: step += 1, per-group coefficients
 *   opt.updateRange(start, end, plan);     // any thread, disjoint ranges, shared arrays
 *
 * A worker rebuilds the same optimizer over views of the shared arrays with
 * `optimizerFromSpec(opt.toSpec(), params, stateViews)` (registry.ts) and receives each step's
 * plan (a few numbers; `beginStep(out)` can write it straight into shared memory).
 * `updateRange` reads only flat arrays and data fixed at construction, so concurrent calls on
 * disjoint ranges are safe, and any split of [0, n) gives bit-identical results.
 */
import { checkNonNegativeInt, got, optionError } from '../errors.js';
import type { ParamSet } from '../nn/params.js';
import type { DType, FloatArray } from '../tensor/dtype.js';
import type { ParamGroup } from './groups.js';
import type { BaseHyper, OptimizerName, StateArrays, UpdateRule } from './rule.js';
import { stateNamesOf, type OptimizerSetup } from './setup.js';

export { setupOptimizer, type OptimizerSetup } from './setup.js';

/** Steps a pipelined runtime may have begun and not finished: at least the parallel runtime's QUEUE_SLOTS (a test checks). */
export const MAX_PENDING = 64;

/** JSON data from which a worker rebuilds an identical optimizer (see `optimizerFromSpec`). */
export interface OptimizerSpec<H = BaseHyper> {
  rule: OptimizerName;
  dtype: DType;
  length: number;
  groups: Array<ParamGroup<H>>;
  stateNames: string[];
}

/** Everything needed to resume: the step count, groups, carried scalars and copies of the state. */
export interface OptimizerStateDict<H = BaseHyper> {
  rule: OptimizerName;
  step: number;
  groups: Array<ParamGroup<H>>;
  scalars: number[][];
  state: Record<string, FloatArray>;
}

/** Something whose per-group learning rates a schedule can read and set. */
export interface LrGroups {
  readonly groupCount: number;
  getLr(group: number): number;
  setLr(group: number, lr: number): void;
}

/** a[lo, hi) = −a[lo, hi): exact, so flipping twice gives the same bits back. */
function negate(a: FloatArray, lo: number, hi: number): void {
  for (let i = lo; i < hi; i++) a[i] = -a[i];
}

export class Optimizer<H extends BaseHyper = BaseHyper> implements LrGroups {
  readonly rule: UpdateRule<H>;
  readonly params: ParamSet;
  /** The flat state arrays (in shared memory if the allocator put them there). */
  readonly state: StateArrays;
  /** Per-step coefficients per group: `planLength` numbers. */
  readonly planLength: number;
  private readonly groups: Array<ParamGroup<H>>;
  private readonly scalars: Float64Array[];
  private steps = 0;
  private lastPlan: Float64Array | undefined;
  /**
   * The step count and carried scalars before each of the last (at most MAX_PENDING) beginStep()
   * calls not yet cancelled, for cancelStep(): a pipelined runtime has steps in flight and queued.
   */
  private before: Array<{ steps: number; scalars: Float64Array[] }> = [];

  /** Low level; use `new Adam(params, options)`, `createOptimizer(name, ...)` or `optimizerFromSpec`. */
  constructor(rule: UpdateRule<H>, params: ParamSet, setup: OptimizerSetup<H>) {
    this.rule = rule;
    this.params = params;
    const n = params.values.length;
    if (params.grads.length !== n) throw new RangeError(`params.grads has ${params.grads.length} elements, params.values ${n}`);
    this.groups = setup.groups.map((g) => {
      const copy = structuredClone(g);
      rule.validate(copy.hyper);
      for (const [s, e] of copy.ranges) {
        if (!(Number.isInteger(s) && Number.isInteger(e) && 0 <= s && s <= e && e <= n)) throw new RangeError(`group range [${s}, ${e}) is not within [0, ${n})`);
      }
      return copy;
    });
    for (const name of stateNamesOf(rule, this.groups)) {
      const a = setup.state[name];
      if (!a || a.length !== n) throw new RangeError(`${rule.name}: state array "${name}" must have ${n} elements, got ${a ? a.length : 'none'}`);
    }
    this.state = Object.freeze({ ...setup.state });
    this.scalars = this.groups.map((g) => Float64Array.from(rule.initialScalars(g.hyper)));
    this.planLength = this.groups.length * rule.coefCount;
  }

  get name(): OptimizerName {
    return this.rule.name;
  }

  /** Steps taken so far (PyTorch's `state['step']`). */
  get stepCount(): number {
    return this.steps;
  }

  get groupCount(): number {
    return this.groups.length;
  }

  /** A copy of group `i`: its hyperparameters and ranges. */
  group(i: number): ParamGroup<H> {
    return structuredClone(this.groups[this.groupIndex(i)]);
  }

  getLr(i: number): number {
    return this.groups[this.groupIndex(i)].hyper.lr;
  }

  setLr(i: number, lr: number): void {
    if (typeof lr !== 'number' || !Number.isFinite(lr) || lr < 0) throw new RangeError(`Invalid learning rate: ${lr}`);
    this.groups[this.groupIndex(i)].hyper.lr = lr;
  }

  /** Current learning rate of each group. */
  get lrs(): number[] {
    return this.groups.map((g) => g.hyper.lr);
  }

  /** Set every gradient to 0 (PyTorch's `zero_grad(set_to_none=False)`). */
  zeroGrad(): void {
    this.params.grads.fill(0);
  }

  /** One whole update: `beginStep()` then `updateRange(0, n)`. */
  step(): void {
    this.updateRange(0, this.params.values.length, this.beginStep());
    this.before = []; // applied: nothing to cancel
  }

  /**
   * Advance the step count once and compute this step's coefficients for every group, from the
   * groups' current learning rates. Writes into `out` if given (e.g. a shared Float64Array view).
   */
  beginStep(out: Float64Array = new Float64Array(this.planLength)): Float64Array {
    if (!(out instanceof Float64Array) || out.length < this.planLength) throw optionError('beginStep(out)', `a Float64Array of at least ${this.planLength} elements`, out);
    this.before.push({ steps: this.steps, scalars: this.scalars.map((s) => s.slice()) });
    if (this.before.length > MAX_PENDING) this.before.shift();
    this.steps += 1;
    const k = this.rule.coefCount;
    this.groups.forEach((g, i) => this.rule.coefficients(g.hyper, g.hyper.lr, this.steps, this.scalars[i], out.subarray(i * k, i * k + k)));
    this.lastPlan = out;
    return out;
  }

  /**
   * Undo the last beginStep() whose update was never applied (the gradients were not finite):
   * the step count and carried scalars (NAdam's ∏μ) go back to what they were. Called twice
   * after two beginStep() calls, it undoes both (the later one first); at most MAX_PENDING deep.
   */
  cancelStep(): void {
    const before = this.before.pop();
    if (!before) throw new Error('cancelStep() needs a beginStep() that has not been cancelled');
    this.steps = before.steps;
    before.scalars.forEach((s, i) => this.scalars[i].set(s));
    this.lastPlan = undefined;
  }

  /**
   * Update parameters [start, end) with `plan` (default: the last `beginStep()` of this instance).
   * Safe to call concurrently from several threads on disjoint ranges of shared arrays.
   */
  updateRange(start: number, end: number, plan: Float64Array | undefined = this.lastPlan): void {
    const n = this.params.values.length;
    if (!(Number.isInteger(start) && Number.isInteger(end) && 0 <= start && start <= end && end <= n)) {
      throw new RangeError(`updateRange(${start}, ${end}): need integers with 0 <= start <= end <= ${n}`);
    }
    if (!plan || plan.length < this.planLength) throw new RangeError('updateRange needs the plan of beginStep()');
    const { values, grads } = this.params;
    const k = this.rule.coefCount;
    for (let i = 0; i < this.groups.length; i++) {
      const g = this.groups[i];
      const c = plan.subarray(i * k, i * k + k);
      for (const [s, e] of g.ranges) {
        const lo = Math.max(s, start);
        const hi = Math.min(e, end);
        if (lo >= hi) continue;
        // maximize: the rule sees −g; flipped back after, so the gradients read as computed (as p.grad does in PyTorch).
        if (g.hyper.maximize) negate(grads, lo, hi);
        this.rule.update(values, grads, this.state, lo, hi, g.hyper, c);
        if (g.hyper.maximize) negate(grads, lo, hi);
      }
    }
  }

  /** JSON data for `optimizerFromSpec` in another thread (current learning rates included). */
  toSpec(): OptimizerSpec<H> {
    return {
      rule: this.rule.name,
      dtype: this.params.dtype,
      length: this.params.values.length,
      groups: structuredClone(this.groups),
      stateNames: Object.keys(this.state),
    };
  }

  /** A deep copy of everything needed to resume, including the step count. */
  stateDict(): OptimizerStateDict<H> {
    const state: Record<string, FloatArray> = {};
    for (const [name, a] of Object.entries(this.state)) state[name] = a.slice();
    return {
      rule: this.rule.name,
      step: this.steps,
      groups: structuredClone(this.groups),
      scalars: this.scalars.map((s) => [...s]),
      state,
    };
  }

  /** Copy a `stateDict()` in; `saved` is neither mutated nor aliased. Groups must have the same ranges. */
  loadStateDict(saved: OptimizerStateDict<H>): void {
    if (saved === null || typeof saved !== 'object') throw optionError('loadStateDict(state)', 'a state dict', saved);
    if (saved.rule !== this.rule.name) throw new TypeError(`loadStateDict: state of "${String(saved.rule)}" cannot be loaded into ${this.rule.name}`);
    const step = checkNonNegativeInt('state.step', saved.step);
    if (!Array.isArray(saved.groups) || saved.groups.length !== this.groups.length) {
      throw new RangeError(`loadStateDict: expected ${this.groups.length} parameter groups, got ${Array.isArray(saved.groups) ? saved.groups.length : got(saved.groups)}`);
    }
    const groups = structuredClone(saved.groups);
    // States saved before `maximize` existed: they descended.
    for (const g of groups) if (g?.hyper && (g.hyper as Partial<BaseHyper>).maximize === undefined) g.hyper.maximize = false;
    groups.forEach((g, i) => {
      if (JSON.stringify(g.ranges) !== JSON.stringify(this.groups[i].ranges)) throw new RangeError(`loadStateDict: group ${i} covers other parameters than this optimizer's`);
      this.rule.validate(g.hyper);
      for (const name of this.rule.stateNames(g.hyper)) {
        if (!(name in this.state)) throw new RangeError(`loadStateDict: group ${i} needs state "${name}", which this optimizer was not built with`);
      }
    });
    if (!Array.isArray(saved.scalars) || saved.scalars.length !== this.groups.length) throw optionError('state.scalars', `an array of ${this.groups.length} (one per group)`, saved.scalars);
    const scalars = saved.scalars.map((s) => Float64Array.from(s));
    scalars.forEach((s, i) => {
      if (s.length !== this.scalars[i]?.length) throw new RangeError(`loadStateDict: group ${i} carries ${s.length} scalars, expected ${this.scalars[i]?.length}`);
      const bad = s.findIndex((v) => !Number.isFinite(v));
      if (bad >= 0) throw new RangeError(`loadStateDict: group ${i}'s scalar ${bad} is ${s[bad]}; a non-finite one would make every update NaN`);
    });
    for (const [name, a] of Object.entries(this.state)) {
      const src = saved.state?.[name];
      if (!src || src.length !== a.length) throw new RangeError(`loadStateDict: state array "${name}" must have ${a.length} elements, got ${src ? src.length : 'none'}`);
      // NaN only: a float32 second moment can overflow to Infinity in training (as in PyTorch),
      // and a checkpoint of that run must still load.
      for (let j = 0; j < src.length; j++) {
        if (Number.isNaN(src[j])) throw new RangeError(`loadStateDict: state array "${name}" holds NaN at index ${j}; it would make its parameter NaN`);
      }
    }
    // Checked; now copy in.
    for (const [name, a] of Object.entries(this.state)) a.set(saved.state[name]);
    groups.forEach((g, i) => { this.groups[i].hyper = g.hyper; });
    scalars.forEach((s, i) => this.scalars[i].set(s));
    this.steps = step;
    this.lastPlan = undefined;
    this.before = []; // a cancelStep() after a load has nothing of before the load to go back to
  }

  /**
   * Take `source`'s state as it is, without a state dict in between: the step count, the groups'
   * hyperparameters, the carried scalars and the state arrays, copied. For a twin built on the
   * same layout (the parallel runtime's copy of this optimizer in shared memory), whose state
   * needs none of loadStateDict's checks; once per epoch, that saves two copies and a scan of
   * every state value.
   */
  copyStateFrom(source: Optimizer<H>): void {
    const same = source.rule === this.rule && source.groups.length === this.groups.length
      && source.groups.every((g, i) => JSON.stringify(g.ranges) === JSON.stringify(this.groups[i].ranges))
      && Object.keys(this.state).every((name) => source.state[name]?.length === this.state[name].length);
    if (!same) throw new TypeError(`copyStateFrom: the source is not a twin of this ${this.rule.name} optimizer (other rule, groups or state arrays)`);
    for (const [name, a] of Object.entries(this.state)) a.set(source.state[name]);
    source.groups.forEach((g, i) => { this.groups[i].hyper = structuredClone(g.hyper); });
    source.scalars.forEach((s, i) => this.scalars[i].set(s));
    this.steps = source.steps;
    this.lastPlan = undefined;
    this.before = [];
  }

  private groupIndex(i: number): number {
    if (!Number.isInteger(i) || i < 0 || i >= this.groups.length) throw optionError('group', `an integer in [0, ${this.groups.length})`, i);
    return i;
  }
}
