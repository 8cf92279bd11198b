/**
 * The bench's gate: a kernel whose output is off by more than the rounding bound of a sum of
 * products is refused and not timed (bench/kernels-suite.ts). Importing the suite only registers it.
 */
import test from 'ava';
import { disagreement } from '../../bench/kernels-suite.js';
import { denseForward } from '../../src/kernels/reference.js';
import { Rng } from '../../src/rng.js';

function product(dtype: 'float32' | 'float64') {
  const rng = new Rng(4);
  const [m, k, n] = [7, 300, 5];
  const x = Float64Array.from({ length: m * k }, () => rng.normal());
  const w = Float64Array.from({ length: k * n }, () => rng.normal());
  const expected = new Float64Array(m * n);
  denseForward(x, w, null, expected, m, k, n);
  // Σ|x||w| per output: the scale of the rounding bound.
  const mag = new Float64Array(m * n);
  denseForward(x.map(Math.abs), w.map(Math.abs), null, mag, m, k, n);
  const got = dtype === 'float32' ? Float32Array.from(expected) : Float64Array.from(expected);
  return { got, expected, mag, k };
}

test('an output within rounding of the reference passes the gate', (t) => {
  for (const dtype of ['float32', 'float64'] as const) {
    const { got, expected, mag, k } = product(dtype);
    t.true(disagreement(got, expected, mag, k, dtype) <= 1, dtype);
  }
});

test('a wrong output, a NaN or a short output is refused', (t) => {
  const { got, expected, mag, k } = product('float32');
  const wrong = Float32Array.from(got);
  wrong[3] += 1e-2 * Math.abs(mag[3]);
  t.true(disagreement(wrong, expected, mag, k, 'float32') > 1);
  const nan = Float32Array.from(got);
  nan[0] = NaN;
  t.is(disagreement(nan, expected, mag, k, 'float32'), Infinity);
  t.is(disagreement(got.subarray(1), expected, mag, k, 'float32'), Infinity);
});
