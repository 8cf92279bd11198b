import test from 'ava';
import { makeDataset } from '../../src/data/dataset.js';
import { DataError, ShapeError } from '../../src/errors.js';

test('NaN or Infinity in inputs or targets names the row and column', (t) => {
  t.regex(t.throws(() => makeDataset({ x: [[1, 2], [NaN, 3]], labels: [0, 1] }), { instanceOf: DataError })!.message, /x row 1, column 0: expected a finite number, got NaN/);
  t.regex(t.throws(() => makeDataset({ x: [[1, 2]], targets: [[0, -Infinity]] }), { instanceOf: DataError })!.message, /targets row 0, column 1: .*got -Infinity/);
});

test('labels out of range or not integers name the row and the value', (t) => {
  t.regex(t.throws(() => makeDataset({ x: [[1], [2]], labels: [0, 4], classes: 3 }))!.message, /labels row 1: expected an integer class in \[0, 2\], got 4/);
  t.regex(t.throws(() => makeDataset({ x: [[1], [2]], labels: [0, 0.5] }))!.message, /labels row 1: .*got 0\.5/);
});

test('row counts must agree', (t) => {
  t.regex(t.throws(() => makeDataset({ x: [[1], [2]], labels: [0] }), { instanceOf: ShapeError })!.message, /labels: expected shape 2 labels .*got 1/);
  t.regex(t.throws(() => makeDataset({ x: [[1], [2]], targets: [[1]] }), { instanceOf: ShapeError })!.message, /targets: expected shape 2 rows .*got 1 rows/);
  t.throws(() => makeDataset({ x: [[1]] }), { message: /exactly one of labels .* or targets/ });
});

test('classes defaults to the largest label + 1', (t) => {
  t.is(makeDataset({ x: [[1], [2], [3]], labels: [0, 4, 2] }).classes, 5);
});
