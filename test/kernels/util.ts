/** Shared helpers for the kernel tests: seeded random fills and the error bound for a dot product. */
import { WasmArena } from '../../src/kernels/arena.js';
import { WasmStepKernels } from '../../src/kernels/wasm-reduce.js';
import type { DType, FloatArray } from '../../src/tensor/dtype.js';

/** mulberry32: a small seeded generator, so every failure reproduces. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Uniform in [-1, 1). */
export function fillReal(a: FloatArray, next: () => number): FloatArray {
  for (let i = 0; i < a.length; i++) a[i] = 2 * next() - 1;
  return a;
}

/** Integers in [-2, 2]: every product and sum is exact in both dtypes, so results must match bit for bit. */
export function fillInt(a: FloatArray, next: () => number): FloatArray {
  for (let i = 0; i < a.length; i++) a[i] = Math.floor(5 * next()) - 2;
  return a;
}

export const EPS: Record<DType, number> = { float32: 2 ** -24, float64: 2 ** -53 };

/**
 * Largest |a-b| / bound, where bound = 2·(terms+2)·eps·mag + tiny: the classical error bound of a
 * sum of `terms` products (Higham, Accuracy and Stability, §3.1: |fl(xᵀy) - xᵀy| ≤ γ_n |x|ᵀ|y|),
 * doubled because both the kernel and the reference round. A result ≤ 1 is within the bound.
 */
export function worstRatio(a: FloatArray, b: FloatArray, mag: FloatArray, terms: number, dtype: DType): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const bound = 2 * (terms + 2) * EPS[dtype] * mag[i] + 1e-300;
    worst = Math.max(worst, Math.abs(a[i] - b[i]) / bound);
    if (Number.isNaN(a[i]) !== Number.isNaN(b[i])) return Infinity;
  }
  return worst;
}

export function abs<T extends FloatArray>(a: T): T {
  const out = a.slice() as T;
  for (let i = 0; i < out.length; i++) out[i] = Math.abs(out[i]);
  return out;
}

/** The shapes every kernel is checked on: 1×1, primes, tall, wide, exact blocks, and reductions past one block (KC = 256). */
export const SHAPES: ReadonlyArray<readonly [number, number, number]> = [
  [1, 1, 1], [1, 1, 9], [1, 7, 1], [2, 3, 5], [3, 2, 4], [4, 8, 8], [8, 4, 16], [7, 11, 13], [13, 17, 19],
  [5, 1, 3], [31, 29, 37], [257, 3, 2], [1031, 5, 3], [3, 2, 301], [2, 523, 3], [6, 5, 517], [300, 9, 7],
  [128, 64, 10], [128, 128, 64], [64, 784, 128], [37, 600, 23],
];

/** An arena of `bytes` and the WASM step kernels on it. */
export function setup(bytes = 1 << 22): { arena: WasmArena; k: WasmStepKernels } {
  const arena = WasmArena.create(bytes);
  return { arena, k: new WasmStepKernels(arena) };
}
