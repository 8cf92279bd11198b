/**
 * The WASM SIMD backend of the `Kernels` contract (assembly/gemm.ts). It runs in place on arrays
 * that are views of its arena's shared memory (the pointer is the view's byteOffset) and hands
 * anything else, or mixed dtypes, to the reference kernels, so a layer never needs to know where
 * its arrays live.
 *
 * "A view of its arena" means a view of this thread's `arena.buffer`, i.e. made by `arena.alloc` or
 * `arena.view` in this thread: a typed array posted from another thread wraps a different
 * SharedArrayBuffer object and would silently take the (slow, correct) reference path. Pass byte
 * offsets between threads and re-make views with `arena.view`.
 *
 * Make one per thread: each instance has its own WebAssembly.Instance on the shared memory and
 * its own packing scratch in the arena (allocated once, here), because several threads run kernels
 * on the same memory at once. Calls allocate nothing; they only check shapes, since the WASM side
 * would otherwise write past a short array into its neighbours in the arena.
 */
import type { FloatArray } from '../tensor/dtype.js';
import { checkOneOf, checkSubrange } from '../errors.js';
import type { Kernels } from './kernels.js';
import * as reference from './reference.js';
import { checkDims, checkForward, checkLength, FUSED_ACTIVATIONS, type FusedActivation } from './reference.js';
import type { WasmArena } from './arena.js';
import { SCRATCH_BYTES, bestGemmVariant, instantiateGemm, type GemmExports, type GemmVariant } from './wasm-module.js';

/** Activation codes of assembly/activation.ts. */
const ACT: Readonly<Record<FusedActivation, number>> = Object.freeze({ relu: 1, tanh: 2, sigmoid: 3 });

const NONE = 0;
const F32 = 1;
const F64 = 2;

export class WasmKernels implements Kernels {
  readonly name = 'wasm';
  readonly arena: WasmArena;
  /** Which build runs: `relaxed-simd` (fused multiply-add) where this Node supports it, else `simd`. */
  readonly variant: GemmVariant;
  /** Byte offset of this instance's packing scratch in the arena. */
  readonly scratch: number;
  private readonly wasm: GemmExports;
  private readonly buffer: ArrayBufferLike;

  constructor(arena: WasmArena, variant: GemmVariant = bestGemmVariant()) {
    this.arena = arena;
    this.variant = variant;
    this.buffer = arena.buffer;
    this.wasm = instantiateGemm(arena.memory, variant);
    const needed = this.wasm.SCRATCH_BYTES.value as number;
    if (needed > SCRATCH_BYTES) throw new Error(`gemm.wasm needs ${needed} bytes of scratch, more than the ${SCRATCH_BYTES} reserved; rebuild`);
    this.scratch = arena.allocBytes(SCRATCH_BYTES);
  }

  /** F32 or F64 when every array is in this arena and of one dtype, else NONE (use the reference). */
  private route(a: FloatArray, b: FloatArray, c: FloatArray, d: FloatArray | null): number {
    const buf = this.buffer;
    if (a.buffer !== buf || b.buffer !== buf || c.buffer !== buf || (d !== null && d.buffer !== buf)) return NONE;
    if (a instanceof Float32Array) {
      return b instanceof Float32Array && c instanceof Float32Array && (d === null || d instanceof Float32Array) ? F32 : NONE;
    }
    return b instanceof Float64Array && c instanceof Float64Array && (d === null || d instanceof Float64Array) ? F64 : NONE;
  }

  denseForward(x: FloatArray, w: FloatArray, b: FloatArray | null, y: FloatArray, m: number, k: number, n: number): void {
    checkForward(x, w, b, y, m, k, n);
    if (m === 0 || n === 0) return; // nothing to write (and no reduction loop to run over k)
    const kind = this.route(x, w, y, b);
    if (kind === NONE) return reference.denseForward(x, w, b, y, m, k, n);
    this.forward(kind, x, w, b, y, m, k, n, 0);
  }

  denseForwardActivation(
    x: FloatArray, w: FloatArray, b: FloatArray | null, y: FloatArray, m: number, k: number, n: number, activation: FusedActivation,
  ): void {
    const act = ACT[checkOneOf('activation', activation, FUSED_ACTIVATIONS)];
    checkForward(x, w, b, y, m, k, n);
    if (m === 0 || n === 0) return;
    const kind = this.route(x, w, y, b);
    if (kind === NONE) return reference.denseForwardActivation(x, w, b, y, m, k, n, activation);
    this.forward(kind, x, w, b, y, m, k, n, act);
  }

