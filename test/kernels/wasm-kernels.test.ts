import test from 'ava';
import { DTYPES, allocate, type DType, type FloatArray } from '../../src/tensor/dtype.js';
import * as reference from '../../src/kernels/reference.js';
import { WasmArena } from '../../src/kernels/arena.js';
import { WasmKernels } from '../../src/kernels/wasm-kernels.js';
import { SCRATCH_BYTES, gemmVariantAvailable, type GemmVariant } from '../../src/kernels/wasm-module.js';
import { SHAPES, abs, fillInt, fillReal, rng, worstRatio } from './util.js';

type Fill = (a: FloatArray, next: () => number) => FloatArray;

/** Arena copies of the given heap arrays, in a fresh arena with room for them and one scratch. */
function inArena(variant: GemmVariant, dtype: DType, arrays: FloatArray[]): { kernels: WasmKernels; views: FloatArray[] } {
  const arena = WasmArena.create(WasmArena.bytesFor(arrays.map((a) => ({ dtype, length: a.length }))));
  const kernels = new WasmKernels(arena, variant);
  const views = arrays.map((a) => {
    const v = arena.alloc(dtype, a.length);
    v.set(a);
    return v;
  });
  return { kernels, views };
}

function heap(dtype: DType, length: number, fill: Fill, next: () => number): FloatArray {
  return fill(allocate(dtype, length), next);
}

function checkForward(t: import('ava').ExecutionContext, variant: GemmVariant, dtype: DType, fill: Fill, exact: boolean): void {
  const next = rng(11);
  for (const [m, k, n] of SHAPES) {
    for (const withBias of [true, false]) {
      const x = heap(dtype, m * k, fill, next), w = heap(dtype, k * n, fill, next);
      const b = withBias ? heap(dtype, n, fill, next) : null;
      const y = heap(dtype, m * n, fill, next); // garbage: forward must overwrite it
      const { kernels, views } = inArena(variant, dtype, b ? [x, w, y, b] : [x, w, y]);
      kernels.denseForward(views[0], views[1], b ? views[3] : null, views[2], m, k, n);
      reference.denseForward(x, w, b, y, m, k, n);
      const label = `forward ${m}×${k}×${n} ${dtype} bias=${withBias}`;
      if (exact) t.deepEqual(views[2], y, label);
      else {
        const mag = allocate(dtype, m * n);
        reference.denseForward(abs(x), abs(w), b && abs(b), mag, m, k, n);
        t.true(worstRatio(views[2], y, mag, k + 1, dtype) <= 1, label);
      }
    }
  }
}

function checkWeights(t: import('ava').ExecutionContext, variant: GemmVariant, dtype: DType, fill: Fill, exact: boolean): void {
  const next = rng(12);
  for (const [m, k, n] of SHAPES) {
    for (const withBias of [true, false]) {
      const x = heap(dtype, m * k, fill, next), dy = heap(dtype, m * n, fill, next);
      const dw = heap(dtype, k * n, fill, next); // nonzero: the kernel must add to it
      const db = withBias ? heap(dtype, n, fill, next) : null;
      const dw0 = dw.slice(), db0 = db?.slice() ?? null;
      const { kernels, views } = inArena(variant, dtype, db ? [x, dy, dw, db] : [x, dy, dw]);
      // Twice: accumulation over two calls, as over two micro-batches.
      for (let r = 0; r < 2; r++) {
        kernels.denseBackwardWeights(views[0], views[1], views[2], db ? views[3] : null, m, k, n);
        reference.denseBackwardWeights(x, dy, dw, db, m, k, n);
      }
      const label = `dW ${m}×${k}×${n} ${dtype} bias=${withBias}`;
      if (exact) {
        t.deepEqual(views[2], dw, label);
        if (db) t.deepEqual(views[3], db, `${label} db`);
      } else {
        const mag = abs(dw0), magB = db0 && abs(db0);
        for (let r = 0; r < 2; r++) reference.denseBackwardWeights(abs(x), abs(dy), mag, magB, m, k, n);
        t.true(worstRatio(views[2], dw, mag, 2 * m + 1, dtype) <= 1, label);
        if (db && magB) t.true(worstRatio(views[3], db, magB, 2 * m + 1, dtype) <= 1, `${label} db`);
      }
    }
  }
}

function checkInput(t: import('ava').ExecutionContext, variant: GemmVariant, dtype: DType, fill: Fill, exact: boolean): void {
  const next = rng(13);
  for (const [m, k, n] of SHAPES) {
    const dy = heap(dtype, m * n, fill, next), w = heap(dtype, k * n, fill, next);
    const dx = heap(dtype, m * k, fill, next); // garbage: dX is overwritten, not accumulated
    const { kernels, views } = inArena(variant, dtype, [dy, w, dx]);
    kernels.denseBackwardInput(views[0], views[1], views[2], m, k, n);
    reference.denseBackwardInput(dy, w, dx, m, k, n);
    const label = `dX ${m}×${k}×${n} ${dtype}`;
    if (exact) t.deepEqual(views[2], dx, label);
    else {
      const mag = allocate(dtype, m * k);
      reference.denseBackwardInput(abs(dy), abs(w), mag, m, k, n);
      t.true(worstRatio(views[2], dx, mag, n, dtype) <= 1, label);
    }
  }
}

