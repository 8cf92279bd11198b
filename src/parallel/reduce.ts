/**
 * The reduction and update pieces of a step, shared by the worker threads and the serial
 * reference. Parameters are cut into fixed chunks whose size never depends on the thread
 * count; gradient slots are added in slot order within a chunk, and the global norm is the sum
 * of per-chunk sums of squares in chunk order. So whichever thread takes whichever chunk, every
 * number comes out bit for bit the same.
 */
import type { Optimizer } from '../optim/optimizer.js';
import { clipCoefficient, clipGradValue, scaleRange } from '../optim/clip.js';
import type { FloatArray } from '../tensor/dtype.js';

/** Parameters per chunk: large enough to amortize claiming one, small enough to balance load. */
export const CHUNK_SIZE = 8192;

export function chunkCount(paramCount: number): number {
  return Math.ceil(paramCount / CHUNK_SIZE);
}

/**
 * grads[lo..hi) = (Σ_{s<shards} slot_s[lo..hi)) · invBatch, slots added in order 0, 1, 2, …,
 * slot s starting at s·stride in `slots` (default: one gradient array's length);
 * returns Σ grads[i]² over the chunk (float64, of the unrounded products).
 *
 * The sum of squares has a fixed order that a SIMD kernel can follow exactly (the worker's WASM
 * twin, assembly/reduce.ts, does): element lo + 4j + r goes to partial sum r for every whole
 * group of four, the partials are combined as (a0 + a1) + (a2 + a3), and the last hi − lo mod 4
 * elements are added one by one. The norm feeds clipping, and a last-bit difference there grows
 * through training, so the serial reference and the workers must agree on it bit for bit.
 */
export function reduceChunk(slots: FloatArray, shards: number, grads: FloatArray, lo: number, hi: number, invBatch: number, stride = grads.length): number {
  const p = stride;
  let a0 = 0, a1 = 0, a2 = 0, a3 = 0;
  let i = lo;
  for (; i + 4 <= hi; i += 4) {
    a0 += sumSquare(slots, shards, p, grads, i, invBatch);
    a1 += sumSquare(slots, shards, p, grads, i + 1, invBatch);
    a2 += sumSquare(slots, shards, p, grads, i + 2, invBatch);
    a3 += sumSquare(slots, shards, p, grads, i + 3, invBatch);
  }
  let sq = (a0 + a1) + (a2 + a3);
  for (; i < hi; i++) sq += sumSquare(slots, shards, p, grads, i, invBatch);
  return sq;
}

/** grads[i] = (Σ slots in order) · invBatch; returns its square (before rounding to the array's type). */
function sumSquare(slots: FloatArray, shards: number, p: number, grads: FloatArray, i: number, invBatch: number): number {
  let s = slots[i];
  for (let k = 1; k < shards; k++) s += slots[k * p + i];
  const g = s * invBatch;
  grads[i] = g;
  return g * g;
}

/** √(Σ chunk sums in chunk order): the global L2 norm of the gradients. */
export function totalNorm(chunkSq: Float64Array, chunks: number): number {
  let s = 0;
  for (let c = 0; c < chunks; c++) s += chunkSq[c];
  return Math.sqrt(s);
}

export interface ClipSettings {
  readonly clipNorm: number | null;
  readonly clipValue: number | null;
}

/** The factor every gradient is multiplied by (clip_grad_norm_'s clamped coefficient), or 1. */
export function clipFactor(clip: ClipSettings, norm: number): number {
  return clip.clipNorm === null ? 1 : clipCoefficient(norm, clip.clipNorm);
}

/** Clip chunk [lo, hi) of the reduced gradients, then apply the optimizer's update there. */
export function updateChunk(optimizer: Optimizer, clip: ClipSettings, factor: number, plan: Float64Array, lo: number, hi: number): void {
  const grads = optimizer.params.grads;
  scaleRange(grads, factor, lo, hi);
  if (clip.clipValue !== null) clipGradValue(grads, clip.clipValue, lo, hi);
  optimizer.updateRange(lo, hi, plan);
}

/**
 * Running statistics after a step of ghost batch norm. Each micro-shard's forward wrote
 * momentum·(its batch statistic) into its own state slot (its running value started at 0);
 * applying running = (1 − momentum)·running + slot_s for s = 0, 1, 2, … is exactly what
 * processing the shards one after another on one thread would have computed.
 */
export function reduceState(state: FloatArray, stateSlots: FloatArray, shards: number, momenta: Float64Array): void {
  const n = state.length;
  for (let s = 0; s < shards; s++) {
    for (let j = 0; j < n; j++) state[j] = (1 - momenta[j]) * state[j] + stateSlots[s * n + j];
  }
}