  private forward(kind: number, x: FloatArray, w: FloatArray, b: FloatArray | null, y: FloatArray, m: number, k: number, n: number, act: number): void {
    const pb = b === null ? 0 : b.byteOffset;
    if (kind === F32) this.wasm.forwardF32(x.byteOffset, w.byteOffset, pb, y.byteOffset, m, k, n, this.scratch, act);
    else this.wasm.forwardF64(x.byteOffset, w.byteOffset, pb, y.byteOffset, m, k, n, this.scratch, act);
  }

  denseBackwardWeights(x: FloatArray, dy: FloatArray, dw: FloatArray, db: FloatArray | null, m: number, k: number, n: number): void {
    checkDims(m, k, n);
    checkLength('denseBackwardWeights x', x, m, k);
    checkLength('denseBackwardWeights dy', dy, m, n);
    checkLength('denseBackwardWeights dw', dw, k, n);
    if (db !== null) checkLength('denseBackwardWeights db', db, 1, n);
    if (m === 0 || n === 0) return; // nothing to add
    const kind = this.route(x, dy, dw, db);
    if (kind === NONE) return reference.denseBackwardWeights(x, dy, dw, db, m, k, n);
    const pdb = db === null ? 0 : db.byteOffset;
    if (kind === F32) this.wasm.backwardWeightsF32(x.byteOffset, dy.byteOffset, dw.byteOffset, pdb, m, k, n, this.scratch);
    else this.wasm.backwardWeightsF64(x.byteOffset, dy.byteOffset, dw.byteOffset, pdb, m, k, n, this.scratch);
  }

  denseBackwardInput(dy: FloatArray, w: FloatArray, dx: FloatArray, m: number, k: number, n: number): void {
    checkDims(m, k, n);
    checkLength('denseBackwardInput dy', dy, m, n);
    checkLength('denseBackwardInput w', w, k, n);
    checkLength('denseBackwardInput dx', dx, m, k);
    if (m === 0 || k === 0) return; // nothing to write
    const kind = this.route(dy, w, dx, null);
    if (kind === NONE) return reference.denseBackwardInput(dy, w, dx, m, k, n);
    if (kind === F32) this.wasm.backwardInputF32(dy.byteOffset, w.byteOffset, dx.byteOffset, m, k, n, this.scratch);
    else this.wasm.backwardInputF64(dy.byteOffset, w.byteOffset, dx.byteOffset, m, k, n, this.scratch);
  }

  weightGradRows(x: FloatArray, dy: FloatArray, dw: FloatArray, m: number, k: number, n: number, k0: number, k1: number): void {
    checkDims(m, k, n);
    checkLength('weightGradRows x', x, m, k);
    checkLength('weightGradRows dy', dy, m, n);
    checkLength('weightGradRows dw', dw, k, n);
    checkSubrange('weightGradRows: rows', k0, k1, k);
    const kind = this.route(x, dy, dw, null);
    if (kind === NONE) return reference.weightGradRows(x, dy, dw, m, k, n, k0, k1);
    if (kind === F32) this.wasm.weightRowsF32(x.byteOffset, dy.byteOffset, dw.byteOffset, m, k, n, k0, k1, this.scratch);
    else this.wasm.weightRowsF64(x.byteOffset, dy.byteOffset, dw.byteOffset, m, k, n, k0, k1, this.scratch);
  }

  biasGradRange(dy: FloatArray, db: FloatArray, m: number, n: number, c0: number, c1: number): void {
    checkDims(m, 1, n);
    checkLength('biasGradRange dy', dy, m, n);
    checkLength('biasGradRange db', db, 1, n);
    checkSubrange('biasGradRange: columns', c0, c1, n);
    const kind = this.route(dy, db, db, null);
    if (kind === NONE) return reference.biasGradRange(dy, db, m, n, c0, c1);
    if (kind === F32) this.wasm.columnSumsF32(dy.byteOffset, db.byteOffset, m, n, c0, c1);
    else this.wasm.columnSumsF64(dy.byteOffset, db.byteOffset, m, n, c0, c1);
  }
}

