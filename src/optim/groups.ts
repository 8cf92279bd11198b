/**
 * Parameter groups, as PyTorch's `param_groups`: sets of parameters sharing hyperparameters.
 * Here a group is a list of contiguous [start, end) ranges of the flat parameter array, so the
 * range update intersects the requested range with each group's ranges.
 *
 *   { lr: 1e-3, groups: [{ layers: [0], lr: 1e-2 }], noDecayOn: ['bias', 'norm'] }
 *
 * Each parameter entry joins the first group whose selector matches it (every given field
 * must match: `layers`, `roles`, `names`), otherwise the base group. `noDecayOn` then splits
 * each group in two, the listed roles getting `weightDecay: 0`.
 */
import { checkNonNegativeInt, checkOneOf, mergeOptions, optionError } from '../errors.js';
import type { ParamEntry, ParamRole } from '../nn/params.js';
import type { BaseHyper } from './rule.js';

const ROLES: readonly ParamRole[] = Object.freeze(['weight', 'bias', 'norm'] as ParamRole[]);

export interface GroupSelector {
  /** `ParamEntry.layer` indices. */
  layers?: readonly number[];
  roles?: readonly ParamRole[];
  /** Exact `ParamEntry.name`s, e.g. `0.dense.W`. */
  names?: readonly string[];
}

/** A selector plus the hyperparameters it overrides. */
export type GroupOptions<H> = GroupSelector & Partial<H>;

/** What an optimizer's constructor takes: hyperparameters over PyTorch's defaults, plus grouping. */
export type OptimizerOptions<H> = Partial<H> & {
  groups?: readonly GroupOptions<H>[];
  /** Roles whose weight decay is 0, e.g. `['bias', 'norm']`. */
  noDecayOn?: readonly ParamRole[];
};

/** A resolved group: plain JSON data. */
export interface ParamGroup<H> {
  hyper: H;
  ranges: Array<[number, number]>;
}

function checkList<T>(name: string, value: unknown, check: (n: string, x: unknown) => T): T[] {
  if (!Array.isArray(value)) throw optionError(name, 'an array', value);
  return value.map((x, i) => check(`${name}[${i}]`, x));
}

function parseSelector(i: number, g: GroupOptions<unknown>): (e: ParamEntry) => boolean {
  const where = `options.groups[${i}]`;
  if (g === null || typeof g !== 'object') throw optionError(where, 'an object', g);
  const layers = g.layers === undefined ? undefined : checkList(`${where}.layers`, g.layers, checkNonNegativeInt);
  const roles = g.roles === undefined ? undefined : checkList(`${where}.roles`, g.roles, (n, x) => checkOneOf(n, x, ROLES));
  const names = g.names === undefined ? undefined : checkList(`${where}.names`, g.names, (n, x) => {
    if (typeof x !== 'string') throw optionError(n, 'a string', x);
    return x;
  });
  if (!layers && !roles && !names) throw new TypeError(`${where} must select parameters by layers, roles or names`);
  return (e) => (!layers || layers.includes(e.layer)) && (!roles || roles.includes(e.role)) && (!names || names.includes(e.name));
}

/** A group's own hyperparameters (its options less the selector). */
export function overrides<H>(g: GroupOptions<H>): Partial<H> {
  const { layers: _l, roles: _r, names: _n, ...rest } = g;
  return rest as Partial<H>;
}

/** Resolve options into groups; each group's hyperparameters still need the rule's validation. */
export function resolveGroups<H extends BaseHyper>(
  what: string,
  entries: readonly ParamEntry[],
  length: number,
  base: H,
  groups: readonly GroupOptions<H>[] = [],
  noDecayOn: readonly ParamRole[] = [],
): ParamGroup<H>[] {
  if (!Array.isArray(groups)) throw optionError('options.groups', 'an array', groups);
  const noDecay = checkList('options.noDecayOn', noDecayOn, (n, x) => checkOneOf(n, x, ROLES));
  const selectors = groups.map((g, i) => parseSelector(i, g as GroupOptions<unknown>));
  const hypers: H[] = [base, ...groups.map((g, i) => mergeOptions<H>(`${what} options.groups[${i}]`, base, overrides(g)))];
  // A bare parameter array (no entries) is one range of the base group.
  const list: readonly ParamEntry[] = entries.length > 0 ? entries
    : [{ name: 'params', layer: 0, role: 'weight', offset: 0, size: length, shape: [length] }];
  const sorted = [...list].sort((a, b) => a.offset - b.offset);
  const slots = new Map<number, ParamGroup<H>>(); // key: 2·(group + 1) + (no decay ? 1 : 0)
  const used = new Array<boolean>(groups.length).fill(false);
  for (const e of sorted) {
    if (e.offset < 0 || e.offset + e.size > length) throw new RangeError(`parameter ${e.name} [${e.offset}, ${e.offset + e.size}) lies outside the ${length} parameters`);
    const gi = selectors.findIndex((match) => match(e));
    if (gi >= 0) used[gi] = true;
    const off = noDecay.includes(e.role);
    const key = 2 * (gi + 1) + (off ? 1 : 0);
    let slot = slots.get(key);
    if (!slot) {
      slot = { hyper: off ? { ...hypers[gi + 1], weightDecay: 0 } as H : { ...hypers[gi + 1] }, ranges: [] };
      slots.set(key, slot);
    }
    const last = slot.ranges[slot.ranges.length - 1];
    if (last && last[1] === e.offset) last[1] = e.offset + e.size;
    else if (e.size > 0) slot.ranges.push([e.offset, e.offset + e.size]);
  }
  const unused = used.indexOf(false);
  if (unused >= 0) throw new RangeError(`options.groups[${unused}] selects no parameter`);
  return [...slots.keys()].sort((a, b) => a - b).map((k) => slots.get(k)!);
}
