/**
 * Plain reference kernels for the three matrix products of a dense layer, row-major throughout.
 * They are the specification the fast kernels are checked against (llm.c keeps its naive
 * `matmul_forward` beside the fast one for the same reason), and the fallback for arrays that do
 * not live in the WASM arena. None of them materializes a transpose.
 *
 *   forward:        Y[m×n]  = X[m×k] · W[k×n] + b
 *   weight grad:    dW[k×n] += Xᵀ · dY,   db[n] += column sums of dY
 *   input grad:     dX[m×k] = dY[m×n] · Wᵀ
 *   batch weight grad, by ranges (the parallel runtime's, src/parallel/batchGrads.ts):
 *                   dW[k0..k1) = X[:, k0..k1)ᵀ · dY,   db[c0..c1) = column sums of dY[:, c0..c1)
 *                   (overwritten; every element summed from 0 over the rows in order)
 *   fused forward:  Y = f(X · W + b), f one of FUSED_ACTIVATIONS (optional in the Kernels contract)
 */
import type { FloatArray } from '../tensor/dtype.js';
import { checkOneOf, checkSubrange, optionError, ShapeError } from '../errors.js';

/** Shapes of the contract's products: integer dimensions, and arrays long enough for them. */
export function checkDims(m: number, k: number, n: number): void {
  if (!(m >= 0 && (m | 0) === m)) throw optionError('m', 'a non-negative integer', m);
  if (!(k >= 0 && (k | 0) === k)) throw optionError('k', 'a non-negative integer', k);
  if (!(n >= 0 && (n | 0) === n)) throw optionError('n', 'a non-negative integer', n);
}

export function checkLength(what: string, a: FloatArray, rows: number, cols: number): void {
  if (a.length < rows * cols) throw new ShapeError(what, `${rows}×${cols} (${rows * cols} elements)`, `${a.length} elements`);
}

/** The shape checks of a forward product (every backend makes them before it runs). */
export function checkForward(x: FloatArray, w: FloatArray, b: FloatArray | null, y: FloatArray, m: number, k: number, n: number): void {
  checkDims(m, k, n);
  checkLength('denseForward x', x, m, k);
  checkLength('denseForward w', w, k, n);
  checkLength('denseForward y', y, m, n);
  if (b !== null) checkLength('denseForward b', b, 1, n);
}

export function denseForward(
  x: FloatArray, w: FloatArray, b: FloatArray | null, y: FloatArray, m: number, k: number, n: number,
): void {
  checkForward(x, w, b, y, m, k, n);
  for (let i = 0; i < m; i++) {
    const yi = i * n;
    if (b) for (let j = 0; j < n; j++) y[yi + j] = b[j];
    else y.fill(0, yi, yi + n);
    for (let p = 0; p < k; p++) {
      const xv = x[i * k + p];
      const wp = p * n;
      for (let j = 0; j < n; j++) y[yi + j] += xv * w[wp + j];
    }
  }
}

export function denseBackwardWeights(
  x: FloatArray, dy: FloatArray, dw: FloatArray, db: FloatArray | null, m: number, k: number, n: number,
): void {
  checkDims(m, k, n);
  checkLength('denseBackwardWeights x', x, m, k);
  checkLength('denseBackwardWeights dy', dy, m, n);
  checkLength('denseBackwardWeights dw', dw, k, n);
  if (db !== null) checkLength('denseBackwardWeights db', db, 1, n);
  for (let i = 0; i < m; i++) {
    const dyi = i * n;
    for (let p = 0; p < k; p++) {
      const xv = x[i * k + p];
      const wp = p * n;
      for (let j = 0; j < n; j++) dw[wp + j] += xv * dy[dyi + j];
    }
    if (db) for (let j = 0; j < n; j++) db[j] += dy[dyi + j];
  }
}

export function weightGradRows(
  x: FloatArray, dy: FloatArray, dw: FloatArray, m: number, k: number, n: number, k0: number, k1: number,
): void {
  checkDims(m, k, n);
  checkLength('weightGradRows x', x, m, k);
  checkLength('weightGradRows dy', dy, m, n);
  checkLength('weightGradRows dw', dw, k, n);
  checkSubrange('weightGradRows: rows', k0, k1, k);
  dw.fill(0, k0 * n, k1 * n);
  for (let i = 0; i < m; i++) {
    const dyi = i * n;
    for (let p = k0; p < k1; p++) {
      const xv = x[i * k + p];
      const wp = p * n;
      for (let j = 0; j < n; j++) dw[wp + j] += xv * dy[dyi + j];
    }
  }
}

export function biasGradRange(dy: FloatArray, db: FloatArray, m: number, n: number, c0: number, c1: number): void {
  checkDims(m, 1, n);
  checkLength('biasGradRange dy', dy, m, n);
  checkLength('biasGradRange db', db, 1, n);
  checkSubrange('biasGradRange: columns', c0, c1, n);
  db.fill(0, c0, c1);
  for (let i = 0; i < m; i++) for (let j = c0; j < c1; j++) db[j] += dy[i * n + j];
}

export function denseBackwardInput(
  dy: FloatArray, w: FloatArray, dx: FloatArray, m: number, k: number, n: number,
): void {
  checkDims(m, k, n);
  checkLength('denseBackwardInput dy', dy, m, n);
  checkLength('denseBackwardInput w', w, k, n);
  checkLength('denseBackwardInput dx', dx, m, k);
  for (let i = 0; i < m; i++) {
    const dyi = i * n;
    for (let p = 0; p < k; p++) {
      const wp = p * n;
      let s = 0;
      for (let j = 0; j < n; j++) s += dy[dyi + j] * w[wp + j];
      dx[i * k + p] = s;
    }
  }
}

/** Activations a backend may fuse into the forward product; formulas as in src/nn/activation.ts. */
export const FUSED_ACTIVATIONS = Object.freeze(['relu', 'tanh', 'sigmoid'] as const);
export type FusedActivation = (typeof FUSED_ACTIVATIONS)[number];

const FUSED: Readonly<Record<FusedActivation, (x: number) => number>> = Object.freeze({
  relu: (x: number) => (x > 0 || x !== x ? x : 0),
  tanh: Math.tanh,
  sigmoid: (x: number) => 1 / (1 + Math.exp(-x)),
});

export function denseForwardActivation(
  x: FloatArray, w: FloatArray, b: FloatArray | null, y: FloatArray, m: number, k: number, n: number, activation: FusedActivation,
): void {
  const f = FUSED[checkOneOf('activation', activation, FUSED_ACTIVATIONS)];
  denseForward(x, w, b, y, m, k, n);
  for (let i = 0; i < m * n; i++) y[i] = f(y[i]);
}
