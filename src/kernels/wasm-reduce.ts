/**
 * WasmStepKernels: the WASM SIMD versions of a step's vector work outside forward/backward
 * (assembly/reduce.ts): the ordered slot reduction of src/parallel/reduce.ts `reduceChunk`, the
 * clip scale of src/optim/clip.ts `scaleRange`, and the range updates of Adam/AdamW
 * (src/optim/adam.ts, adamw.ts) and SGD (src/optim/sgd.ts). They perform the JS code's
 * operations in its order in f64, so their results are bit-identical to it in both dtypes,
 * `reduce`'s sum of squares included (reduceChunk fixes a four-way order that SIMD can follow);
 * except Adam on float32, which computes in f32x4 (3.3 times faster) and agrees to a few ulps of
 * each array's largest value.
 *
 * As with WasmKernels, they run only on arrays that are views of this thread's `arena.buffer`
 * of one dtype: `accepts` says whether a call can go to WASM, and the callers keep the JS
 * reference for everything else. Make one per thread (one WebAssembly.Instance each). Arrays
 * and ranges are checked here (a TypeError for an array outside the arena, a RangeError for a
 * range), since the WASM side would otherwise write through a heap array's byteOffset into the
 * arena, or past an array into its neighbours.
 */
import type { FloatArray } from '../tensor/dtype.js';
import type { WasmArena } from './arena.js';
import { instantiateReduce, type ReduceExports } from './reduce-module.js';

/** Adam's static hyperparameters (src/optim/adam.ts AdamHyper, less lr, which reaches it through the plan). */
export interface AdamConstants {
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  /** Coupled L2 decay (Adam's weightDecay; 0 for AdamW). */
  readonly l2: number;
}

/** SGD's static hyperparameters (src/optim/sgd.ts SGDHyper, less lr). */
export interface SgdConstants {
  readonly momentum: number;
  readonly dampening: number;
  readonly weightDecay: number;
  readonly nesterov: boolean;
}

function checkRange(what: string, a: FloatArray, lo: number, hi: number): void {
  if (!(Number.isInteger(lo) && Number.isInteger(hi) && 0 <= lo && lo <= hi && hi <= a.length)) {
    throw new RangeError(`${what}: range [${lo}, ${hi}) is not within an array of ${a.length}`);
  }
}

export class WasmStepKernels {
  readonly arena: WasmArena;
  private readonly wasm: ReduceExports;
  private readonly buffer: ArrayBufferLike;

  constructor(arena: WasmArena) {
    this.arena = arena;
    this.buffer = arena.buffer;
    this.wasm = instantiateReduce(arena.memory);
  }

  /** Whether every array (nulls skipped) is a view of this arena of `first`'s dtype. */
  accepts(first: FloatArray, ...rest: Array<FloatArray | null | undefined>): boolean {
    if (first.buffer !== this.buffer) return false;
    const f32 = first instanceof Float32Array;
    for (const a of rest) {
      if (a == null) continue;
      if (a.buffer !== this.buffer || (a instanceof Float32Array) !== f32) return false;
    }
    return true;
  }

  private check(what: string, first: FloatArray, ...rest: Array<FloatArray | null | undefined>): void {
    if (!this.accepts(first, ...rest)) throw new TypeError(`${what}: every array must be a view of this thread's arena, of one dtype`);
  }

  /**
   * grads[lo..hi) = (Σ_{s<shards} slot_s[lo..hi)) · invBatch (slot s at s·stride in `slots`,
   * stride grads.length by default, added in order); returns Σ grads² of the range. Needs
   * `accepts(slots, grads)`.
   */
  reduce(slots: FloatArray, shards: number, grads: FloatArray, lo: number, hi: number, invBatch: number, stride = grads.length): number {
    this.check('reduce', slots, grads);
    checkRange('reduce', grads, lo, hi);
    if (!(Number.isInteger(shards) && shards >= 1 && Number.isInteger(stride) && stride >= 0 && (shards - 1) * stride + hi <= slots.length)) {
      throw new RangeError(`reduce: ${shards} slots ${stride} apart, read up to ${hi}, do not fit in ${slots.length} elements`);
    }
    const f = grads instanceof Float32Array ? this.wasm.reduceF32 : this.wasm.reduceF64;
    return f(slots.byteOffset, shards, stride, grads.byteOffset, lo, hi, invBatch);
  }

  /** g[lo..hi) ← g · factor, as scaleRange (a factor of 1 leaves g untouched). */
  scale(g: FloatArray, lo: number, hi: number, factor: number): void {
    this.check('scale', g);
    checkRange('scale', g, lo, hi);
    if (factor === 1) return;
    (g instanceof Float32Array ? this.wasm.scaleF32 : this.wasm.scaleF64)(g.byteOffset, lo, hi, factor);
  }

  /**
   * Adam over [lo, hi) (adamRange); `vMax` non-null is amsgrad; `keep` ≠ 1 first decays the
   * parameters as AdamW does (p ← p·keep).
   */
  adam(
    p: FloatArray, g: FloatArray, m: FloatArray, v: FloatArray, vMax: FloatArray | null, lo: number, hi: number,
    h: AdamConstants, keep: number, stepSize: number, bc2Sqrt: number,
  ): void {
    for (const a of [g, m, v, vMax]) if (a && a.length !== p.length) throw new RangeError(`adam: arrays of ${a.length} and ${p.length} elements`);
    this.check('adam', p, g, m, v, vMax);
    checkRange('adam', p, lo, hi);
    const f = p instanceof Float32Array ? this.wasm.adamF32 : this.wasm.adamF64;
    f(p.byteOffset, g.byteOffset, m.byteOffset, v.byteOffset, vMax ? vMax.byteOffset : 0, lo, hi, h.beta1, h.beta2, h.eps, h.l2, keep, stepSize, bc2Sqrt);
  }

  /** SGD over [lo, hi); `buf` is the momentum buffer (null: no momentum); `first` on step 1. */
  sgd(p: FloatArray, g: FloatArray, buf: FloatArray | null, lo: number, hi: number, h: SgdConstants, lr: number, first: boolean): void {
    for (const a of [g, buf]) if (a && a.length !== p.length) throw new RangeError(`sgd: arrays of ${a.length} and ${p.length} elements`);
    this.check('sgd', p, g, buf);
    checkRange('sgd', p, lo, hi);
    if (h.momentum !== 0 && !buf) throw new RangeError('sgd: momentum needs a momentum buffer');
    const f = p instanceof Float32Array ? this.wasm.sgdF32 : this.wasm.sgdF64;
    f(p.byteOffset, g.byteOffset, h.momentum !== 0 ? buf!.byteOffset : 0, lo, hi, lr, h.momentum, h.dampening, h.weightDecay, h.nesterov ? 1 : 0, first ? 1 : 0);
  }
}
