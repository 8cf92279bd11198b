/**
 * Gradient clipping, with PyTorch's semantics, in a form the parallel runtime can split.
 *
 * By global norm (`torch.nn.utils.clip_grad_norm_`): one L2 norm over all gradients as if
 * concatenated, then every gradient is multiplied by
 *
 *   clip_coef = max_norm / (total_norm + 1e-6),   applied only if clip_coef < 1
 *
 * (PyTorch multiplies by clamp(clip_coef, max=1), which is the same). The total norm is
 * returned, before clipping. In parallel, each thread computes `sumOfSquares` of its range,
 * the coordinator adds the partial sums in a fixed order (so the result does not depend on the
 * thread count if the ranges do not), `clipCoefficient(Math.sqrt(sum), maxNorm)` gives one
 * factor, and each thread calls `scaleRange` on its range.
 *
 * By value (`torch.nn.utils.clip_grad_value_`): each gradient clamped to [−clip, clip].
 */
import { optionError } from '../errors.js';
import type { FloatArray } from '../tensor/dtype.js';

/** The `1e-6` PyTorch adds to the norm before dividing. */
export const CLIP_NORM_EPS = 1e-6;

function checkRangeArgs(what: string, a: FloatArray, start: number, end: number): void {
  if (!(Number.isInteger(start) && Number.isInteger(end) && 0 <= start && start <= end && end <= a.length)) {
    throw new RangeError(`${what}(${start}, ${end}): need integers with 0 <= start <= end <= ${a.length}`);
  }
}

/** `maxNorm` must be a finite number > 0 (PyTorch accepts 0, which would zero every gradient). */
export function checkMaxNorm(maxNorm: unknown): number {
  if (typeof maxNorm !== 'number' || !Number.isFinite(maxNorm) || maxNorm <= 0) throw optionError('maxNorm', 'a finite number > 0', maxNorm);
  return maxNorm;
}

/** Σ g[i]² over [start, end): one thread's share of the squared global norm. */
export function sumOfSquares(g: FloatArray, start = 0, end = g.length): number {
  checkRangeArgs('sumOfSquares', g, start, end);
  let sum = 0;
  for (let i = start; i < end; i++) sum += g[i] * g[i];
  return sum;
}

/** The factor to multiply every gradient by: min(1, maxNorm / (totalNorm + 1e-6)); NaN for a NaN norm. */
export function clipCoefficient(totalNorm: number, maxNorm: number): number {
  checkMaxNorm(maxNorm);
  if (typeof totalNorm !== 'number' || totalNorm < 0) throw optionError('totalNorm', 'a number >= 0', totalNorm);
  const coef = maxNorm / (totalNorm + CLIP_NORM_EPS);
  // A NaN norm gives NaN, which poisons the gradients as in PyTorch (clamp keeps NaN); an infinite one gives 0.
  return coef < 1 || Number.isNaN(coef) ? coef : 1;
}

/** g[i] ← g[i] · coef over [start, end); a coefficient of 1 leaves the gradients untouched. */
export function scaleRange(g: FloatArray, coef: number, start = 0, end = g.length): void {
  checkRangeArgs('scaleRange', g, start, end);
  if (coef === 1) return;
  for (let i = start; i < end; i++) g[i] = g[i] * coef;
}

/** Serial `clip_grad_norm_(params, maxNorm)`: clips `grads` in place, returns the total norm before clipping. */
export function clipGradNorm(grads: FloatArray, maxNorm: number): number {
  checkMaxNorm(maxNorm);
  const total = Math.sqrt(sumOfSquares(grads));
  scaleRange(grads, clipCoefficient(total, maxNorm));
  return total;
}

/** `clip_grad_value_`: clamp g[i] to [−clipValue, clipValue] over [start, end). NaN gradients stay NaN. */
export function clipGradValue(grads: FloatArray, clipValue: number, start = 0, end = grads.length): void {
  if (typeof clipValue !== 'number' || !Number.isFinite(clipValue) || clipValue < 0) throw optionError('clipValue', 'a finite number >= 0', clipValue);
  checkRangeArgs('clipGradValue', grads, start, end);
  for (let i = start; i < end; i++) {
    const x = grads[i];
    if (x > clipValue) grads[i] = clipValue;
    else if (x < -clipValue) grads[i] = -clipValue;
  }
}
