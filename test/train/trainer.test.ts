import test from 'ava';
import { makeDataset } from '../../src/data/dataset.js';
import { dense } from '../../src/nn/dense.js';
import { Model } from '../../src/nn/model.js';
import { SGD } from '../../src/optim/sgd.js';
import { fit, Trainer } from '../../src/train/trainer.js';
import { NonFiniteGradientError } from '../../src/train/update.js';

import { blobs, net } from './helpers.js';

test('learns a separable problem; history has every epoch with train and test metrics', async (t) => {
  const model = net();
  const history = await fit(model, blobs(200, 1), { optimizer: new SGD(model.parameters(), { lr: 0.1 }), loss: 'softmax-cross-entropy', epochs: 5, batchSize: 16, validation: blobs(100, 2) });
  t.is(history.length, 5);
  t.deepEqual(history.map((h) => h.epoch), [1, 2, 3, 4, 5]);
  t.true(history[4].trainLoss < history[0].trainLoss);
  t.true(history[4].testAccuracy! > 0.95);
  t.true(history.every((h) => h.seconds > 0 && h.samplesPerSecond > 0 && h.trainAccuracy !== null));
});

test('same seed gives identical parameters; another shuffle seed gives others', async (t) => {
  const run = async (seed: number) => {
    const model = net();
    await fit(model, blobs(64, 3), { optimizer: new SGD(model.parameters(), { lr: 0.1 }), loss: 'softmax-cross-entropy', epochs: 2, batchSize: 8, seed });
    return model.params;
  };
  t.deepEqual(await run(5), await run(5));
  t.notDeepEqual(await run(5), await run(6));
});

test('batchSize "full" takes one step per epoch over every sample, a short last batch is kept', async (t) => {
  for (const [batchSize, steps] of [['full', 3], [7, 3 * 3]] as const) {
    const model = net();
    const sizes: number[] = [];
    await fit(model, blobs(20, 4), { optimizer: new SGD(model.parameters(), { lr: 0.1 }), loss: 'softmax-cross-entropy', epochs: 3, batchSize, onBatchEnd: (b) => sizes.push(b.size) });
    t.is(sizes.length, steps);
    t.is(sizes.slice(0, sizes.length / 3).reduce((a, b) => a + b, 0), 20);
    if (batchSize === 7) t.deepEqual(sizes.slice(0, 3), [7, 7, 6]);
  }
});

test('a full-batch step equals the mean gradient applied by hand', async (t) => {
  const data = blobs(10, 5);
  const a = net(1);
  await fit(a, data, { optimizer: new SGD(a.parameters(), { lr: 0.5 }), loss: 'softmax-cross-entropy', epochs: 1, batchSize: 'full', shuffle: false });
  const b = net(1);
  const before = b.params.slice();
  b.zeroGrad();
  const { softmaxCrossEntropy } = await import('../../src/losses/index.js');
  const { Tensor } = await import('../../src/tensor/tensor.js');
  // Per-sample gradients, one row at a time, averaged: independent of batching code.
  const g = new Float64Array(b.params.length);
  for (let r = 0; r < 10; r++) {
    const x = new Tensor(data.x.data.slice(r * 2, r * 2 + 2), 1, 2);
    const pred = b.forward(x);
    const d = Tensor.zeros('float64', 1, 2);
    softmaxCrossEntropy.sumAndGrad(pred, (data.y as Int32Array).subarray(r, r + 1), d);
    b.zeroGrad();
    b.backward(d);
    b.grads.forEach((v, i) => (g[i] += v / 10));
  }
  a.params.forEach((v, i) => t.true(Math.abs(v - (before[i] - 0.5 * g[i])) < 1e-12));
});

