import test from 'ava';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCsv } from '../../src/data/csv.js';
import { csvTable } from '../../src/data/csvTable.js';
import { loadData } from '../../src/data/load.js';

const dir = mkdtempSync(join(tmpdir(), 'gradpool-csv-'));
let n = 0;
function file(text: string | Uint8Array): string {
  const f = join(dir, `t${n++}.csv`);
  writeFileSync(f, text);
  return f;
}

test('a header and numeric rows parse into a table; BOM, CRLF, blank lines, spaces and quotes are accepted', (t) => {
  const table = parseCsv('\uFEFF"a", b ,c\r\n1, 2.5 ,-3\r\n\r\n.5,1e-3,"7"\r\n', 'x.csv');
  t.deepEqual(table.header, ['a', 'b', 'c']);
  t.is(table.rows, 2);
  t.deepEqual(Array.from(table.values), [1, 2.5, -3, 0.5, 0.001, 7]);
  t.deepEqual(Array.from(table.lines), [2, 4]);
});

test('a quoted column name may hold a line break (as spreadsheets write it); the rows after it keep their line numbers', (t) => {
  const table = parseCsv('x,"sepal\nlength",t\n1,2,0\n3,4,1\n', 'q.csv');
  t.deepEqual(table.header, ['x', 'sepal\nlength', 't']);
  t.deepEqual(Array.from(table.values), [1, 2, 0, 3, 4, 1]);
  t.deepEqual(Array.from(table.lines), [3, 4]);
  t.throws(() => parseCsv('a,b\n"1,2\n3,4\n', 'q.csv'), { message: /^q\.csv:2:1: unterminated quoted cell/ });
  // Errors in such a header point at the line and column in the file, not in the joined text.
  t.throws(() => parseCsv('"first\nname",x,x\n1,2,3\n', 'q.csv'), { message: /^q\.csv:2:9: column name "x" appears twice/ });
  t.throws(() => parseCsv('"a\nb",,c\n1,2,3\n', 'q.csv'), { message: /^q\.csv:2:4: header column 2 has no name/ });
});

test('a quote inside an unquoted cell is a literal character: an inch mark in a header name does not swallow the file', (t) => {
  const rows = Array.from({ length: 60000 }, (_, i) => `${i % 10}.5,${i % 7},${i % 2}`).join('\n');
  const table = parseCsv(`screen (in"),weight,y\n${rows}\n`, 'inch.csv');
  t.deepEqual(table.header, ['screen (in")', 'weight', 'y']);
  t.is(table.rows, 60000);
  t.is(table.lines[59999], 60001);
  t.deepEqual(Array.from(table.values.subarray(-3)), [9.5, 59999 % 7, 1]);
  // After a quoted name that spans lines, and in a data cell, where it is not a number.
  const spanned = parseCsv('"a\nb",c"d,e\n1,2,3\n', 'inch.csv');
  t.deepEqual(spanned.header, ['a\nb', 'c"d', 'e']);
  t.deepEqual(Array.from(spanned.lines), [3]);
  t.throws(() => parseCsv('a,b\n1,2"\n', 'inch.csv'), { message: 'inch.csv:2:3: column "b": expected a number, got "2\\""' });
});

test('a quote left open in the header is an error where it opened, with a short excerpt, however long the file', (t) => {
  const rows = Array.from({ length: 60000 }, (_, i) => `${i},${i % 2}`).join('\n');
  const error = t.throws(() => parseCsv(`id,"label of the row, which goes on and on\n${rows}\n`, 'open.csv'));
  t.is(error?.message, 'open.csv:1:4: unterminated quoted cell: a quote opens here and never closes ("\\"label of the row, w"…)');
  // A quote closed on a later line ends the name there; one opened in a later line of the header is reported on that line.
  t.throws(() => parseCsv('"a\nb",c,"d\n1,2,3\n', 'open.csv'), { message: /^open\.csv:2:6: unterminated quoted cell/ });
});

test('errors show long names, long header lists and long values cut short', (t) => {
  // A quoted name closed many lines later (a quote at the end of a data line) is one long name.
  const rows = Array.from({ length: 60000 }, (_, i) => `${i},1`).join('\n');
  const long = t.throws(() => parseCsv(`a,"b\n${rows}"\n`, 'long.csv'));
  t.is(long?.message, `long.csv:60002:1: no data rows: the file has a header (a, b\n0,1\n1,1\n2,1\n3,1\n4,1\n5,1\n6,1\n7,1\n8,1\n9,1\n10,1\n11,1\n12,1\n13,…) and nothing after it`);
  const names = Array.from({ length: 30 }, (_, i) => `c${i}`);
  t.throws(() => parseCsv(`${names.join(',')}\n1\n`, 'wide.csv'), { message: `wide.csv:2:2: ragged row: expected 30 cells (${names.slice(0, 12).join(', ')}, … (30 columns)), got 1` });
  t.throws(() => parseCsv(`a,b\n1,${'x'.repeat(100000)}\n`, 'big.csv'), { message: `big.csv:2:3: column "b": expected a number, got "${'x'.repeat(40)}"…` });
});

