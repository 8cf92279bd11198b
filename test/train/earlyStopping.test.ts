/** Early stopping in the trainer (src/train/earlyStopping.ts): Keras' semantics, kept across snapshots. */
import test from 'ava';
import { makeDataset } from '../../src/data/dataset.js';
import type { Model } from '../../src/nn/model.js';
import { SGD } from '../../src/optim/sgd.js';
import { fit, Trainer } from '../../src/train/trainer.js';
import { blobs, net } from './helpers.js';

/** The early-stopping fixture: held-out labels flipped, so the held-out loss is best at epoch 1 and then only worsens. */
function earlyRun(model: Model, extra: Partial<Parameters<typeof fit>[2]> = {}) {
  const train = blobs(64, 7);
  const flipped = makeDataset({ x: train.x, labels: Array.from(train.y as Int32Array, (c) => 1 - c) }, 'float64');
  const trainer = new Trainer(model, { optimizer: new SGD(model.parameters(), { lr: 0.5, momentum: 0.9 }), loss: 'softmax-cross-entropy', epochs: 40, batchSize: 16, shuffle: true, seed: 2, earlyStopping: { patience: 3 }, threads: 1, ...extra });
  return { trainer, train, flipped };
}

test('early stopping: stops after patience epochs without improvement and restores the best weights', async (t) => {
  const model = net();
  const snapshots: Float64Array[] = [];
  // Held-out labels are the training labels flipped: the better the fit, the worse the test
  // loss, so the best epoch is the first.
  const train = blobs(64, 7);
  const flipped = makeDataset({ x: train.x, labels: Array.from(train.y as Int32Array, (c) => 1 - c) }, 'float64');
  const history = await fit(model, train, {
    optimizer: new SGD(model.parameters(), { lr: 0.5 }),
    loss: 'softmax-cross-entropy',
    epochs: 40,
    batchSize: 64,
    shuffle: false,
    validation: flipped,
    earlyStopping: { patience: 3, minDelta: 0 },
    onEpochEnd: () => snapshots.push(Float64Array.from(model.params)),
  });
  const losses = history.map((h) => h.testLoss!);
  const best = losses.indexOf(Math.min(...losses));
  t.is(best, 0);
  t.is(history.length, best + 1 + 3, 'stopped exactly patience epochs after the best');
  t.deepEqual(Float64Array.from(model.params), snapshots[best], 'best weights restored');
});

test('early stopping: minDelta ignores small improvements; restoreBest false keeps the last weights', async (t) => {
  const history = (await (async () => {
    const model = net();
    return fit(model, blobs(64, 12), { optimizer: new SGD(model.parameters(), { lr: 0.05 }), loss: 'softmax-cross-entropy', epochs: 30, batchSize: 64, shuffle: false, earlyStopping: { patience: 2, minDelta: 1 }, threads: 1 });
  })());
  t.is(history.length, 3, 'no epoch improves on the first by more than 1: the best is epoch 1, then patience 2');
  const model = net();
  let last: Float64Array | null = null;
  await fit(model, blobs(64, 12), {
    optimizer: new SGD(model.parameters(), { lr: 0.05 }), loss: 'softmax-cross-entropy', epochs: 30, batchSize: 64, shuffle: false, threads: 1,
    earlyStopping: { patience: 2, minDelta: 1, restoreBest: false },
    onEpochEnd: () => (last = Float64Array.from(model.params)),
  });
  t.deepEqual(Float64Array.from(model.params), last!);
});

test('early stopping: stop() mid-epoch keeps the current weights (the best are put back only when early stopping ends the run)', async (t) => {
  const model = net(5);
  let atStop: Float64Array | null = null;
  let best: Float64Array | null = null;
  // The serial engine trains on the model's own arrays, so the callbacks see the live weights.
  const { trainer, train, flipped } = earlyRun(model, {
    engine: 'serial',
    onEpochEnd: (r) => { if (r.epoch === 1) best = Float64Array.from(model.params); },
    onBatchEnd: (b) => { if (b.step === 10) { atStop = Float64Array.from(model.params); b.stop(); } },
  });
  await trainer.fit(train, flipped);
  t.is(trainer.snapshot().inEpoch?.next, 32, 'stopped in epoch 3, after its second batch');
  t.deepEqual(Float64Array.from(model.params), atStop!);
  t.notDeepEqual(atStop!, best!, 'the best epoch\'s weights differ, so the check can fail');
});