test('callbacks can stop the run', async (t) => {
  const model = net();
  const trainer = new Trainer(model, { optimizer: new SGD(model.parameters(), { lr: 0.1 }), loss: 'softmax-cross-entropy', epochs: 50, batchSize: 10, onBatchEnd: (b) => b.step === 7 && b.stop() });
  const h = await trainer.fit(blobs(40, 6));
  t.is(h.length, 1, 'stopped inside epoch 2 (steps 5-8), which is not recorded as finished');
  t.deepEqual(trainer.snapshot().inEpoch && [trainer.snapshot().inEpoch!.epoch, trainer.snapshot().inEpoch!.next], [2, 30]);
  const other = net();
  const t2 = new Trainer(other, { optimizer: new SGD(other.parameters(), { lr: 0.1 }), loss: 'softmax-cross-entropy', epochs: 50, onEpochEnd: (r, stop) => r.epoch === 3 && stop() });
  t.is((await t2.fit(blobs(40, 6))).length, 3);
});

test('a NaN gradient is never applied; the error names the step and the parameter', async (t) => {
  const model = net();
  const data = makeDataset({ x: [[1, 2], [3, 4]], targets: [[1e308, 0], [0, 0]] }, 'float64');
  const before = model.params.slice();
  const e = await t.throwsAsync(fit(model, data, { optimizer: new SGD(model.parameters(), { lr: 0.1 }), loss: 'mse', epochs: 1, batchSize: 2 }), { instanceOf: NonFiniteGradientError });
  t.regex(e!.message, /step 0: gradient of 0\.dense\.W is (-?Infinity|NaN)/);
  t.deepEqual(model.params, before);
});

test('invalid trainer options and data are named', async (t) => {
  const model = net();
  const optimizer = new SGD(model.parameters(), { lr: 0.1 });
  t.regex(t.throws(() => new Trainer(model, { optimizer, epochs: 0 }))!.message, /trainer options.epochs must be a positive integer, got 0/);
  t.regex(t.throws(() => new Trainer(model, { optimizer, batchSize: -3 }))!.message, /batchSize must be a positive integer, got -3/);
  t.regex(t.throws(() => new Trainer(model, { optimizer, loss: 'hinge' }))!.message, /loss must be one of .*got "hinge"/);
  t.regex(t.throws(() => new Trainer(model, {} as never))!.message, /trainer options.optimizer must be an optimizer/);
  t.regex(t.throws(() => new Trainer(model, { optimizer, onProgress: 5 as never }))!.message, /trainer options.onProgress must be a function or null, got 5/);
  const wide = makeDataset({ x: [[1, 2, 3]], labels: [0] }, 'float64');
  await t.throwsAsync(new Trainer(model, { optimizer }).fit(wide), { message: /training data features: expected shape 2 columns .*got 3/ });
  const threeClass = makeDataset({ x: [[1, 2]], labels: [2] }, 'float64');
  await t.throwsAsync(new Trainer(model, { optimizer }).fit(threeClass), { message: /training data targets: expected shape 2 outputs .*got 3/ });
});

test('snapshot and restore at an epoch boundary continue exactly like an uninterrupted run', async (t) => {
  const data = blobs(50, 9);
  const options = (m: Model) => ({ optimizer: new SGD(m.parameters(), { lr: 0.1, momentum: 0.9 }), loss: 'softmax-cross-entropy', epochs: 4, batchSize: 8, seed: 3 });
  const whole = net(2);
  await new Trainer(whole, options(whole)).fit(data);

  const first = net(2);
  const o1 = options(first);
  const t1 = new Trainer(first, { ...o1, epochs: 2 });
  await t1.fit(data);
  const snap = JSON.parse(JSON.stringify(t1.snapshot()));
  const optState = o1.optimizer.stateDict();

  const second = net(99);
  second.params.set(first.params);
  const o2 = options(second);
  o2.optimizer.loadStateDict(optState);
  const t2 = new Trainer(second, o2);
  t2.restore(snap);
  const h = await t2.fit(data);
  t.deepEqual(h.map((r) => r.epoch), [1, 2, 3, 4]);
  t.deepEqual(second.params, whole.params);
});

