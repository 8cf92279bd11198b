import test from 'ava';
import { Matrix } from 'ml-matrix';
import { activation } from '../../src/nn/activation.js';
import { dense } from '../../src/nn/dense.js';
import { Model } from '../../src/nn/model.js';
import { RemoteTraining } from '../../src/parallel/remote.js';
import type { BatchEvent, SessionSpec } from '../../src/parallel/session.js';
import { Rng } from '../../src/rng.js';
import type { ProgressInfo } from '../../src/train/trainer.js';
import { NonFiniteGradientError } from '../../src/train/update.js';

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
  // weights() answers at a step boundary: after the step in flight, none starts until resume().
  const w = await run.weights();
  const held = events.length;
  await sleep(400);
  t.deepEqual((await run.weights()).params, w.params, 'no step while paused');
  // The event of the step that was in flight may still be on its way (it has its own channel).
  t.true(events.length - held <= 1, `${events.length - held} events while paused`);
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

test.serial('a progress callback that throws ends the run: done rejects with the callback\'s own error, and the caller\'s process carries on', async (t) => {
  let batches = 0;
  const run = RemoteTraining.start(spec(50, 512), {
    batch: () => {
      if (++batches === 3) throw new Error('my callback failed');
    },
  });
  await t.throwsAsync(run.done, { message: 'my callback failed' });
  t.true(batches < 50 * 8, `the run stopped early (${batches} batches)`);
});

test.serial('close() before the end, twice, and control calls after the end: nothing hangs, nothing crashes, each says what happened', async (t) => {
  let batches = 0;
  const run = RemoteTraining.start(spec(50, 512), { batch: () => batches++ });
  while (batches < 3) await sleep(5); // the run is going (it has 400 steps to go)
  const inFlight = [run.weights().then(() => 'answered', (e: Error) => e.message), run.pause().then(() => 'answered', (e: Error) => e.message)];
  await Promise.all([run.close(), run.close()]);
  await t.throwsAsync(run.done, { message: /the run was closed \(close\(\)\) before the training thread answered/ });
  for (const outcome of await Promise.all(inFlight)) t.true(outcome === 'answered' || /closed/.test(outcome), outcome);
  await t.notThrowsAsync(run.pause());
  await t.notThrowsAsync(run.resume());
  await t.notThrowsAsync(run.stop());
  await t.throwsAsync(run.weights(), { message: /the run has ended and its thread is closed/ });

  const finished = RemoteTraining.start(spec(1, 256));
  t.is((await finished.done).length, 1);
  await t.notThrowsAsync(finished.close(), 'close() after the end, as in a finally');
  await t.notThrowsAsync(finished.stop());
});

test.serial('an error in the training thread reaches the caller as its own class, with its fields (a non-finite gradient names the step and the parameter)', async (t) => {
  const s = spec(5, 256);
  const run = RemoteTraining.start({ ...s, optimizer: { name: 'sgd', options: { lr: 1e30 } } });
  const e = await t.throwsAsync(run.done, { instanceOf: NonFiniteGradientError });
  t.is(typeof e!.step, 'number');
  t.regex(e!.parameter, /dense\.(W|b)$/);
  t.regex(e!.message, /^step \d+: gradient of .* is (NaN|-?Infinity); the update was not applied$/);
  const bad = RemoteTraining.start({ ...s, optimizer: { name: 'sgd', options: { lr: -1 } } });
  await t.throwsAsync(bad.done, { message: 'Invalid learning rate: -1' });
});

test.serial('a progress event is passive: the steps go in runs (a few events an epoch, not one a step), and it reports each epoch to its end', async (t) => {
  const n = 8192; // 128 steps an epoch at batch 64
  const seen: ProgressInfo[] = [];
  const run = RemoteTraining.start(spec(2, n), { progress: (i) => seen.push(i) });
  const history = await run.done;
  for (const epoch of [1, 2]) {
    const mine = seen.filter((i) => i.epoch === epoch);
    t.true(mine.length >= 1 && mine.length <= 8, `${mine.length} progress events in epoch ${epoch} of 128 steps`);
    t.true(mine.every((i, k) => k === 0 || i.rows > mine[k - 1].rows), 'rows only grow');
    const last = mine[mine.length - 1];
    t.is(last.rows, n);
    t.is(last.step, 128 * epoch);
    t.is(last.lossSum / last.rows, history[epoch - 1].trainLoss);
  }
});
