import test from 'ava';
import { activation, gelu, leakyRelu } from '../../src/nn/activation.js';
import { batchNorm1d, BatchNorm1d } from '../../src/nn/batchnorm.js';
import { dense } from '../../src/nn/dense.js';
import { dropout } from '../../src/nn/dropout.js';
import { erf, erfc } from '../../src/nn/erf.js';
import { INFERENCE } from '../../src/nn/layer.js';
import { Model } from '../../src/nn/model.js';
import { residual } from '../../src/nn/residual.js';
import { Tensor } from '../../src/tensor/tensor.js';

const ones = (rows: number, cols: number) => new Tensor(new Float64Array(rows * cols).fill(1), rows, cols);

test('parameters are one flat array; layers hold views into it, gradients the same layout', (t) => {
  const model = new Model([dense(3, 4), activation('relu'), residual([dense(4, 4), batchNorm1d(4)]), dense(4, 2)], { dtype: 'float32' });
  t.true(model.params instanceof Float32Array);
  t.is(model.params.length, 3 * 4 + 4 + (16 + 4) + (4 + 4) + 4 * 2 + 2);
  t.is(model.grads.length, model.params.length);
  t.deepEqual(model.entries.map((e) => e.name), ['0.dense.W', '0.dense.b', '2.residual.body.0.dense.W', '2.residual.body.0.dense.b', '2.residual.body.1.batchnorm.gamma', '2.residual.body.1.batchnorm.beta', '3.dense.W', '3.dense.b']);
  t.deepEqual(model.entries.map((e) => e.role), ['weight', 'bias', 'weight', 'bias', 'norm', 'norm', 'weight', 'bias']);
  const { W } = model.denseLayers()[0].weights();
  t.is(W.buffer, model.params.buffer, 'W is a view of the flat array');
  model.params[0] = 42;
  t.is(W[0], 42);
  t.is(model.state.length, 8, 'running mean and variance of the batchnorm');
});

test('initializers are seeded: same seed, same weights; other seed, other weights', (t) => {
  const make = (seed: number) => new Model([dense(10, 10, { init: 'he-normal' }), dense(10, 3)], { dtype: 'float64', seed }).params;
  t.deepEqual(make(1), make(1));
  t.notDeepEqual(make(1), make(2));
});

test('xavier-uniform stays inside ±√(6/(in+out)); zeros are zeros', (t) => {
  const m = new Model([dense(30, 20), dense(20, 5, { init: 'zeros' })], { dtype: 'float64', seed: 3 });
  const bound = Math.sqrt(6 / 50);
  const w1 = m.denseLayers()[0].weights().W;
  t.true(w1.every((v) => Math.abs(v) <= bound));
  t.true(Math.max(...w1.map(Math.abs)) > bound * 0.9, 'the range is used');
  t.true(m.denseLayers()[1].weights().W.every((v) => v === 0));
});

test('activations: values at known points', (t) => {
  const at = (layer: ReturnType<typeof activation>, x: number) => {
    new Model([layer], { dtype: 'float64', inputs: 1 });
    return layer.forward(new Tensor(Float64Array.of(x), 1, 1), INFERENCE).data[0];
  };
  t.is(at(activation('sigmoid'), 0), 0.5);
  t.is(at(activation('tanh'), 0.5), Math.tanh(0.5));
  t.is(at(activation('relu'), -2), 0);
  t.true(Number.isNaN(at(activation('relu'), NaN)), 'relu keeps NaN (torch.relu does), so the non-finite check sees it');
  t.is(at(leakyRelu(0.1), -2), -0.2);
  // torch.nn.functional.gelu(torch.tensor(1.0, dtype=float64)) = 0.8413447460685429
  t.true(Math.abs(at(gelu(), 1) - 0.8413447460685429) < 1e-15);
  // Python: math.erf(0.5), math.erf(3.5)
  t.true(Math.abs(erf(0.5) - 0.5204998778130465) < 1e-15);
  t.true(Math.abs(erf(3.5) - 0.9999992569016276) < 1e-15);
});

