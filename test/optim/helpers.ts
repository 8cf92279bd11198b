/** Shared test helpers for the optimizer tests: fixtures, tiny ParamSets, relative error. */
import { readFileSync } from 'node:fs';
import type { ParamEntry, ParamSet } from '../../src/nn/params.js';

/** Read `test/fixtures/<name>` (tests run from dist/test/optim/). */
export function fixture<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(`../../../test/fixtures/${name}`, import.meta.url), 'utf8')) as T;
}

/** PyTorch's snake_case hyperparameter names → ours. */
export function camelOptions(h: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(h).map(([k, v]) => [k.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase()), v]));
}

/** A float64 ParamSet over `values`, one weight entry per given size (default: one entry). */
export function paramSet(values: number[], sizes: number[] = [values.length], roles: ParamEntry['role'][] = []): ParamSet {
  const entries: ParamEntry[] = [];
  let offset = 0;
  sizes.forEach((size, i) => {
    entries.push({ name: `p${i}`, layer: i, role: roles[i] ?? 'weight', offset, size, shape: [size] });
    offset += size;
  });
  return { dtype: 'float64', values: Float64Array.from(values), grads: new Float64Array(values.length), entries };
}

/** Largest |actual − expected| / |expected| over the elements. */
export function maxRelError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) return Infinity;
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i];
    const err = Math.abs(actual[i] - e) / Math.abs(e);
    if (!(err <= worst)) worst = err; // NaN counts as worst
  }
  return worst;
}

/** ∇ of Rosenbrock (1 − x)² + 100 (y − x²)², in the order autograd evaluates it. */
export function rosenbrockGrad(p: ArrayLike<number>, g: Float64Array): void {
  const x = p[0];
  const y = p[1];
  const b = 100 * (2 * (y - x * x));
  g[0] = -(2 * (1 - x)) + -b * (2 * x);
  g[1] = b;
}
