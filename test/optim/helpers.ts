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

/** A deterministic sequence in [-1, 1) (a 32-bit LCG), for test data without Math.random. */
export function sequence(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 31 - 1;
  };
}

/** A gradient that depends on the parameters, so trajectories depend on every state variable. */
export function testGrad(p: ArrayLike<number>, g: Float64Array): void {
  for (let i = 0; i < g.length; i++) g[i] = Math.sin(3 * p[i] + i) + 0.1 * p[i];
}

/** Every optimizer, with options that exercise its branches (momentum, amsgrad, centered, ...). */
export const CONFIGS: ReadonlyArray<readonly [string, Record<string, unknown>]> = [
  ['sgd', { lr: 0.05 }],
  ['sgd', { lr: 0.05, momentum: 0.9, dampening: 0.1, weightDecay: 0.01 }],
  ['sgd', { lr: 0.05, momentum: 0.9, nesterov: true }],
  ['adam', { lr: 0.01 }],
  ['adam', { lr: 0.01, betas: [0.8, 0.99], weightDecay: 0.1, amsgrad: true }],
  ['adamw', { lr: 0.01, amsgrad: true }],
  ['rmsprop', { lr: 0.01, centered: true, momentum: 0.5, weightDecay: 0.01 }],
  ['adagrad', { lr: 0.1, lrDecay: 0.01, initialAccumulatorValue: 0.1 }],
  ['adadelta', { rho: 0.8, weightDecay: 0.01 }],
  ['adamax', { lr: 0.02, weightDecay: 0.01 }],
  ['nadam', { lr: 0.01, weightDecay: 0.01 }],
];

/** Five parameter tensors of mixed roles over 23 elements, with pseudo-random values. */
export function mixedParams(seed = 1): ParamSet {
  const next = sequence(seed);
  const p = paramSet(Array.from({ length: 23 }, () => next()), [6, 3, 8, 2, 4], ['weight', 'bias', 'weight', 'bias', 'norm']);
  return p;
}
