/**
 * The batch weight-gradient kernels (weightGradRows, biasGradRange): WASM against the reference,
 * computed by ranges against one call over everything, and the reference against the layer
 * contract's denseBackwardWeights from zero.
 */
import test from 'ava';
import { WasmArena } from '../../src/kernels/arena.js';
import * as reference from '../../src/kernels/reference.js';
import { WasmKernels } from '../../src/kernels/wasm-kernels.js';
import { gemmVariantAvailable, type GemmVariant } from '../../src/kernels/wasm-module.js';
import { DTYPES, allocate, type DType, type FloatArray } from '../../src/tensor/dtype.js';
import { SHAPES, abs, fillInt, fillReal, rng, worstRatio } from './util.js';

type Fill = (a: FloatArray, next: () => number) => FloatArray;

/** Three uneven ranges covering [0, n): the way the runtime cuts rows or columns into chunks. */
function ranges(n: number): Array<[number, number]> {
  const a = Math.floor(n / 3), b = Math.floor((2 * n) / 3) + (n > 4 ? 1 : 0);
  return [[0, a], [a, Math.min(b, n)], [Math.min(b, n), n]];
}

function check(t: import('ava').ExecutionContext, variant: GemmVariant, dtype: DType, fill: Fill, exact: boolean): void {
  const next = rng(21);
  for (const [m, k, n] of SHAPES) {
    const x = fill(allocate(dtype, m * k), next), dy = fill(allocate(dtype, m * n), next);
    const arena = WasmArena.create(WasmArena.bytesFor([m * k, m * n, k * n, n].map((length) => ({ dtype, length }))));
    const kernels = new WasmKernels(arena, variant);
    const [ax, ady, adw, adb] = [m * k, m * n, k * n, n].map((len) => arena.alloc(dtype, len));
    ax.set(x);
    ady.set(dy);
    adw.fill(7); // garbage: every row must be overwritten by its range
    adb.fill(7);
    for (const [k0, k1] of ranges(k)) kernels.weightGradRows(ax, ady, adw, m, k, n, k0, k1);
    for (const [c0, c1] of ranges(n)) kernels.biasGradRange(ady, adb, m, n, c0, c1);
    const dw = allocate(dtype, k * n).fill(7), db = allocate(dtype, n).fill(7);
    reference.weightGradRows(x, dy, dw, m, k, n, 0, k);
    reference.biasGradRange(dy, db, m, n, 0, n);
    const label = `${m}×${k}×${n} ${dtype}`;
    if (exact) {
      t.deepEqual(adw, dw, `dW ${label}`);
      t.deepEqual(adb, db, `db ${label}`);
    } else {
      const mag = allocate(dtype, k * n), magB = allocate(dtype, n);
      reference.weightGradRows(abs(x), abs(dy), mag, m, k, n, 0, k);
      reference.biasGradRange(abs(dy), magB, m, n, 0, n);
      t.true(worstRatio(adw, dw, mag, m, dtype) <= 1, `dW ${label}`);
      t.true(worstRatio(adb, db, magB, m, dtype) <= 1, `db ${label}`);
    }
  }
}

for (const variant of ['simd', 'relaxed-simd'] as const) {
  const maybe = gemmVariantAvailable(variant) ? test : test.skip;
  for (const dtype of DTYPES) {
    const v = `${variant}, ${dtype}`;
    maybe(`weight rows and bias ranges, computed by ranges, equal the reference exactly on small integers (${v})`, (t) => check(t, variant, dtype, fillInt, true));
    maybe(`weight rows and bias ranges are within the rounding bound on real inputs (${v})`, (t) => check(t, variant, dtype, fillReal, false));
  }
}

test('the reference by ranges is the layer contract\'s dW and db started from zero, bit for bit', (t) => {
  const next = rng(22);
  for (const dtype of DTYPES) {
    for (const [m, k, n] of [[5, 7, 3], [33, 20, 9], [64, 12, 40]] as const) {
      const x = fillReal(allocate(dtype, m * k), next), dy = fillReal(allocate(dtype, m * n), next);
      const dw = allocate(dtype, k * n), db = allocate(dtype, n);
      reference.denseBackwardWeights(x, dy, dw, db, m, k, n);
      const rw = allocate(dtype, k * n).fill(3), rb = allocate(dtype, n).fill(3);
      for (const [k0, k1] of ranges(k)) reference.weightGradRows(x, dy, rw, m, k, n, k0, k1);
      for (const [c0, c1] of ranges(n)) reference.biasGradRange(dy, rb, m, n, c0, c1);
      t.deepEqual(rw, dw, `dW ${m}×${k}×${n} ${dtype}`);
      t.deepEqual(rb, db, `db ${m}×${k}×${n} ${dtype}`);
    }
  }
});

test('a range outside the matrix is refused with the range and the size (WASM and reference)', (t) => {
  const arena = WasmArena.create(1 << 20);
  const kernels = new WasmKernels(arena);
  const a = arena.alloc('float32', 64);
  t.throws(() => kernels.weightGradRows(a, a, a, 2, 4, 4, 2, 5), { instanceOf: RangeError, message: /rows \[2, 5\) are not within \[0, 4\]/ });
  t.throws(() => kernels.biasGradRange(a, a, 2, 4, 3, 2), { instanceOf: RangeError, message: /columns \[3, 2\) are not within \[0, 4\]/ });
  const heap = new Float64Array(64);
  t.throws(() => reference.weightGradRows(heap, heap, heap, 2, 4, 4, -1, 2), { instanceOf: RangeError, message: /rows \[-1, 2\) are not within \[0, 4\]/ });
  t.throws(() => reference.biasGradRange(heap, heap, 2, 4, 0, 5), { instanceOf: RangeError, message: /columns \[0, 5\) are not within \[0, 4\]/ });
});