test('spaces around a number are ignored inside quotes as outside them (Python\'s float(" 1 ") is 1.0)', (t) => {
  const table = parseCsv('a,b\n" 1 ", 2 \n"\t-3.5\t",4\n', 's.csv');
  t.deepEqual(Array.from(table.values), [1, 2, -3.5, 4]);
  t.throws(() => parseCsv('a,b\n1," "\n', 's.csv'), { message: 's.csv:2:3: missing value in column "b"' });
  t.throws(() => parseCsv('a,b\n1," 1 2 "\n', 's.csv'), { message: 's.csv:2:3: column "b": expected a number, got " 1 2 "' });
  t.throws(() => parseCsv('" 1 ",2\n3,4\n', 's.csv'), { message: /^s\.csv:1:1: the first row \( 1 , 2\) is all numbers/ });
});

test('a non-numeric cell: file:line:column, the column name and the value', (t) => {
  t.throws(() => parseCsv('a,b,c\n1,2,3\n4,abc,6\n', 'd.csv'), { message: 'd.csv:3:3: column "b": expected a number, got "abc"' });
  t.throws(() => parseCsv('a,b\n1,0x10\n', 'd.csv'), { message: 'd.csv:2:3: column "b": expected a number, got "0x10"' });
  t.throws(() => parseCsv('a,b\nNaN,1\n', 'd.csv'), { message: 'd.csv:2:1: column "a": expected a number, got "NaN"' });
});

test('a missing cell: file:line:column and the column name', (t) => {
  t.throws(() => parseCsv('a,b,c\n1,,3\n', 'm.csv'), { message: 'm.csv:2:3: missing value in column "b"' });
  t.throws(() => parseCsv('a,b,c\n1,2,\n', 'm.csv'), { message: 'm.csv:2:5: missing value in column "c"' });
});

test('a ragged row: file:line:column, the expected columns and the count', (t) => {
  t.throws(() => parseCsv('a,b,c\n1,2,3\n1,2\n', 'r.csv'), { message: 'r.csv:3:4: ragged row: expected 3 cells (a, b, c), got 2' });
  t.throws(() => parseCsv('a,b\n1,2,3\n', 'r.csv'), { message: 'r.csv:2:5: ragged row: expected 2 cells (a, b), got 3' });
});

test('an empty file and a header-only file are refused with the position', (t) => {
  t.throws(() => parseCsv('', 'e.csv'), { message: /^e\.csv:1:1: the file is empty; expected a header row/ });
  t.throws(() => parseCsv('\uFEFF\r\n  \r\n', 'e.csv'), { message: /^e\.csv:1:1: the file is empty/ });
  t.throws(() => parseCsv('a,b,label\r\n', 'h.csv'), { message: 'h.csv:2:1: no data rows: the file has a header (a, b, label) and nothing after it' });
});

test('header problems: an unnamed column, a repeated name, an unterminated quote', (t) => {
  t.throws(() => parseCsv('a,,c\n1,2,3\n', 'h.csv'), { message: 'h.csv:1:3: header column 2 has no name' });
  t.throws(() => parseCsv('a,b,a\n1,2,3\n', 'h.csv'), { message: 'h.csv:1:5: column name "a" appears twice (columns 1 and 3)' });
  t.throws(() => parseCsv('a,"b\n1,2\n', 'h.csv'), { message: /^h\.csv:1:3: unterminated quoted cell/ });
  t.throws(() => parseCsv('1,2,0\n3,4,1\n', 'h.csv'), { message: 'h.csv:1:1: the first row (1, 2, 0) is all numbers: the file needs a header row of column names before the data' });
});

test('lone CR line ends (classic Mac) split rows as LF and CRLF do', (t) => {
  const table = parseCsv('a,b\r1,2\r3,4\r', 'mac.csv');
  t.deepEqual(table.header, ['a', 'b']);
  t.deepEqual(Array.from(table.values), [1, 2, 3, 4]);
  t.deepEqual(Array.from(table.lines), [2, 3]);
});

test('labels: the last column by default, or --label NAME; integers 0..K-1 make classification', (t) => {
  const f = file('x,y,label\n0.5,1,0\n1.5,2,2\n2.5,3,1\n');
  const c = csvTable(f);
  t.is(c.task, 'classification');
  t.is(c.classes, 3);
  t.deepEqual(c.featureNames, ['x', 'y']);
  t.deepEqual(Array.from(c.labels!), [0, 2, 1]);
  const byName = csvTable(f, { label: 'x' });
  t.is(byName.task, 'regression');
  t.deepEqual(byName.featureNames, ['y', 'label']);
  t.deepEqual(Array.from(byName.targets!), [0.5, 1.5, 2.5]);
  t.throws(() => csvTable(f, { label: 'z' }), { message: `${f}: no column named "z" for the label; the columns are x, y, label` });
});

