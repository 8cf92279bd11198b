/**
 * A seeded train/test split. With class labels it is stratified: each class contributes its
 * share of the test set, so a 20% test set of MNIST holds about 20% of every digit. The test
 * set's size is round(n · fraction) exactly; the classes' quotas are apportioned by largest
 * remainder (ties to the lower class), but no class gives up its last training row (a split that
 * would need it is refused, as sklearn refuses it), and within a class the test rows are the first ones of
 * a seeded shuffle. Index lists come back sorted, so the split does not depend on anything
 * but (labels, fraction, seed).
 */
import { optionError } from '../errors.js';
import { Rng } from '../rng.js';

export interface Split {
  train: Int32Array;
  test: Int32Array;
}

/**
 * A test fraction that the row count cannot honour: it holds out no row (`testRows` 0, from
 * loadData: a test set was asked for), every row (no training data), or, stratified, more rows
 * than the classes can spare (`singleRowClasses`: a class keeps its last row for training;
 * `testRows` is then how many could be held out).
 */
export class SplitError extends RangeError {
  constructor(readonly rows: number, readonly fraction: number, readonly testRows: number, readonly singleRowClasses = false) {
    super(singleRowClasses
      ? `test split ${fraction} of ${rows} rows holds out round(${rows * fraction}) = ${Math.round(rows * fraction)} rows, but the classes can spare only ${testRows} (a class keeps its last row for training)`
      : testRows === 0
        ? `test split ${fraction} of ${rows} rows holds out round(${rows * fraction}) = 0 rows: there would be no test set`
        : `test split ${fraction} of ${rows} rows leaves no training data (${testRows} test rows)`);
    this.name = 'SplitError';
  }
}

/** Split rows 0..n-1; `labels` (length n) makes it stratified. */
export function splitIndices(n: number, fraction: number, seed: number, labels?: Int32Array): Split {
  if (typeof fraction !== 'number' || !(fraction >= 0 && fraction < 1)) throw optionError('test split', 'a number in [0, 1)', fraction);
  const total = Math.round(n * fraction);
  if (total === 0) return { train: Int32Array.from({ length: n }, (_, i) => i), test: new Int32Array(0) };
  if (total >= n) throw new SplitError(n, fraction, total);
  const rng = new Rng(seed);
  const groups = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const key = labels ? labels[i] : 0;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key)!.push(i);
  }
  const keys = [...groups.keys()].sort((a, b) => a - b);
  const quota = new Map<number, number>();
  let given = 0;
  for (const k of keys) {
    const q = Math.floor((groups.get(k)!.length * total) / n);
    quota.set(k, q);
    given += q;
  }
  const byRemainder = [...keys].sort((a, b) => {
    const ra = (groups.get(a)!.length * total) % n;
    const rb = (groups.get(b)!.length * total) % n;
    return rb - ra || a - b;
  });
  // The rows left over go one each to the classes with the largest remainders, never taking a
  // class's last training row (a class seen only in the test set could not be learned). If the
  // classes cannot spare enough rows, the split is refused (as sklearn refuses it).
  for (let pass = 0; given < total && pass < 2; pass++) {
    for (const k of byRemainder) {
      if (given === total) break;
      if (quota.get(k)! + 1 >= groups.get(k)!.length) continue;
      quota.set(k, quota.get(k)! + 1);
      given++;
    }
  }
  if (given < total) throw new SplitError(n, fraction, given, true);
  const test: number[] = [];
  const train: number[] = [];
  for (const k of keys) {
    const rows = rng.shuffle(groups.get(k)!);
    const q = quota.get(k)!;
    test.push(...rows.slice(0, q));
    train.push(...rows.slice(q));
  }
  return { train: Int32Array.from(train).sort(), test: Int32Array.from(test).sort() };
}
