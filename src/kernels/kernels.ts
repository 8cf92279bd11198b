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
