import test from 'ava';
import { activation } from '../../src/nn/activation.js';
import { batchNorm1d } from '../../src/nn/batchnorm.js';
import { dense } from '../../src/nn/dense.js';
import { dropout } from '../../src/nn/dropout.js';
import { Model } from '../../src/nn/model.js';
import { layerFromConfig } from '../../src/nn/registry.js';
import { residual } from '../../src/nn/residual.js';
import { SGD } from '../../src/optim/sgd.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { Trainer } from '../../src/train/trainer.js';

test('dropout p outside [0, 1) is a RangeError naming p and the value', (t) => {
  t.regex(t.throws(() => dropout(1), { instanceOf: RangeError })!.message, /dropout p must be a number in \[0, 1\), got 1 \(number\)/);
  t.regex(t.throws(() => dropout(-0.1), { instanceOf: RangeError })!.message, /got -0\.1 \(number\)/);
  t.regex(t.throws(() => dropout(NaN), { instanceOf: RangeError })!.message, /got NaN \(number\)/);
});

test('sizes must be positive integers', (t) => {
  t.regex(t.throws(() => dense(0, 3), { instanceOf: RangeError })!.message, /dense inputs must be a positive integer, got 0 \(number\)/);
  t.regex(t.throws(() => dense(3, 2.5), { instanceOf: RangeError })!.message, /dense units must be a positive integer, got 2\.5 \(number\)/);
  t.regex(t.throws(() => dense(3, '4' as never), { instanceOf: TypeError })!.message, /got "4" \(string\)/);
  t.regex(t.throws(() => batchNorm1d(-2), { instanceOf: RangeError })!.message, /batchnorm features must be a positive integer, got -2/);
});

test('unknown options and bad values are named', (t) => {
  t.regex(t.throws(() => dense(2, 2, { initt: 'zeros' } as never), { instanceOf: TypeError })!.message, /dense options: unknown option "initt"/);
  t.regex(t.throws(() => dense(2, 2, { init: 'ones' as never }), { instanceOf: TypeError })!.message, /dense options.init must be one of .*got "ones"/);
  t.regex(t.throws(() => activation('swish' as never))!.message, /activation must be one of sigmoid, tanh, relu, leaky-relu, gelu, got "swish"/);
  t.regex(t.throws(() => new Model([dense(2, 2)], { dtype: 'float16' as never }))!.message, /model options.dtype must be one of float32, float64, got "float16"/);
  t.regex(t.throws(() => batchNorm1d(2, { momentum: 2 }))!.message, /batchnorm options.momentum must be a number in \[0, 1\], got 2/);
  t.regex(t.throws(() => new Model([activation('relu')]))!.message, /model options.inputs must be a positive integer/);
});

test('a layer instance appears once, in one model: reused, its cached input and parameter views would give wrong gradients', (t) => {
  const shared = activation('tanh');
  t.regex(t.throws(() => new Model([dense(2, 3), shared, dense(3, 3), shared]), { instanceOf: TypeError })!.message, /layer 3\.activation is the same instance as layer 1\.activation/);
  const inner = dense(3, 3);
  t.regex(t.throws(() => new Model([dense(2, 3), inner, residual([inner])]))!.message, /layer 2\.residual\.body\.0\.dense is the same instance as layer 1\.dense/);
  const d = dense(2, 1);
  const first = new Model([d]);
  t.regex(t.throws(() => new Model([d]), { instanceOf: TypeError })!.message, /layer 0\.dense already belongs to another model; create a new layer/);
  // The owner binds its layers again (gradient slots): backward then writes into the new array.
  const slot = new Float32Array(first.paramCount);
  first.rebind(slot);
  first.forward(new Tensor(Float32Array.of(1, 2, 3, -1), 2, 2), { training: true, seed: 1, step: 0 });
  first.backward(new Tensor(Float32Array.of(1, 0.5), 2, 1));
  const grad = (role: string) => first.parameters().entries.filter((e) => e.role === role).flatMap((e) => [...slot.subarray(e.offset, e.offset + e.size)]);
  t.deepEqual(grad('weight'), [1 * 1 + 3 * 0.5, 2 * 1 - 1 * 0.5], 'dW = xᵀ·dy');
  t.deepEqual(grad('bias'), [1 + 0.5], 'db = Σ dy');
  t.true(first.grads.every((g) => g === 0), 'the old gradient array is left alone');
  const [a, b] = [dense(2, 3), dense(3, 3)];
  t.throws(() => new Model([a, shared, b, shared]));
  t.notThrows(() => new Model([a, shared, b]), 'a model that was refused leaves its layers free');
});

test('a layer config type is looked up among the layer types only, not Object.prototype', (t) => {
  for (const type of ['constructor', 'toString', 'hasOwnProperty', '__proto__']) {
    t.regex(t.throws(() => layerFromConfig({ type }), { instanceOf: TypeError })!.message, new RegExp(`layer config type must be one of dense, .*got "${type}"`));
  }
});

test('negativeSlope belongs to leaky-relu only; seeds are 32-bit unsigned integers', (t) => {
  t.regex(t.throws(() => activation('relu', { negativeSlope: 0.3 }))!.message, /activation options\.negativeSlope is for 'leaky-relu' only; activation\('relu'\) got 0\.3/);
  t.is(activation('leaky-relu', { negativeSlope: 0.3 }).negativeSlope, 0.3);
  for (const seed of [1.9, -1, 2 ** 32, NaN]) {
    t.regex(t.throws(() => new Model([dense(2, 2)], { seed }))!.message, /model options\.seed must be an integer in \[0, 4294967295\]/);
    const model = new Model([dense(2, 2)]);
    t.regex(t.throws(() => new Trainer(model, { optimizer: new SGD(model.parameters()), loss: 'mse', seed }))!.message, /trainer options\.seed must be an integer in \[0, 4294967295\]/);
  }
});

test('backward refuses a dL/dY of another shape than the forward output, naming both', (t) => {
  const x = new Tensor(new Float64Array(12).fill(0.5), 4, 3);
  const model = new Model([dense(3, 2), activation('sigmoid')], { dtype: 'float64' });
  t.regex(t.throws(() => model.backward(new Tensor(new Float64Array(2), 1, 2)))!.message, /model\.backward called before model\.forward/);
  model.forward(x, { training: true, seed: 1, step: 0 });
  t.regex(t.throws(() => model.backward(new Tensor(new Float64Array(2), 1, 2)))!.message, /model\.backward dy: expected shape 4×2 \(the forward's output\), got 1×2/);
  const layers = { gelu: activation('gelu'), dropout: dropout(0.5), batchnorm: batchNorm1d(3), residual: residual([dense(3, 3)]) };
  for (const [name, layer] of Object.entries(layers)) {
    new Model([layer], { dtype: 'float64', inputs: 3 });
    layer.forward(x, { training: true, seed: 1, step: 0 });
    t.regex(t.throws(() => layer.backward(new Tensor(new Float64Array(12), 2, 6), true))!.message, new RegExp(`${name}\\.backward dy: expected shape 4×3 \\(the forward's output\\), got 2×6`));
  }
});