test('gelu keeps its relative precision in the negative tail (Φ as erfc/2: 1 + erf cancels there)', (t) => {
  const layer = gelu();
  new Model([layer], { dtype: 'float64', inputs: 1 });
  const x = new Tensor(Float64Array.of(-3, -5, -7, -8.5), 1, 4);
  const y = layer.forward(x, INFERENCE).data;
  const dx = layer.backward(new Tensor(Float64Array.of(1, 1, 1, 1), 1, 4), true).data;
  // Python: 0.5*x*math.erfc(-x/math.sqrt(2)) and its derivative 0.5*erfc(-x/√2) + x*exp(-x²/2)/√(2π)
  const expected = [-0.004049694094890287, -1.4332578593959731e-6, -8.958687807200846e-12, -8.057604598872852e-17];
  const slopes = [-0.011945647204183927, -7.146946001792295e-6, -6.266323031466634e-11, -6.846504938697085e-16];
  expected.forEach((e, i) => t.true(Math.abs(y[i] / e - 1) < 1e-12, `gelu(${x.data[i]}) = ${y[i]}, expected ${e}`));
  slopes.forEach((e, i) => t.true(Math.abs(dx[i] / e - 1) < 1e-12, `gelu'(${x.data[i]}) = ${dx[i]}, expected ${e}`));
  // Python: math.erfc(4.0), math.erfc(-4.0), math.erfc(1.0), and between 2 and 3, where 1 - erf cancels
  t.true(Math.abs(erfc(4) / 1.541725790028002e-8 - 1) < 1e-14);
  t.true(Math.abs(erfc(2.5) / 0.0004069520174449589 - 1) < 1e-14);
  t.true(Math.abs(erfc(2.9) / 4.109787809945886e-5 - 1) < 1e-14);
  t.is(erfc(30), 0);
  t.true(Math.abs(erfc(-4) - 1.999999984582742) < 1e-15);
  t.true(Math.abs(erfc(1) - 0.15729920705028513) < 1e-15);
});

test('dropout is inverted: kept units scaled by 1/(1-p), identity at inference', (t) => {
  const layer = dropout(0.5);
  new Model([layer], { dtype: 'float64', inputs: 1000 });
  const y = layer.forward(ones(2, 1000), { training: true, seed: 1, step: 0 });
  const values = new Set(y.data);
  t.deepEqual([...values].sort(), [0, 2]);
  const kept = y.data.filter((v) => v !== 0).length / 2000;
  t.true(kept > 0.45 && kept < 0.55, `kept fraction ${kept}`);
  t.is(layer.forward(ones(2, 1000), INFERENCE).data[5], 1);
});

test('dropout masks follow (seed, step, sample), not the row position', (t) => {
  const layer = dropout(0.5);
  new Model([layer], { dtype: 'float64', inputs: 64 });
  const a = Array.from(layer.forward(ones(2, 64), { training: true, seed: 1, step: 4, sampleIds: [7, 9] }).data);
  const b = Array.from(layer.forward(ones(2, 64), { training: true, seed: 1, step: 4, sampleIds: [9, 7] }).data);
  t.deepEqual(a.slice(0, 64), b.slice(64), 'sample 7 gets the same mask in row 0 and row 1');
  const c = Array.from(layer.forward(ones(2, 64), { training: true, seed: 1, step: 5, sampleIds: [7, 9] }).data);
  t.notDeepEqual(a, c, 'the next step draws a new mask');
});

