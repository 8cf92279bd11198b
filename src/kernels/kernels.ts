/**
 * The kernel contract every backend fulfils, and the choice among backends.
 * Arrays are row-major views; shapes are given as (m, k, n) of the product X[m×k]·W[k×n].
 */
import type { FloatArray } from '../tensor/dtype.js';
import * as reference from './reference.js';
import type { FusedActivation } from './reference.js';

export { FUSED_ACTIVATIONS, type FusedActivation } from './reference.js';

export interface Kernels {
  readonly name: string;
  denseForward(x: FloatArray, w: FloatArray, b: FloatArray | null, y: FloatArray, m: number, k: number, n: number): void;
  denseBackwardWeights(x: FloatArray, dy: FloatArray, dw: FloatArray, db: FloatArray | null, m: number, k: number, n: number): void;
  denseBackwardInput(dy: FloatArray, w: FloatArray, dx: FloatArray, m: number, k: number, n: number): void;
  /** dW rows [k0, k1) = X[:, k0..k1)ᵀ·dY over all m rows, overwritten (dW is the whole k×n gradient). */
  weightGradRows(x: FloatArray, dy: FloatArray, dw: FloatArray, m: number, k: number, n: number, k0: number, k1: number): void;
  /** db[c0..c1) = column sums of dY[m×n] over columns [c0, c1), overwritten. */
  biasGradRange(dy: FloatArray, db: FloatArray, m: number, n: number, c0: number, c1: number): void;
  /** Optional: Y = f(X·W + b) in one pass over Y; same result as denseForward then f elementwise. */
  denseForwardActivation?(
    x: FloatArray, w: FloatArray, b: FloatArray | null, y: FloatArray, m: number, k: number, n: number, activation: FusedActivation,
  ): void;
}

export const referenceKernels: Kernels = Object.freeze({ name: 'reference', ...reference });

let active: Kernels = referenceKernels;

/** The kernels layers call. */
export function kernels(): Kernels {
  return active;
}

/** Replace the active kernels (the WASM backend installs itself here). */
export function setKernels(k: Kernels): void {
  active = k;
}