test('early stopping: the watch is part of the snapshot, so a run stopped and resumed elsewhere ends where an uninterrupted one does', async (t) => {
  const whole = net(5);
  const w = earlyRun(whole);
  const wholeHistory = await w.trainer.fit(w.train, w.flipped);
  t.is(wholeHistory.length, 4, 'best epoch 1, then patience 3');

  const first = net(5);
  const f = earlyRun(first, { onBatchEnd: (b) => b.step === 10 && b.stop() });
  await f.trainer.fit(f.train, f.flipped);
  const snap = JSON.parse(JSON.stringify(f.trainer.snapshot()));
  t.is(snap.earlyStopping.wait, 1, 'epoch 2 was worse than epoch 1');

  const second = net(77);
  second.params.set(first.params);
  const s = earlyRun(second);
  (s.trainer.options.optimizer as SGD).loadStateDict((f.trainer.options.optimizer as SGD).stateDict());
  s.trainer.restore(snap);
  const history = await s.trainer.fit(s.train, s.flipped);
  t.deepEqual(history.map((h) => h.testLoss), wholeHistory.map((h) => h.testLoss));
  t.deepEqual(second.params, whole.params, 'the best (first) epoch\'s weights, restored at the same point');
  t.is((await s.trainer.fit(s.train, s.flipped)).length, 4, 'a run early stopping ended stays ended');
});

test('restore() checks a state whole before changing anything: a bad early-stopping watch leaves the trainer as it was', (t) => {
  const model = net(5);
  const { trainer } = earlyRun(model);
  const before = trainer.snapshot();
  const bad = { ...before, epoch: 3, step: 12, earlyStopping: { ...before.earlyStopping!, bestParams: [1, 2], bestState: [] } };
  t.throws(() => trainer.restore(bad), { message: /early-stopping state must be/ });
  t.deepEqual(trainer.snapshot(), before);
  const plain = net(6);
  const noWatch = new Trainer(plain, { optimizer: new SGD(plain.parameters()), loss: 'mse' });
  t.throws(() => noWatch.restore(before), { message: /the state has early-stopping watch, this trainer has no earlyStopping option/ });
  // A snapshot from before the watch was saved has no earlyStopping key: the rest of it is loaded.
  const { earlyStopping: _, ...old } = { ...before, step: 12 };
  noWatch.restore(old);
  t.deepEqual(noWatch.snapshot(), { ...old, earlyStopping: null });
});

test('early stopping: a snapshot taken in onEpochEnd holds that epoch in its watch, so resuming from it ends as the uninterrupted run', async (t) => {
  const whole = net(5);
  const w = earlyRun(whole, { engine: 'serial' });
  const wholeHistory = await w.trainer.fit(w.train, w.flipped);
  for (const at of [1, 2]) {
    const first = net(5);
    let snap: unknown = null;
    let params: Float64Array | null = null;
    let optimizerState: unknown = null;
    const f = earlyRun(first, {
      engine: 'serial',
      onEpochEnd: (r, stop) => {
        if (r.epoch !== at) return;
        snap = JSON.parse(JSON.stringify(f.trainer.snapshot()));
        params = Float64Array.from(first.params);
        optimizerState = (f.trainer.options.optimizer as SGD).stateDict();
        stop();
      },
    });
    await f.trainer.fit(f.train, f.flipped);
    const second = net(77);
    second.params.set(params!);
    const s = earlyRun(second, { engine: 'serial' });
    (s.trainer.options.optimizer as SGD).loadStateDict(optimizerState as never);
    s.trainer.restore(snap as never);
    const history = await s.trainer.fit(s.train, s.flipped);
    t.is(history.length, wholeHistory.length, `resumed after epoch ${at}`);
    t.deepEqual(second.params, whole.params, `resumed after epoch ${at}: the same best weights restored`);
  }
});

test('early stopping: restoring a snapshot from before the watch was saved starts the watch afresh', async (t) => {
  const model = net(5);
  const { trainer, train, flipped } = earlyRun(model);
  const start = trainer.snapshot();
  await trainer.fit(train, flipped);
  t.is(trainer.history.length, 4, 'ended by early stopping');
  trainer.restore({ ...start, earlyStopping: undefined });
  t.is((await trainer.fit(train, flipped)).length, 4, 'trains again from epoch 1 and stops where a fresh watch does');
});
