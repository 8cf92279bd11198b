import test from 'ava';
import { activation, ACTIVATIONS, type ActivationName } from '../../src/nn/activation.js';
import { batchNorm1d } from '../../src/nn/batchnorm.js';
import { dense } from '../../src/nn/dense.js';
import { dropout } from '../../src/nn/dropout.js';
import type { ForwardContext } from '../../src/nn/layer.js';
import { Model } from '../../src/nn/model.js';
import { residual } from '../../src/nn/residual.js';
import { gradcheckModel, randomInput } from '../helpers/gradcheck.js';

const TRAIN: ForwardContext = { training: true, seed: 7, step: 3 };
const EVAL: ForwardContext = { training: false, seed: 0, step: 0 };

function nudgeParams(model: Model, seed: number): void {
  // Move away from the initial values (γ = 1, β = 0, zero biases) so every term is exercised.
  for (let i = 0; i < model.params.length; i++) model.params[i] += 0.1 * Math.sin(seed + 1.7 * i);
}

test('dense: input and parameter gradients, with and without bias', (t) => {
  for (const bias of [true, false]) {
    const model = new Model([dense(5, 3, { bias })], { dtype: 'float64', seed: 1 });
    nudgeParams(model, 1);
    t.deepEqual(gradcheckModel(model, randomInput(4, 5, 2), EVAL), [], `bias ${bias}`);
  }
});

for (const name of ACTIVATIONS) {
  test(`activation ${name}: input gradient (inputs kept away from 0)`, (t) => {
    const model = new Model([activation(name as ActivationName)], { dtype: 'float64', inputs: 6 });
    t.deepEqual(gradcheckModel(model, randomInput(5, 6, 3, -3, 3, 0.05), EVAL), []);
  });
}

test('dropout: gradient with a fixed mask (same seed, step and samples)', (t) => {
  const model = new Model([dropout(0.4)], { dtype: 'float64', inputs: 8 });
  const ctx = { ...TRAIN, sampleIds: [10, 11, 12, 13, 14] };
  t.deepEqual(gradcheckModel(model, randomInput(5, 8, 4), ctx), []);
});

test('batchnorm: training-mode gradients through the batch statistics', (t) => {
  const model = new Model([batchNorm1d(4)], { dtype: 'float64' });
  nudgeParams(model, 2);
  t.deepEqual(gradcheckModel(model, randomInput(6, 4, 5, -2, 2), TRAIN), []);
});

test('batchnorm: inference-mode gradients through the running statistics', (t) => {
  const model = new Model([batchNorm1d(4)], { dtype: 'float64' });
  nudgeParams(model, 3);
  model.state.set([0.1, -0.2, 0.3, 0, 0.5, 1.5, 2, 0.8]);
  t.deepEqual(gradcheckModel(model, randomInput(3, 4, 6), EVAL), []);
});

test('residual: y = x + f(x)', (t) => {
  const model = new Model([residual([dense(4, 6), activation('tanh'), dense(6, 4)])], { dtype: 'float64', seed: 3 });
  nudgeParams(model, 4);
  t.deepEqual(gradcheckModel(model, randomInput(3, 4, 7), EVAL), []);
});

test('whole model: dense + tanh + batchnorm + dropout (fixed mask) + residual', (t) => {
  const model = new Model(
    [
      dense(5, 8),
      batchNorm1d(8),
      activation('tanh'),
      dropout(0.25),
      residual([dense(8, 8), activation('gelu'), batchNorm1d(8), dense(8, 8)]),
      activation('sigmoid'),
      dense(8, 3),
    ],
    { dtype: 'float64', seed: 5 },
  );
  nudgeParams(model, 5);
  t.deepEqual(gradcheckModel(model, randomInput(6, 5, 8), { ...TRAIN, sampleIds: [3, 1, 4, 1, 5, 9] }), []);
});

test('gradcheck catches a wrong gradient (the checker can fail)', (t) => {
  const model = new Model([dense(3, 2)], { dtype: 'float64', seed: 1 });
  const layer = model.layers[0];
  const original = layer.backward.bind(layer);
  layer.backward = (dy, need) => {
    const dx = original(dy, need);
    model.grads[0] += 0.01;
    return dx;
  };
  t.true(gradcheckModel(model, randomInput(2, 3, 9), EVAL).length > 0);
});