test('real-valued or negative labels make regression; --task overrides; a bad class label points at its cell', (t) => {
  t.is(csvTable(file('a,t\n1,0.5\n2,1\n')).task, 'regression');
  t.is(csvTable(file('a,t\n1,-1\n2,1\n')).task, 'regression');
  const ints = file('a,t\n1,0\n2,1\n3,1\n');
  const reg = csvTable(ints, { task: 'regression' });
  t.is(reg.task, 'regression');
  t.deepEqual(Array.from(reg.targets!), [0, 1, 1]);
  const bad = file('a,t\n1,0\n2, 1.5\n');
  t.throws(() => csvTable(bad, { task: 'classification' }), { message: `${bad}:3:4: column "t": a class label must be an integer 0..K-1, got 1.5 (use --task regression for real-valued targets)` });
});

test('a bad class label points at its cell with any line end or spacing; an error on a header after blank lines names that line', (t) => {
  for (const [text, at] of [['a,b,t\r1,2,0\r3,4, \t1.5\r', '3:7'], ['a,b,t\n1,2,0\n3,4,\t1.5\n', '3:6'], ['a,b,t\r\n1,2,0\r\n3,4,1.5\r\n', '3:5']]) {
    const f = file(text);
    t.throws(() => csvTable(f, { task: 'classification' }), { message: new RegExp(`^${f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:${at}: column "t"`) }, JSON.stringify(text));
  }
  const narrow = file('\n\nonly\n1\n');
  t.throws(() => csvTable(narrow), { message: new RegExp(`:3:1: need at least two columns`) });
  t.throws(() => csvTable(file('a,t\n1,0\n2,1\n'), { task: 'Regression' as never }), { message: /csv options\.task must be "classification" or "regression", got "Regression"/ });
});

test('a UTF-16 file (by its byte-order mark, or NUL bytes without one) is refused as not UTF-8 before parsing; UTF-8 with a BOM loads', (t) => {
  const text = 'x,y\n1,0\n2,1\n';
  const le = Buffer.from(text, 'utf16le');
  const be = Buffer.from(le).swap16();
  const resave = 're-save it as UTF-8 (in Excel: "CSV UTF-8"), or convert it with iconv -f UTF-16 -t UTF-8';
  const withLe = file(Buffer.concat([Buffer.from([0xff, 0xfe]), le]));
  t.throws(() => csvTable(withLe), { message: `${withLe}: not UTF-8 text: it starts with the byte-order mark FF FE, UTF-16 little-endian; ${resave}` });
  const withBe = file(Buffer.concat([Buffer.from([0xfe, 0xff]), be]));
  t.throws(() => csvTable(withBe), { message: `${withBe}: not UTF-8 text: it starts with the byte-order mark FE FF, UTF-16 big-endian; ${resave}` });
  const bare = file(le);
  t.throws(() => csvTable(bare), { message: `${bare}: not UTF-8 text: byte 1 (0-based) is NUL (0x00), which looks like UTF-16; ${resave}` });
  t.deepEqual(csvTable(file(`\uFEFF${text}`)).featureNames, ['x']);
});

test('a file that cannot be read names itself', (t) => {
  t.throws(() => csvTable(join(dir, 'missing.csv')), { message: /missing\.csv: cannot read the CSV file/ });
});

test('--standardize uses the training rows\' mean and population std only', (t) => {
  // 10 rows, feature = row index; labels alternate so the stratified split takes 1 of each class.
  const rows = Array.from({ length: 10 }, (_, i) => `${i},${10 * i},${i % 2}`).join('\n');
  const f = file(`a,b,label\n${rows}\n`);
  const raw = loadData(`csv:${f}`, { testSplit: 0.2 });
  const std = loadData(`csv:${f}`, { testSplit: 0.2, standardize: true });
  const trainA = Array.from({ length: raw.train.rows }, (_, r) => raw.train.x[r * 2]);
  const mean = trainA.reduce((s, v) => s + v, 0) / trainA.length;
  const sd = Math.sqrt(trainA.reduce((s, v) => s + (v - mean) ** 2, 0) / trainA.length);
  t.deepEqual(std.standardization!.mean, [mean, 10 * mean]);
  t.true(Math.abs(std.standardization!.std[0] - sd) < 1e-12);
  const z = Array.from({ length: std.train.rows }, (_, r) => std.train.x[r * 2]);
  t.true(Math.abs(z.reduce((s, v) => s + v, 0)) < 1e-12, 'training features have mean 0');
  const testRaw = raw.test!.x[0];
  t.true(Math.abs(std.test!.x[0] - (testRaw - mean) / sd) < 1e-12, 'the test rows use the training statistics');
});
