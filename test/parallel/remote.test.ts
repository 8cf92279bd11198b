import test from 'ava';
import { Matrix } from 'ml-matrix';
import { activation } from '../../src/nn/activation.js';
import { dense } from '../../src/nn/dense.js';
import { Model } from '../../src/nn/model.js';
import { RemoteTraining } from '../../src/parallel/remote.js';
import type { BatchEvent, SessionSpec } from '../../src/parallel/session.js';
import { Rng } from '../../src/rng.js';

function spec(epochs: number, n = 2048): SessionSpec {
  const rng = new Rng(3);
  const x = new Float32Array(n * 784).map(() => rng.uniform());
  const labels = Array.from({ length: n }, (_, i) => i % 10);
  const model = new Model([dense(784, 128), activation('relu'), dense(128, 64), activation('relu'), dense(64, 10)]);
  return {
    model: model.config(),
    data: { x: { data: x, shape: [n, 784] }, labels, classes: 10 },
    optimizer: { name: 'adam', options: { lr: 1e-3 } },
    trainer: { loss: 'softmax-cross-entropy', epochs, batchSize: 64, threads: 1 },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test.serial('the caller keeps a 10 ms timer firing, with no gap over 50 ms, while a multi-second run trains off-thread', async (t) => {
  const run16 = spec(16, 6144); // built before the timer starts: making the data is the caller's own work
  const gaps: number[] = [];
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    gaps.push(now - last);
    last = now;
  }, 10);
  const epochs: number[] = [];
  let batches = 0;
  const started = performance.now();
  const run = RemoteTraining.start(run16, { batch: () => batches++, epoch: (r) => epochs.push(r.epoch) });
  const history = await run.done;
  clearInterval(timer);
  const seconds = (performance.now() - started) / 1000;
  t.deepEqual(epochs, Array.from({ length: 16 }, (_, i) => i + 1));
  t.is(batches, 16 * 96);
  t.is(history.length, 16);
  t.true(seconds > 2, `a multi-second run (${seconds.toFixed(1)} s)`);
  t.true(gaps.length > seconds * 50, 'the timer kept firing');
  t.true(Math.max(...gaps) < 50, `largest gap ${Math.max(...gaps).toFixed(1)} ms`);
});

test.serial('pause holds the run, resume continues it, stop ends it; weights come back as matrices', async (t) => {
  const events: BatchEvent[] = [];
  const run = RemoteTraining.start(spec(50), { batch: (b) => events.push(b) });
  while (events.length < 5) await sleep(5);
  await run.pause();
  await sleep(100); // let the step in flight and its event arrive
  const held = events.length;
  await sleep(400);
  t.is(events.length, held, 'no step while paused');
  const w = await run.weights();
  t.true(w.layers[0].W instanceof Matrix);
  t.deepEqual([w.layers[0].W.rows, w.layers[0].W.columns], [784, 128]);
  t.deepEqual([w.layers[2].W.rows, w.layers[2].W.columns], [64, 10]);
  t.is(w.params.length, 784 * 128 + 128 + 128 * 64 + 64 + 64 * 10 + 10);
  await run.resume();
  while (events.length < held + 5) await sleep(5);
  const after = await run.weights();
  t.notDeepEqual(after.params, w.params, 'training went on after resume');
  await run.stop();
  const history = await run.done;
  t.true(history.length < 50, 'stopped before the 50 epochs');
  t.true(events[events.length - 1].step < 50 * 32);
});
