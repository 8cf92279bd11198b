/** Gradient clipping: clip_grad_norm_ semantics (one norm over everything, the 1e-6) and clip by value. */
import test from 'ava';
import { CLIP_NORM_EPS, clipCoefficient, clipGradNorm, clipGradValue, scaleRange, sumOfSquares } from '../../src/optim/clip.js';

test('the global norm is over all gradients as if concatenated: ‖(3, 4, 12)‖ = 13', (t) => {
  const g = Float64Array.from([3, 4, 12]);
  t.is(clipGradNorm(g, 100), 13);
  t.deepEqual([...g], [3, 4, 12], 'a norm under maxNorm leaves the gradients alone');
});

test('clipping scales by maxNorm / (totalNorm + 1e-6) and returns the norm before clipping', (t) => {
  const g = Float64Array.from([3, 4, 12]);
  t.is(clipGradNorm(g, 6.5), 13);
  const coef = 6.5 / (13 + 1e-6); // 0.49999996153846450…, not exactly 0.5
  t.not(coef, 0.5);
  t.deepEqual([...g], [3 * coef, 4 * coef, 12 * coef]);
  t.true(Math.abs(Math.hypot(...g) - 6.5) < 1e-6);
});

test('the 1e-6: a norm just above maxNorm still clips, a norm equal to it clips by a hair', (t) => {
  t.is(CLIP_NORM_EPS, 1e-6);
  t.is(clipCoefficient(1, 1), 1 / (1 + 1e-6));
  t.is(clipCoefficient(1 - 2e-6, 1), 1, 'within 1e-6 below maxNorm nothing happens (coef ≥ 1)');
  t.is(clipCoefficient(0, 1), 1);
});

test('the split form: partial sums of squares per range, one coefficient, scaling per range', (t) => {
  const g = Float64Array.from({ length: 10 }, (_, i) => i - 4.5);
  const serial = g.slice();
  const norm = clipGradNorm(serial, 2);
  const partial = [[0, 3], [3, 7], [7, 10]].map(([s, e]) => sumOfSquares(g, s, e));
  const total = Math.sqrt(partial[0] + partial[1] + partial[2]);
  t.is(total, norm);
  const coef = clipCoefficient(total, 2);
  scaleRange(g, coef, 7, 10);
  scaleRange(g, coef, 0, 3);
  scaleRange(g, coef, 3, 7);
  t.deepEqual(g, serial);
});

test('a NaN gradient makes the coefficient NaN, as PyTorch (clamp keeps NaN)', (t) => {
  t.true(Number.isNaN(clipCoefficient(NaN, 1)));
});

test('clip by value clamps to [−c, c] and leaves the rest', (t) => {
  const g = Float64Array.from([-3, -0.5, 0, 0.5, 3]);
  clipGradValue(g, 1);
  t.deepEqual([...g], [-1, -0.5, 0, 0.5, 1]);
});

test('clip by value over a range touches only that range', (t) => {
  const g = Float64Array.from([-3, -3, 3, 3]);
  clipGradValue(g, 1, 1, 3);
  t.deepEqual([...g], [-3, -1, 1, 3]);
});

test('range arguments are checked', (t) => {
  t.throws(() => sumOfSquares(new Float64Array(3), 2, 4), { instanceOf: RangeError, message: 'sumOfSquares(2, 4): need integers with 0 <= start <= end <= 3' });
});