test('stopped mid-epoch, snapshot, restore elsewhere: the run continues that epoch and ends like an uninterrupted one', async (t) => {
  const data = blobs(50, 10);
  const options = (m: Model) => ({ optimizer: new SGD(m.parameters(), { lr: 0.1, momentum: 0.9 }), loss: 'softmax-cross-entropy', epochs: 3, batchSize: 8, seed: 4 });
  const whole = net(3);
  const wholeHistory = await new Trainer(whole, options(whole)).fit(data);

  const first = net(3);
  const o1 = options(first);
  const t1 = new Trainer(first, { ...o1, onBatchEnd: (b) => b.step === 10 && b.stop() });
  await t1.fit(data);
  const snap = JSON.parse(JSON.stringify(t1.snapshot()));
  t.is(snap.inEpoch.epoch, 2);
  t.is(snap.inEpoch.next, 24, 'epoch 2 stopped after its third batch (steps 8, 9, 10)');

  const second = net(77);
  second.params.set(first.params);
  const o2 = options(second);
  o2.optimizer.loadStateDict(o1.optimizer.stateDict());
  const t2 = new Trainer(second, o2);
  t2.restore(snap);
  const history = await t2.fit(data);
  t.deepEqual(second.params, whole.params);
  t.deepEqual(history.map((h) => h.trainLoss), wholeHistory.map((h) => h.trainLoss));
});

test('a loss that cannot use the targets is refused before training', async (t) => {
  const model = new Model([dense(2, 1)], { dtype: 'float64' });
  const data = makeDataset({ x: [[1, 2], [3, 4]], targets: [[0.5], [7]] }, 'float64');
  const trainer = new Trainer(model, { optimizer: new SGD(model.parameters(), { lr: 0.1 }), loss: 'binary-cross-entropy', threads: 1 });
  await t.throwsAsync(trainer.fit(data), { message: /training data targets row 1, column 0: binary-cross-entropy needs targets in \[0, 1\], got 7/ });
});

test('scheduleEvery "batch" steps the schedule after every batch, "epoch" after every epoch', async (t) => {
  const { StepLR } = await import('../../src/optim/schedules/index.js');
  for (const [every, expected] of [['batch', 0.1 * 0.5 ** 6], ['epoch', 0.1 * 0.5 ** 2]] as const) {
    const model = net();
    const optimizer = new SGD(model.parameters(), { lr: 0.1 });
    await fit(model, blobs(30, 11), { optimizer, loss: 'softmax-cross-entropy', epochs: 2, batchSize: 10, schedule: new StepLR(optimizer, { stepSize: 1, gamma: 0.5 }), scheduleEvery: every, threads: 1 });
    t.true(Math.abs(optimizer.getLr(0) - expected) < 1e-15, `${every}: lr ${optimizer.getLr(0)}`);
  }
});

