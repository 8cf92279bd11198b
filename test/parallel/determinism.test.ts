import test from 'ava';
import { makeDataset, type Dataset } from '../../src/data/dataset.js';
import { activation } from '../../src/nn/activation.js';
import { batchNorm1d } from '../../src/nn/batchnorm.js';
import { dense } from '../../src/nn/dense.js';
import { dropout } from '../../src/nn/dropout.js';
import { Model } from '../../src/nn/model.js';
import { residual } from '../../src/nn/residual.js';
import { Adam } from '../../src/optim/adam.js';
import { Rng } from '../../src/rng.js';
import type { DType } from '../../src/tensor/dtype.js';
import { Trainer } from '../../src/train/trainer.js';

function data(dtype: DType, n = 150): Dataset {
  const rng = new Rng(11);
  const x: number[][] = [];
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const row = Array.from({ length: 12 }, () => rng.normal());
    x.push(row);
    labels.push((row[0] + row[1] * row[2] > 0 ? 1 : 0) + (row[3] > 0.5 ? 2 : 0));
  }
  return makeDataset({ x, labels, classes: 4 }, dtype);
}

const build = (dtype: DType) =>
  new Model([dense(12, 24), batchNorm1d(24), activation('relu'), dropout(0.3), residual([dense(24, 24), activation('tanh'), batchNorm1d(24)]), dense(24, 4)], { dtype, seed: 4 });

/** Train 3 epochs at batch 40 (a short last batch of 30) with micro-shards of 8. */
async function train(dtype: DType, engine: 'parallel' | 'serial', threads: number) {
  const model = build(dtype);
  const optimizer = new Adam(model.parameters(), { lr: 0.01 });
  const trainer = new Trainer(model, { optimizer, loss: 'softmax-cross-entropy', epochs: 3, batchSize: 40, microShard: 8, seed: 9, engine, threads, clipNorm: 1 });
  const history = await trainer.fit(data(dtype));
  return { params: model.params, state: model.state, history, optimizer: optimizer.stateDict() };
}

test('float32: parameters and running statistics are bit-identical with 1, 2, 3, 4 and 8 threads', async (t) => {
  const one = await train('float32', 'parallel', 1);
  for (const threads of [2, 3, 4, 8]) {
    const r = await train('float32', 'parallel', threads);
    t.deepEqual(r.params, one.params, `${threads} threads: parameters`);
    t.deepEqual(r.state, one.state, `${threads} threads: running statistics`);
    t.deepEqual(r.history.map((h) => h.trainLoss), one.history.map((h) => h.trainLoss));
    t.deepEqual(r.optimizer.state, one.optimizer.state, `${threads} threads: optimizer state`);
  }
  t.is(one.optimizer.step, 12, '4 steps per epoch, 3 epochs');
});

test('float64: every thread count equals the serial reference within 1e-12', async (t) => {
  const serial = await train('float64', 'serial', 1);
  const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
    let m = 0;
    for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
    return m;
  };
  let previous: Float64Array | Float32Array | null = null;
  for (const threads of [1, 2, 3]) {
    const r = await train('float64', 'parallel', threads);
    t.true(maxDiff(r.params, serial.params) <= 1e-12, `${threads} threads: max |Δθ| ${maxDiff(r.params, serial.params)}`);
    t.true(maxDiff(r.state, serial.state) <= 1e-12);
    if (previous) t.deepEqual(r.params, previous, 'and bit-identical across thread counts');
    previous = r.params;
  }
  t.true(serial.history[2].trainLoss < serial.history[0].trainLoss, 'it is really learning');
});

test('batch norm with a batch of 33 rows in micro-shards of 8: the last shards are cut 5 + 4, not 8 + 1; any thread count equals the serial reference', async (t) => {
  const run = async (engine: 'parallel' | 'serial', threads: number) => {
    const model = build('float64');
    // 99 rows in batches of 33: shards of 8, 8, 8, then 5 and 4 of the 9 left.
    await new Trainer(model, { optimizer: new Adam(model.parameters(), { lr: 0.01 }), loss: 'softmax-cross-entropy', epochs: 2, batchSize: 33, microShard: 8, seed: 3, engine, threads }).fit(data('float64', 99));
    return model;
  };
  const serial = await run('serial', 1);
  for (const threads of [1, 3]) {
    const m = await run('parallel', threads);
    let worst = 0;
    m.params.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - serial.params[i]))));
    t.true(worst <= 1e-12, `${threads} threads: max |Δθ| ${worst}`);
  }
});

test('batch norm: a batch of 1 row, or micro-shards under 3 rows, are refused before training, naming the option', async (t) => {
  const model = build('float64');
  const optimizer = new Adam(model.parameters());
  t.throws(() => new Trainer(model, { optimizer, loss: 'softmax-cross-entropy', microShard: 2, threads: 1 }), { message: /trainer options\.microShard must be at least 3 with batch norm in the model .*, got 2/ });
  const trainer = new Trainer(model, { optimizer, loss: 'softmax-cross-entropy', batchSize: 49, threads: 1 });
  await t.throwsAsync(trainer.fit(data('float64', 99)), { message: /trainer options\.batchSize must be a size that leaves no batch of 1 row, which batch norm cannot normalize \(the training data has 99 rows\), got 49/ });
});
