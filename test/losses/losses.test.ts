import test from 'ava';
import { binaryCrossEntropy, halfSquaredError, mse, softmaxCrossEntropy } from '../../src/losses/index.js';
import type { Loss, Target } from '../../src/losses/loss.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { makeDataset } from '../../src/data/dataset.js';
import { dense } from '../../src/nn/dense.js';
import { Model } from '../../src/nn/model.js';
import { SGD } from '../../src/optim/sgd.js';
import { Trainer } from '../../src/train/trainer.js';
import { randomInput } from '../helpers/gradcheck.js';
import { ATOL, EPS, RTOL } from '../helpers/gradcheck.js';

function t2(rows: number[][]): Tensor {
  return new Tensor(Float64Array.from(rows.flat()), rows.length, rows[0].length);
}

function checkLossGradient(loss: Loss, pred: Tensor, target: Target): string[] {
  const grad = Tensor.zeros('float64', pred.rows, pred.cols);
  loss.sumAndGrad(pred, target, grad);
  const bad: string[] = [];
  for (let i = 0; i < pred.data.length; i++) {
    const v = pred.data[i];
    pred.data[i] = v + EPS;
    const plus = loss.sumAndGrad(pred, target, null);
    pred.data[i] = v - EPS;
    const minus = loss.sumAndGrad(pred, target, null);
    pred.data[i] = v;
    const numeric = (plus - minus) / (2 * EPS);
    if (Math.abs(grad.data[i] - numeric) > ATOL + RTOL * Math.abs(numeric)) bad.push(`${i}: ${grad.data[i]} vs ${numeric}`);
  }
  return bad;
}

const labels = Int32Array.from([2, 0, 1, 2]);
const oneHot = t2([[0, 0, 1], [1, 0, 0], [0, 1, 0], [0, 0, 1]]);
const values = randomInput(4, 3, 11);
const bits = t2([[1, 0, 1], [0, 0, 1], [1, 1, 0], [0, 1, 0]]);

test('gradients of every loss match central differences', (t) => {
  t.deepEqual(checkLossGradient(mse, randomInput(4, 3, 10), values), []);
  t.deepEqual(checkLossGradient(halfSquaredError, randomInput(4, 3, 12), values), []);
  t.deepEqual(checkLossGradient(softmaxCrossEntropy, randomInput(4, 3, 13, -3, 3), labels), []);
  t.deepEqual(checkLossGradient(softmaxCrossEntropy, randomInput(4, 3, 14, -3, 3), oneHot), []);
  t.deepEqual(checkLossGradient(binaryCrossEntropy, randomInput(4, 3, 15, -4, 4), bits), []);
});

test('mse is the mean over every element (PyTorch reduction=mean)', (t) => {
  // ((1-0)² + (2-4)²)/2 = 2.5 for row 0; ((0-0)² + (3-1)²)/2 = 2 for row 1: mean over rows 2.25.
  const sum = mse.sumAndGrad(t2([[1, 2], [0, 3]]), t2([[0, 4], [0, 1]]), null);
  t.is(sum / 2, 2.25);
});

test('half squared error is ½·error² per sample, its gradient the error', (t) => {
  const grad = Tensor.zeros('float64', 1, 1);
  t.is(halfSquaredError.sumAndGrad(t2([[4.08]]), t2([[5]]), grad), 0.5 * (5 - 4.08) ** 2);
  t.is(grad.data[0], 4.08 - 5);
});

test('softmax cross-entropy: known value, labels equal one-hot, stable for huge logits', (t) => {
  // Uniform logits over 3 classes: loss ln 3 per sample.
  t.true(Math.abs(softmaxCrossEntropy.sumAndGrad(t2([[0, 0, 0]]), Int32Array.from([1]), null) - Math.log(3)) < 1e-15);
  const pred = randomInput(4, 3, 16, -2, 2);
  t.is(softmaxCrossEntropy.sumAndGrad(pred, labels, null), softmaxCrossEntropy.sumAndGrad(pred, oneHot, null));
  const huge = softmaxCrossEntropy.sumAndGrad(t2([[1000, 0, -1000]]), Int32Array.from([0]), null);
  t.is(huge, 0);
  t.true(Number.isFinite(softmaxCrossEntropy.sumAndGrad(t2([[1000, 0, -1000]]), Int32Array.from([2]), null)));
  // A label past the outputs would read, and write the gradient of, another row: refused as PyTorch does.
  const grad = t2([[0, 0, 0], [0, 0, 0]]);
  t.throws(() => softmaxCrossEntropy.sumAndGrad(t2([[0, 1, 2], [3, 4, 5]]), Int32Array.from([0, 3]), grad), { message: /softmax-cross-entropy label of row 1: expected a class in 0\.\.2 \(one per output\), got 3/ });
  t.throws(() => softmaxCrossEntropy.sumAndGrad(t2([[0, 1, 2]]), Int32Array.from([-1]), null), { message: /got -1/ });
});

test('binary cross-entropy on logits is stable and matches the direct formula', (t) => {
  const z = 0.3;
  const direct = -(1 * Math.log(1 / (1 + Math.exp(-z))));
  t.true(Math.abs(binaryCrossEntropy.sumAndGrad(t2([[z]]), t2([[1]]), null) - direct) < 1e-15);
  t.true(Number.isFinite(binaryCrossEntropy.sumAndGrad(t2([[800]]), t2([[0]]), null)));
});

test('shape mismatches name both shapes', (t) => {
  const e = t.throws(() => mse.sumAndGrad(t2([[1, 2]]), t2([[1, 2, 3]]), null));
  t.regex(e!.message, /1×2.*1×3/);
  const e2 = t.throws(() => softmaxCrossEntropy.sumAndGrad(t2([[1, 2]]), Int32Array.from([0, 1]), null));
  t.regex(e2!.message, /1 labels.*got 2/);
});

test('binary and soft-target cross-entropy refuse targets outside [0, 1], naming row, column and value', (t) => {
  t.regex(t.throws(() => binaryCrossEntropy.checkTargets!(t2([[0, 1], [1, 5]]), 'targets'))!.message, /targets row 1, column 1: binary-cross-entropy needs targets in \[0, 1\], got 5/);
  t.regex(t.throws(() => softmaxCrossEntropy.checkTargets!(t2([[-0.5, 1.5]]), 'y'))!.message, /y row 0, column 0: .*got -0\.5/);
  t.notThrows(() => binaryCrossEntropy.checkTargets!(bits, 'targets'));
  t.notThrows(() => softmaxCrossEntropy.checkTargets!(labels, 'labels'));
});

test('mse and half-sse refuse class labels before training, naming the loss (they need target values)', async (t) => {
  const model = new Model([dense(2, 2)], { dtype: 'float64' });
  const data = makeDataset({ x: [[1, 2], [3, 4]], labels: [0, 1], classes: 2 }, 'float64');
  for (const loss of ['mse', 'half-sse']) {
    const trainer = new Trainer(model, { optimizer: new SGD(model.parameters()), loss, epochs: 1, threads: 1 });
    await t.throwsAsync(trainer.fit(data), { message: new RegExp(`training data targets: ${loss} needs target values .* got integer class labels; for labels use softmax-cross-entropy`) });
  }
});
