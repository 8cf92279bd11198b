/**
 * From the options a user gives an optimizer to what its constructor needs: PyTorch's defaults
 * under the user's hyperparameters, checked (the constructor's own options too, and each group's,
 * naming the group), resolved into parameter groups, and the state arrays allocated and filled
 * with each group's initial value.
 */
import { optionError } from '../errors.js';
import type { ParamSet } from '../nn/params.js';
import { heapAllocator, type Allocator, type FloatArray } from '../tensor/dtype.js';
import { overrides, resolveGroups, type OptimizerOptions, type ParamGroup } from './groups.js';
import type { BaseHyper, StateArrays, UpdateRule } from './rule.js';

/** Resolved groups and allocated state, the low-level input of the constructor. */
export interface OptimizerSetup<H> {
  groups: Array<ParamGroup<H>>;
  state: StateArrays;
}

/** Resolve user options into groups and allocate the state arrays through `allocator`. */
export function setupOptimizer<H extends BaseHyper>(
  rule: UpdateRule<H>, params: ParamSet, options: OptimizerOptions<H> = {}, allocator: Allocator = heapAllocator,
): OptimizerSetup<H> {
  if (options === null || typeof options !== 'object') throw optionError(`${rule.name} options`, 'an options object', options);
  const { groups, noDecayOn, ...hyper } = options;
  const n = params.values.length;
  const base = { ...rule.defaults, ...stripUndefined(hyper) } as H;
  for (const key of Object.keys(hyper)) {
    if (!(key in rule.defaults)) throw new TypeError(`${rule.name} options: unknown option "${key}"; known options: ${[...Object.keys(rule.defaults), 'groups', 'noDecayOn'].join(', ')}`);
  }
  // As PyTorch, the constructor's own options are checked even where every group overrides them.
  rule.validate(base);
  const resolved = resolveGroups(rule.name, params.entries, n, base, groups, noDecayOn);
  // Each of the caller's groups with its own options, the error saying which (PyTorch's does not).
  (groups ?? []).forEach((g, i) => {
    try {
      rule.validate({ ...base, ...overrides(g) } as H);
    } catch (e) {
      const error = e as Error;
      error.message = `${rule.name} options.groups[${i}]: ${error.message}`;
      throw error;
    }
  });
  for (const g of resolved) rule.validate(g.hyper);
  const state: Record<string, FloatArray> = {};
  for (const name of stateNamesOf(rule, resolved)) {
    const a = allocator.alloc(params.dtype, n);
    a.fill(0);
    for (const g of resolved) {
      const init = rule.initialValue(name, g.hyper);
      if (init !== 0) for (const [s, e] of g.ranges) a.fill(init, s, e);
    }
    state[name] = a;
  }
  return { groups: resolved, state };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export function stateNamesOf<H extends BaseHyper>(rule: UpdateRule<H>, groups: readonly ParamGroup<H>[]): string[] {
  const names = new Set<string>();
  for (const g of groups) for (const s of rule.stateNames(g.hyper)) names.add(s);
  return [...names].sort();
}
