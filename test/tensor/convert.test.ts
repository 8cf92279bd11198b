import test from 'ava';
import { Matrix } from 'ml-matrix';
import { dense } from '../../src/nn/dense.js';
import { Model } from '../../src/nn/model.js';
import { makeDataset } from '../../src/data/dataset.js';
import { toLabels, toTensor } from '../../src/tensor/convert.js';
import { Tensor } from '../../src/tensor/tensor.js';

const model = () => {
  const m = new Model([dense(2, 2)], { dtype: 'float64' });
  m.setWeights([{ W: [[1, 2], [3, 4]], b: [0.5, -0.5] }]);
  return m;
};

test('predict accepts a Matrix, number[][] and a flat array with a shape, and returns a Matrix', (t) => {
  const m = model();
  const expected = [[1 * 1 + 2 * 3 + 0.5, 1 * 2 + 2 * 4 - 0.5]];
  const fromMatrix = m.predict(new Matrix([[1, 2]]));
  t.true(fromMatrix instanceof Matrix);
  t.deepEqual(fromMatrix.to2DArray(), expected);
  t.deepEqual(m.predict([[1, 2]]).to2DArray(), expected);
  t.deepEqual(m.predict({ data: Float32Array.of(1, 2), shape: [1, 2] }).to2DArray(), expected);
});

test('weights come out as one Matrix per Dense layer, W [in][out] and b', (t) => {
  const [{ W, b }] = model().weights();
  t.deepEqual(W.to2DArray(), [[1, 2], [3, 4]]);
  t.deepEqual(b!.to2DArray(), [[0.5, -0.5]]);
});

test('setWeights(weights()) round-trips: b as weights() gives it (a 1×out Matrix), as numbers, or absent', (t) => {
  const source = new Model([dense(3, 2), dense(2, 1, { bias: false })], { dtype: 'float64', seed: 4 });
  const target = new Model([dense(3, 2), dense(2, 1, { bias: false })], { dtype: 'float64', seed: 9 });
  t.notDeepEqual(target.params, source.params);
  target.setWeights(source.weights());
  t.deepEqual(target.params, source.params);
  target.setWeights(source.weights().map(({ W, b }) => ({ W, b: b ?? [] }))); // [] for no bias, as before
  t.deepEqual(target.params, source.params);
  const m = model();
  m.setWeights([{ W: [[1, 0], [0, 1]], b: new Matrix([[2], [3]]) }]); // a column works too
  t.deepEqual(m.weights()[0].b!.to2DArray(), [[2, 3]]);
  t.regex(t.throws(() => m.setWeights([{ W: [[1, 0], [0, 1]], b: new Matrix([[1, 2], [3, 4]]) }]))!.message, /layers\[0\]\.b: expected shape a vector \(1×n or n×1\), got 2×2/);
  t.regex(t.throws(() => m.setWeights([{ W: [[1, 0], [0, 1]], b: new Matrix([[1, 2, 3]]) }]))!.message, /layers\[0\]\.b: expected shape 2 values, got 3 values/);
  t.regex(t.throws(() => m.setWeights([{ W: [[1, 0], [0, 1]], b: [1, NaN] }]))!.message, /layers\[0\]\.b row 0, column 1: expected a finite number, got NaN/);
});

test('shape mismatches name both shapes', (t) => {
  t.regex(t.throws(() => model().predict([[1, 2, 3]]))!.message, /predict input: expected shape \[rows × 2\], got \[1 × 3\]/);
  t.regex(t.throws(() => toTensor({ data: [1, 2, 3], shape: [2, 2] }, 'float64'))!.message, /2×2 = 4 values, got 3 values/);
  t.regex(t.throws(() => toTensor([[1, 2], [3]], 'float64'))!.message, /row 1: expected shape 2 columns \(as row 0\), got 1/);
  t.regex(t.throws(() => model().setWeights([{ W: [[1, 2, 3]], b: [0, 0] }]))!.message, /layers\[0\]\.W: expected shape 2×2, got 1×3/);
});

test('NaN or Infinity names the row and the column', (t) => {
  t.regex(t.throws(() => model().predict([[1, 2], [3, NaN]]))!.message, /row 1, column 1: expected a finite number, got NaN/);
  t.regex(t.throws(() => toTensor(new Matrix([[Infinity, 0]]), 'float32', 'x'))!.message, /x row 0, column 0: .*got Infinity/);
});

test('labels out of range or not integers name the row and the value', (t) => {
  t.regex(t.throws(() => toLabels([0, 1, 3], 3))!.message, /labels row 2: expected an integer class in \[0, 2\], got 3/);
  t.regex(t.throws(() => toLabels([0, 1.5], 3))!.message, /labels row 1: .*got 1\.5/);
  t.regex(t.throws(() => toLabels([-1], 3))!.message, /row 0: .*got -1/);
});

test('shapes are whole: integer dimensions, a two-number shape, no missing row', (t) => {
  t.regex(t.throws(() => new Tensor(new Float64Array(4), 1.5, 2))!.message, /Tensor: expected shape non-negative integer rows and columns, got 1\.5×2/);
  t.regex(t.throws(() => new Tensor(new Float64Array(4), NaN, 2))!.message, /got NaN×2/);
  t.regex(t.throws(() => toTensor({ data: [1, 2, 3, 4, 5, 6], shape: [2, 3, 2] as never }, 'float64'))!.message, /\.shape must be \[rows, cols\]/);
  t.regex(t.throws(() => toTensor([[1, 2], , [3, 4]] as never, 'float64'))!.message, /row 1 must be an array of numbers, got undefined/);
});

test('the number of classes fits a 32-bit label: explicit or inferred, past it is refused', (t) => {
  t.regex(t.throws(() => toLabels([0, 5, 99], NaN))!.message, /labels: classes must be an integer in \[1, 2147483647\], got NaN/);
  t.regex(t.throws(() => toLabels([4294967296, 4294967297], 2 ** 33))!.message, /classes must be an integer in \[1, 2147483647\]/);
  t.regex(t.throws(() => makeDataset({ x: [[1], [2]], labels: [0, 4294967297], classes: 2 ** 33 }))!.message, /dataset classes must be an integer in \[1, 2147483647\]/);
  t.regex(t.throws(() => makeDataset({ x: [[1], [2]], labels: [0, 4294967297] }))!.message, /a label of 4294967297 is past the largest class index/);
});