// Both builds are checked; one this Node cannot compile (relaxed SIMD on Node 20 without
// --experimental-wasm-relaxed-simd) shows as skipped.
for (const variant of ['simd', 'relaxed-simd'] as const) {
  const maybe = gemmVariantAvailable(variant) ? test : test.skip;
  for (const dtype of DTYPES) {
    const v = `${variant}, ${dtype}`;
    maybe(`forward equals the reference exactly on small integers (${v})`, (t) => checkForward(t, variant, dtype, fillInt, true));
    maybe(`forward is within the rounding bound on real inputs (${v})`, (t) => checkForward(t, variant, dtype, fillReal, false));
    maybe(`dW and db accumulate exactly like the reference on small integers (${v})`, (t) => checkWeights(t, variant, dtype, fillInt, true));
    maybe(`dW and db are within the rounding bound on real inputs (${v})`, (t) => checkWeights(t, variant, dtype, fillReal, false));
    maybe(`dX equals the reference exactly on small integers (${v})`, (t) => checkInput(t, variant, dtype, fillInt, true));
    maybe(`dX is within the rounding bound on real inputs (${v})`, (t) => checkInput(t, variant, dtype, fillReal, false));
  }
}

// The claim the parallel runtime's float64 parity rests on: the default build performs the
// reference's operations in its order, so on real inputs (not only small integers, where any
// order agrees) the bits are the same.
test('float64 on real inputs, the simd build: forward, dW, db and dX bit for bit equal to the reference', (t) => {
  checkForward(t, 'simd', 'float64', fillReal, true);
  checkWeights(t, 'simd', 'float64', fillReal, true);
  checkInput(t, 'simd', 'float64', fillReal, true);
});

test('an empty output returns at once, whatever the reduction length (k near 2^31 wrapped an i32 loop counter)', (t) => {
  const { kernels, views } = inArena('simd', 'float32', [new Float32Array(4).fill(7)]);
  const e = views[0].subarray(0, 0);
  kernels.denseForward(e, e, null, e, 0, 2 ** 31 - 1, 0);
  kernels.denseForwardActivation(e, e, null, e, 0, 2 ** 31 - 1, 0, 'relu');
  kernels.denseBackwardWeights(e, e, e, null, 2 ** 31 - 1, 0, 0);
  kernels.denseBackwardInput(e, e, e, 0, 0, 2 ** 31 - 1);
  t.deepEqual([...views[0]], [7, 7, 7, 7], 'returned, and wrote nothing');
});

test('the reference kernels check shapes as the WASM ones do (a heap array takes the reference path)', (t) => {
  const k = inArena('simd', 'float64', [new Float64Array(1)]).kernels;
  t.throws(() => k.denseForward(new Float64Array(6), new Float64Array(12), null, new Float64Array(7), 2, 3, 4), { message: /denseForward y: expected shape 2×4 \(8 elements\), got 7 elements/ });
  t.throws(() => reference.denseBackwardInput(new Float64Array(8), new Float64Array(12), new Float64Array(6), 2, 3, 4.5), { message: /n must be a non-negative integer, got 4\.5/ });
  t.throws(() => reference.denseBackwardWeights(new Float64Array(5), new Float64Array(8), new Float64Array(12), null, 2, 3, 4), { message: /denseBackwardWeights x: expected shape 2×3 \(6 elements\), got 5 elements/ });
});

test('an empty reduction gives the bias (forward), leaves dW alone, and zeroes dX', (t) => {
  const arena = WasmArena.create(SCRATCH_BYTES + (1 << 16));
  const kernels = new WasmKernels(arena);
  const x = arena.alloc('float32', 0), w = arena.alloc('float32', 0);
  const b = arena.alloc('float32', 3), y = arena.alloc('float32', 6);
  b.set([1, 2, 3]);
  y.fill(9);
  kernels.denseForward(x, w, b, y, 2, 0, 3);
  t.deepEqual([...y], [1, 2, 3, 1, 2, 3]);
  const dy = arena.alloc('float32', 6), dw = arena.alloc('float32', 0);
  dy.fill(1);
  const dx = arena.alloc('float32', 4);
  dx.fill(9);
  kernels.denseBackwardInput(arena.alloc('float32', 0), arena.alloc('float32', 0), dx, 4, 1, 0);
  t.deepEqual([...dx], [0, 0, 0, 0]);
  kernels.denseBackwardWeights(x, dy, dw, b, 2, 0, 3);
  t.deepEqual([...b], [3, 4, 5]);
});
