import test from 'ava';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import { csvTable } from '../../src/data/csvTable.js';
import { loadData } from '../../src/data/load.js';
import { DataError } from '../../src/errors.js';
import { SplitError } from '../../src/data/split.js';

const dir = mkdtempSync(join(tmpdir(), 'gradpool-csvtask-'));
let n = 0;
function file(text: string): string {
  const f = join(dir, `t${n++}.csv`);
  writeFileSync(f, text);
  return f;
}
const csv = (labels: number[]) => file(`a,label\n${labels.map((v, i) => `${i},${v}`).join('\n')}\n`);

test('integer labels that do not start at 0 are refused, naming the file, the column and the missing class', (t) => {
  const f = csv([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  t.throws(() => csvTable(f), {
    message: `${f}: column "label" holds integer labels 1..10, taken as classes 0..10, but class 0 never occurs: a classifier would have 11 outputs and 1 empty class; relabel them 0..9, or use --task regression if they are numbers to predict rather than classes`,
  });
  const reg = csvTable(f, { task: 'regression' });
  t.is(reg.task, 'regression');
  t.deepEqual(Array.from(reg.targets!), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  t.throws(() => csvTable(f, { task: 'classification' }), { message: /class 0 never occurs: .*; relabel them 0\.\.9$/ });
});

test('integer labels that skip classes are refused, naming them', (t) => {
  const f = csv([0, 2, 0, 2]);
  t.throws(() => csvTable(f), { message: /column "label" holds integer labels 0\.\.2, taken as classes 0\.\.2, but class 1 never occurs/ });
  const g = csv([0, 3, 5, 0]);
  t.throws(() => csvTable(g), { message: /but classes 1, 2, 4 never occur: a classifier would have 6 outputs and 3 empty classes; relabel them 0\.\.2/ });
});

test('a single class is refused (a classifier needs 2) unless --task regression', (t) => {
  const zeros = csv([0, 0, 0]);
  t.throws(() => csvTable(zeros), { message: `${zeros}: column "label" has a single class (every label is 0); a classifier needs at least 2 classes: add rows of another class, or use --task regression if they are numbers to predict rather than classes` });
  t.throws(() => csvTable(csv([4, 4])), { message: /has a single class \(every label is 4\)/ });
  t.throws(() => csvTable(zeros, { task: 'classification' }), { message: /a classifier needs at least 2 classes: add rows of another class$/ });
  t.is(csvTable(zeros, { task: 'regression' }).task, 'regression');
});

test('labels 0..K-1 still classify; negative or fractional labels are regression', (t) => {
  const c = csvTable(csv([2, 0, 1, 1]));
  t.is(c.task, 'classification');
  t.is(c.classes, 3);
  t.is(csvTable(csv([-1, 1])).task, 'regression');
  t.is(csvTable(csv([0.5, 2])).task, 'regression');
});

test('a split that would hold out no row is refused rather than giving no test set', (t) => {
  const two = csv([0, 1]);
  const e = t.throws(() => loadData(`csv:${two}`), { instanceOf: SplitError });
  t.is(e?.rows, 2);
  t.is(e?.testRows, 0);
  t.is(loadData(`csv:${two}`, { testSplit: 0 }).test, null, '--test-split 0 asks for no test set');
  const single = t.throws(() => loadData(`csv:${two}`, { testSplit: 0.25 }), { instanceOf: SplitError, message: /the classes can spare only 0/ });
  t.true(single?.singleRowClasses, 'a class of one row stays in training (stratified)');
  t.is(loadData(`csv:${csv([0, 1, 1])}`, { testSplit: 0.25 }).test?.rows, 1, 'a class with a row to spare gives it');
});

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { write: (s: string) => (out += s) } as never, { write: (s: string) => (err += s) } as never);
  return { code, out, err };
}

test('train: too few rows for --test-split is a usage error naming the flag and the row count', async (t) => {
  const two = csv([0, 1]);
  const r = await run(['train', '--dataset', `csv:${two}`, '--epochs', '1']);
  t.is(r.code, 2);
  t.is(r.err.split('\n')[0], `gradpool train: --test-split 0.2 of the 2 rows of csv:${two} holds out round(2 × 0.2) = 0 rows, so there would be no test set; give --test-split 0.25 or more to hold out a row, or --test-split 0 to train without one`);
  const all = await run(['train', '--dataset', `csv:${two}`, '--test-split', '0.9', '--epochs', '1']);
  t.is(all.code, 2);
  t.regex(all.err, /--test-split 0\.9 of the 2 rows of csv:.* holds out 2, leaving no rows to train on; give a smaller --test-split/);
  const single = await run(['train', '--dataset', `csv:${two}`, '--test-split', '0.25', '--epochs', '1']);
  t.is(single.code, 2);
  t.regex(single.err, /--test-split 0\.25 of the 2 rows of csv:.* holds out 1, but no class has a row to spare \(each keeps its last row for training\); give a smaller --test-split, or --test-split 0 to train without a test set/);
  t.is((await run(['train', '--dataset', `csv:${two}`, '--test-split', '0', '--epochs', '1', '--threads', '1', '--quiet'])).code, 0);
});

test('train: a CSV with labels 1..10 fails with exit 1, naming the file and suggesting --task regression', async (t) => {
  const f = csv([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  const r = await run(['train', '--dataset', `csv:${f}`, '--epochs', '1']);
  t.is(r.code, 1);
  t.regex(r.err, /column "label" holds integer labels 1\.\.10.*class 0 never occurs.*--task regression/);
  t.is((await run(['train', '--dataset', `csv:${f}`, '--task', 'regression', '--epochs', '1', '--threads', '1', '--quiet'])).code, 0);
});

test('integer labels in the billions (an ID or timestamp column) are refused at once, not by building a class per value', (t) => {
  const f = file('a,id\n1,1700000000\n2,1700000001\n3,3\n');
  t.throws(() => csvTable(f), { message: /column "id" holds integer labels 3\.\.1700000001, .*classes 0, 1, 2, 4, 5, … never occur: a classifier would have 1700000002 outputs and 1699999999 empty classes/ });
});

test('a value that fits a double but not float32 is refused with its file line and column name; float64 or --standardize take it', async (t) => {
  const { toDataset } = await import('../../src/data/table.js');
  const f = file('a,b,label\n1,2,0\n4e38,1,1\n3,4,0\n');
  t.throws(() => toDataset(csvTable(f), 'float32'), { instanceOf: DataError, message: new RegExp(`^csv:${f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}, line 3, "a": 4e\\+38 does not fit in float32 \\(at most ±3\\.4e38\\): rescale it, or use float64$`) });
  t.is(toDataset(csvTable(f), 'float64').x.get(1, 0), 4e38);
  const x = toDataset(loadData(`csv:${f}`, { testSplit: 0, standardize: true }).train, 'float32').x;
  t.true(x.data.every(Number.isFinite));
  // Column a is (1, 4e38, 3), in effect (0, 4e38, 0): mean 4e38/3, population std 4√2/3·1e38,
  // so 4e38 maps to √2 and the others to -√2/2.
  const a = Array.from({ length: 3 }, (_, r) => x.get(r, 0)).sort((p, q) => p - q);
  [-Math.SQRT1_2, -Math.SQRT1_2, Math.SQRT2].forEach((z, i) => t.true(Math.abs(a[i] - z) < 1e-6, `${a[i]} vs ${z}`));
});
