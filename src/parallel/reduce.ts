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
 * grads[lo..hi) = (Σ_{s<shards} slot_s[lo..hi)) · invBatch, slots added in order 0, 1, 2, …;
 * returns Σ grads[i]² over the chunk (float64).
 */
export function reduceChunk(slots: FloatArray, shards: number, grads: FloatArray, lo: number, hi: number, invBatch: number): number {
  const p = grads.length;
  let sq = 0;
  for (let i = lo; i < hi; i++) {
    let s = slots[i];
    for (let k = 1; k < shards; k++) s += slots[k * p + i];
    const g = s * invBatch;
    grads[i] = g;
    sq += g * g;
  }
  return sq;
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
