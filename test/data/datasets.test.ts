import test from 'ava';
import { additionTables, irisTable, spiralTable, xorTable } from '../../src/data/builtin.js';
import { loadData } from '../../src/data/load.js';
import { splitIndices } from '../../src/data/split.js';
import { fingerprint } from '../../src/data/table.js';

test('xor: four points, a 0/1 target, its test set is the same four points', (t) => {
  const d = loadData('xor');
  t.is(d.train.task, 'binary');
  t.deepEqual(Array.from(d.train.x), [0, 0, 0, 1, 1, 0, 1, 1]);
  t.deepEqual(Array.from(d.train.targets!), [0, 1, 1, 0]);
  t.is(d.test, d.train);
  t.deepEqual(xorTable(), d.train);
  t.throws(() => loadData('xor', { testSplit: 0.5 }), { message: /xor has a fixed test set/ });
});

test('addition: the tutorial\'s four sums, target x1 + x2; its test set the three queries', (t) => {
  const { train, test: held } = additionTables();
  t.deepEqual(Array.from(train.x), [2, 3, 1, 4, 3, 2, 0, 5]);
  t.deepEqual(Array.from(train.targets!), [5, 5, 5, 5]);
  t.deepEqual(Array.from(held.targets!), [10, 10, 10]);
  t.is(train.task, 'regression');
});

test('iris: 150 flowers, 4 features, 3 classes of 50; a 20% split takes 10 of each', (t) => {
  const iris = irisTable();
  t.is(iris.rows, 150);
  t.is(iris.featureNames.length, 4);
  t.deepEqual([0, 1, 2].map((c) => iris.labels!.filter((l) => l === c).length), [50, 50, 50]);
  const d = loadData('iris');
  t.is(d.test!.rows, 30);
  t.deepEqual([0, 1, 2].map((c) => d.test!.labels!.filter((l) => l === c).length), [10, 10, 10]);
});

test('spiral: seeded, 3 arms of 100 points, radius within 1', (t) => {
  const a = spiralTable();
  t.is(a.rows, 300);
  t.is(a.classes, 3);
  t.is(fingerprint(a), fingerprint(spiralTable()), 'the same seed gives the same points');
  t.not(fingerprint(a), fingerprint(spiralTable({ seed: 1 })));
  for (let r = 0; r < a.rows; r++) t.true(Math.hypot(a.x[2 * r], a.x[2 * r + 1]) <= 1 + 1e-12);
});

test('mnist: 10,000 digits of 784 pixels in [0, 1]; the default split is 8,000 / 2,000, stratified and fixed', (t) => {
  const d = loadData('mnist');
  t.is(d.train.rows, 8000);
  t.is(d.test!.rows, 2000);
  t.is(d.train.featureNames.length, 784);
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of d.train.x) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  t.true(lo >= 0 && hi <= 1 && hi > 0.9);
  const all = new Array<number>(10).fill(0);
  const held = new Array<number>(10).fill(0);
  d.train.labels!.forEach((l) => all[l]++);
  d.test!.labels!.forEach((l) => {
    all[l]++;
    held[l]++;
  });
  // Every digit gives 20% of its images (to the nearest image) to the test set.
  all.forEach((count, digit) => t.true(Math.abs(held[digit] - count * 0.2) < 1, `digit ${digit}: ${held[digit]} of ${count}`));
  t.is(fingerprint(loadData('mnist').test!), fingerprint(d.test!), 'the split does not change between runs');
  const other = loadData('mnist', { testSplit: 0.1 });
  t.is(other.test!.rows, 1000);
});

test('splitIndices: exact test size, stratified by largest remainder, disjoint and complete, seeded', (t) => {
  const labels = Int32Array.from([0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 2]);
  const s = splitIndices(labels.length, 0.3, 5, labels);
  t.is(s.test.length, 3); // round(11 · 0.3)
  t.deepEqual([...s.train, ...s.test].sort((a, b) => a - b), Array.from({ length: 11 }, (_, i) => i));
  // Quotas: 7·3/11 = 1.9, 3·3/11 = 0.8, 1·3/11 = 0.3 → floors 1, 0, 0, remainders give one each to classes 0 and 1.
  t.deepEqual([0, 1, 2].map((c) => Array.from(s.test).filter((i) => labels[i] === c).length), [2, 1, 0]);
  t.deepEqual(splitIndices(labels.length, 0.3, 5, labels), s);
  t.is(splitIndices(10, 0, 1).test.length, 0);
  t.throws(() => splitIndices(2, 0.9, 0), { message: /leaves no training data/ });
  t.throws(() => splitIndices(10, 1, 0), { message: /test split must be a number in \[0, 1\)/ });
});

test('splitIndices never takes a class\'s last training row: its share goes to a class with rows to spare', (t) => {
  // Five classes of one row and one of ten: 15 · 0.4 = 6 test rows; by remainder alone classes 0
  // and 1 (remainder 6/15 each, the ten-row class 0/15) would go to the test set only.
  const labels = Int32Array.from([0, 1, 2, 3, 4, ...Array(10).fill(5)]);
  const s = splitIndices(labels.length, 0.4, 3, labels);
  for (let c = 0; c <= 5; c++) t.true(Array.from(s.train).some((i) => labels[i] === c), `class ${c} has a training row`);
  t.is(s.test.length, 6);
  t.deepEqual([...s.train, ...s.test].sort((a, b) => a - b), Array.from({ length: 15 }, (_, i) => i));
  t.throws(() => splitIndices(5, 0.4, 3, Int32Array.from([0, 1, 2, 3, 4])), { message: /holds out round\(2\) = 2 rows, but the classes can spare only 0/ });
  t.throws(() => splitIndices(5, 0.6, 3, Int32Array.from([0, 0, 1, 2, 3])), { message: /holds out round\(3\) = 3 rows, but the classes can spare only 1 \(a class keeps its last row for training\)/ });
});