test('ReduceLROnPlateau per batch is refused when the trainer is built (it steps on the epoch\'s held-out loss)', async (t) => {
  const { ReduceLROnPlateau } = await import('../../src/optim/schedules/index.js');
  const model = net();
  const optimizer = new SGD(model.parameters(), { lr: 0.1 });
  const schedule = new ReduceLROnPlateau(optimizer);
  t.throws(() => new Trainer(model, { optimizer, loss: 'softmax-cross-entropy', schedule, scheduleEvery: 'batch', threads: 1 }), {
    message: /trainer options\.scheduleEvery must be "epoch" for a schedule that steps on a metric \(ReduceLROnPlateau.*got "batch"/,
  });
  t.notThrows(() => new Trainer(model, { optimizer, loss: 'softmax-cross-entropy', schedule, scheduleEvery: 'epoch', threads: 1 }));
  const { LinearWarmup } = await import('../../src/optim/schedules/index.js');
  const warm = new LinearWarmup(optimizer, { steps: 2 }, new ReduceLROnPlateau(optimizer));
  t.throws(() => new Trainer(model, { optimizer, loss: 'softmax-cross-entropy', schedule: warm, scheduleEvery: 'batch', threads: 1 }), { message: /scheduleEvery must be "epoch"/ }, 'nor a warmup that hands over to one');
});

test('clipValue clamps every averaged gradient before the update (SGD: each parameter moves at most lr·clipValue)', async (t) => {
  const model = net(5);
  const before = Float64Array.from(model.params);
  const data = makeDataset({ x: [[30, -40], [25, 35]], labels: [0, 1] }, 'float64');
  await fit(model, data, { optimizer: new SGD(model.parameters(), { lr: 1 }), loss: 'softmax-cross-entropy', epochs: 1, batchSize: 'full', clipValue: 0.01, threads: 1 });
  let largest = 0;
  model.params.forEach((v, i) => (largest = Math.max(largest, Math.abs(v - before[i]))));
  t.true(largest <= 0.01 + 1e-15, `largest move ${largest}`);
  t.true(largest > 0.009, 'some gradient was clamped');
});

test('fit() while fit() runs is refused; currentParams() mid-run is a consistent snapshot at a step boundary', async (t) => {
  const model = net(8, 'float32');
  const optimizer = new SGD(model.parameters(), { lr: 0.05, momentum: 0.9 });
  let started!: () => void;
  const firstStep = new Promise<void>((resolve) => (started = resolve));
  const trainer = new Trainer(model, { optimizer, loss: 'softmax-cross-entropy', epochs: 40, batchSize: 4, threads: 2, onBatchEnd: () => started() });
  const data = blobs(200, 13, 'float32');
  const initial = Float32Array.from(model.params);
  let finished = false;
  const running = trainer.fit(data).finally(() => (finished = true));
  await t.throwsAsync(trainer.fit(data), { message: /fit\(\) is already running on this trainer/ });
  // Workers take a while to start: check only once steps are being taken.
  await firstStep;
  const seen: Array<{ step: number; params: Float32Array }> = [];
  while (seen.length < 30) {
    await new Promise((r) => setTimeout(r, 3));
    const current = await trainer.currentParams();
    t.is(current, model);
    t.true(current.params.every(Number.isFinite));
    // The optimizer's step count came with the same copy as the parameters.
    t.is(optimizer.stepCount, trainer.snapshot().step);
    seen.push({ step: optimizer.stepCount, params: Float32Array.from(current.params) });
  }
  const last = seen[seen.length - 1];
  t.false(finished, 'the run was still going at the last check');
  t.true(last.step > seen[0].step && last.step < 40 * (200 / 4), `steps ${seen[0].step} to ${last.step} of 2000`);
  t.notDeepEqual(seen[0].params, initial, 'currentParams() brought the trained parameters over');
  t.notDeepEqual(last.params, seen[0].params, 'and again at a later step');
  trainer.stop();
  await running;
  t.is(optimizer.stepCount, trainer.snapshot().step);
  t.true(trainer.history.length < 40);
});

test('restore() while fit() runs is refused; stop() then pause() in one tick stops the run rather than holding it', async (t) => {
  const model = net(2);
  const data = blobs(256, 3);
  let trainer: Trainer | null = null;
  trainer = new Trainer(model, {
    optimizer: new SGD(model.parameters(), { lr: 0.1 }), loss: 'softmax-cross-entropy', epochs: 50, batchSize: 8, threads: 1,
    onBatchEnd: (b) => {
      if (b.step !== 3) return;
      t.throws(() => trainer!.restore(trainer!.snapshot()), { message: /restore\(\) while fit\(\) is running/ });
      trainer!.stop();
      trainer!.pause();
    },
  });
  const history = await trainer.fit(data);
  t.is(history.length, 0, 'stopped in the first epoch');
  t.false(trainer.paused, 'not left paused');
});

test('the serial engine gives the event loop a turn while it trains, so a timer can pause and stop it', async (t) => {
  const model = net(2);
  const data = blobs(2048, 3);
  const trainer = new Trainer(model, { optimizer: new SGD(model.parameters(), { lr: 0.01 }), loss: 'softmax-cross-entropy', epochs: 1000, batchSize: 8, engine: 'serial' });
  let fired = 0;
  const timer = setInterval(() => {
    fired++;
    if (fired === 2) trainer.stop();
  }, 5);
  const history = await trainer.fit(data);
  clearInterval(timer);
  t.true(fired >= 2, `the timer fired ${fired} times during fit()`);
  t.true(history.length < 1000, `stopped after ${history.length} epochs`);
});