test('batchnorm running statistics follow PyTorch (momentum 0.1, unbiased running variance)', (t) => {
  const bn = batchNorm1d(1);
  new Model([bn], { dtype: 'float64' });
  const x = new Tensor(Float64Array.of(1, 2, 3, 4), 4, 1);
  const y = bn.forward(x, { training: true, seed: 0, step: 0 });
  // mean 2.5, biased var 1.25 → y = (x − 2.5)/√(1.25 + 1e-5)
  t.true(Math.abs(y.data[0] - -1.5 / Math.sqrt(1.25 + 1e-5)) < 1e-15);
  const { mean, variance } = (bn as BatchNorm1d).runningStats();
  t.true(Math.abs(mean[0] - 0.25) < 1e-15);
  // unbiased var = 5/3; 0.9·1 + 0.1·5/3
  t.true(Math.abs(variance[0] - (0.9 + 0.1 * (5 / 3))) < 1e-15);
  const e = t.throws(() => bn.forward(new Tensor(Float64Array.of(1), 1, 1), { training: true, seed: 0, step: 0 }));
  t.regex(e!.message, /more than 1 row/);
});

test('residual adds its input; the body must keep the width', (t) => {
  const m = new Model([residual([dense(2, 2, { init: 'zeros' })])], { dtype: 'float64' });
  t.deepEqual(m.predict([[3, 4]]).to2DArray(), [[3, 4]]);
  const e = t.throws(() => new Model([residual([dense(2, 3)])], { dtype: 'float64' }));
  t.regex(e!.message, /residual block body: expected shape output width 2.*got 3/);
});

test('consecutive layers must agree on width, named in the error', (t) => {
  const e = t.throws(() => new Model([dense(4, 8), dense(6, 2)]));
  t.regex(e!.message, /dense\(6, 2\) input: expected shape \[batch × 6\], got \[batch × 8\]/);
});

test('a nested Sequential rebuilds from its config, so the worker threads can run it: 2 threads equal the serial engine', async (t) => {
  const { Sequential } = await import('../../src/nn/sequential.js');
  const { makeDataset } = await import('../../src/data/dataset.js');
  const { SGD } = await import('../../src/optim/sgd.js');
  const { Trainer } = await import('../../src/train/trainer.js');
  const build = () => new Model([new Sequential([dense(3, 4), activation('tanh')]), dense(4, 1)], { dtype: 'float64', seed: 3 });
  const m = build();
  const copy = Model.fromConfig(m.config());
  copy.params.set(m.params);
  const x = [[0.1, -0.2, 0.3], [1, 0.5, -1]];
  t.deepEqual(copy.predict(x).to2DArray(), m.predict(x).to2DArray());
  const data = makeDataset({ x: [...x, [0, 1, 0], [2, -1, 1]], targets: [[1], [0], [0.5], [-1]] }, 'float64');
  const train = async (engine: 'serial' | 'parallel') => {
    const model = build();
    await new Trainer(model, { optimizer: new SGD(model.parameters(), { lr: 0.1 }), loss: 'mse', epochs: 3, batchSize: 2, microShard: 1, engine, threads: 2, seed: 1 }).fit(data);
    return Float64Array.from(model.params);
  };
  const [serial, parallel] = [await train('serial'), await train('parallel')];
  t.true(serial.every((v, i) => Math.abs(v - parallel[i]) <= 1e-12), `${serial} vs ${parallel}`);
});

test('dense.backward refuses a dL/dY that is not the forward output\'s shape, even on a longer buffer', (t) => {
  const d = dense(3, 2);
  const m = new Model([d], { dtype: 'float64' });
  m.forward(new Tensor(new Float64Array(6), 2, 3), { training: true, seed: 0, step: 0, sampleIds: Int32Array.of(0, 1) });
  t.throws(() => d.backward(new Tensor(new Float64Array(12), 2, 3), true), { message: /dense\.backward dy: expected shape 2×2 \(the forward's output\), got 2×3/ });
  t.throws(() => d.backward(new Tensor(new Float64Array(12), 1, 2), true), { message: /got 1×2/ });
  t.throws(() => m.backward(new Tensor(new Float64Array(12), 2, 3)), { message: /model\.backward dy: expected shape 2×2 \(the forward's output\), got 2×3/ });
});
