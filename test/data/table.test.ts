/**
 * Standardization (src/data/table.ts): the training rows' mean and population std per column,
 * without overflow for values near the float64 limit, and exactly the plain formula otherwise.
 */
import test from 'ava';
import { asBinary, standardization, standardize, type Table } from '../../src/data/table.js';

const table = (rows: number[][]): Table => ({
  name: 't', task: 'regression', featureNames: rows[0].map((_, j) => `f${j}`), x: Float64Array.from(rows.flat()), rows: rows.length, targets: new Float64Array(rows.length),
});

test('ordinary columns: the plain mean and population std, bit for bit; a constant column gets std 1', (t) => {
  const rows = [[1.5, 7, 0.1], [2.25, 7, -0.3], [-4, 7, 0.7], [3.1, 7, 0.2]];
  const { mean, std } = standardization(table(rows));
  for (let j = 0; j < 3; j++) {
    const col = rows.map((r) => r[j]);
    const m = col.reduce((a, b) => a + b, 0) / col.length;
    const s = Math.sqrt(col.reduce((a, b) => a + (b - m) * (b - m), 0) / col.length) || 1;
    t.is(mean[j], m, `mean ${j}`);
    t.is(std[j], s, `std ${j}`);
  }
});

test('values near the float64 limit standardize to finite values, not to 0 or NaN', (t) => {
  const big = table([[1e200], [3e200], [1e306], [-1e306], [1.7e308], [1.7e308]]);
  const s = standardization(big);
  t.true(Number.isFinite(s.mean[0]) && Number.isFinite(s.std[0]) && s.std[0] > 0, JSON.stringify(s));
  const z = standardize(big, s).x;
  t.true(z.every(Number.isFinite));
  t.true(Math.abs(z.reduce((a, b) => a + b, 0) / z.length) < 1e-12, 'mean 0');
  const pair = standardize(table([[1e200], [3e200]]), standardization(table([[1e200], [3e200]]))).x;
  t.deepEqual(Array.from(pair), [-1, 1]);
});

test('a constant column maps to exactly 0, whatever its value: the summed mean is not trusted to cancel', (t) => {
  for (const value of [0.3, 123.456, 1e-300, -7]) {
    const rows = Array.from({ length: 20 }, (_, i) => [i, value]);
    const s = standardization(table(rows));
    t.is(s.mean[1], value);
    t.is(s.std[1], 1);
    t.true(standardize(table(rows), s).x.every((v, i) => i % 2 === 0 || v === 0), `${value}`);
    const unseen = standardize(table([[0, value * (1 + 1e-7)]]), s).x[1];
    t.true(Math.abs(unseen) <= Math.abs(value) * 2e-7, `a value 1e-7 off maps near 0, not to ${unseen}`);
  }
});

test('asBinary: two-class labels become one 0/1 target (class 1 is 1); other tables are refused', (t) => {
  const two: Table = { name: 'two', task: 'classification', featureNames: ['a'], x: Float64Array.from([1, 2, 3]), rows: 3, labels: Int32Array.from([1, 0, 1]), classes: 2 };
  const b = asBinary(two);
  t.is(b.task, 'binary');
  t.deepEqual(Array.from(b.targets!), [1, 0, 1]);
  t.is(b.labels, undefined);
  t.is(b.classes, undefined);
  t.is(b.x, two.x);
  t.is(two.task, 'classification', 'the table itself is left as it was');
  t.throws(() => asBinary({ ...two, classes: 3 }), { message: 'two: only 2-class labels become a 0/1 target, this table has 3 classes' });
  t.throws(() => asBinary(b), { message: 'two: only 2-class labels become a 0/1 target, this table has a binary task' });
});
