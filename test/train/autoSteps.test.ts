/**
 * Runs of steps (src/train/autoSteps.ts, ParallelEngine.runSteps): when nothing observes single
 * steps, the threads go from step to step and the coordinator is woken once per half queue.
 * Every way a run can end early (stop, pause, currentParams, a non-finite gradient, end()) must
 * leave exactly the steps that were counted, as one step at a time would.
 */
import test from 'ava';
import { makeDataset, type Dataset } from '../../src/data/dataset.js';
import { activation } from '../../src/nn/activation.js';
import { dense } from '../../src/nn/dense.js';
import { Model } from '../../src/nn/model.js';
import { lossByName } from '../../src/losses/index.js';
import { Adam } from '../../src/optim/adam.js';
import { StepLR } from '../../src/optim/schedules/step.js';
import { ParallelEngine } from '../../src/parallel/engine.js';
import { Rng } from '../../src/rng.js';
import { QUEUE_SLOTS } from '../../src/parallel/control.js';
import { canRunSteps } from '../../src/train/autoSteps.js';
import type { StepEngine } from '../../src/train/engine.js';
import { Trainer, type ProgressInfo, type TrainerOptions } from '../../src/train/trainer.js';
import { NonFiniteGradientError } from '../../src/train/update.js';

function data(n: number, bad = -1): Dataset {
  const rng = new Rng(8);
  const x = Array.from({ length: n }, () => Array.from({ length: 5 }, () => rng.normal()));
  return makeDataset({ x, targets: x.map((r, i) => [i === bad ? 1e308 : r[0] * r[1] - r[2]]) }, 'float64');
}

function trainer(extra: Partial<TrainerOptions> = {}) {
  const model = new Model([dense(5, 24), activation('tanh'), dense(24, 1)], { dtype: 'float64', seed: 4 });
  const tr = new Trainer(model, { optimizer: new Adam(model.parameters(), { lr: 0.01 }), loss: 'mse', epochs: 4, batchSize: 8, microShard: 4, seed: 2, threads: 2, ...extra });
  return { model, tr };
}

/** Parameters after exactly `steps` steps, taken one at a time (a callback watches every step). */
async function after(steps: number, ds: Dataset): Promise<Float64Array> {
  const { model, tr } = trainer({ onBatchEnd: (b) => b.step === steps && b.stop() });
  await tr.fit(ds);
  return model.params.slice() as Float64Array;
}

test('with nothing watching single steps, the coordinator is woken once per half queue of steps; the weights are those of one step at a time', async (t) => {
  const perEpoch = QUEUE_SLOTS + 36; // one run an epoch: the queue's QUEUE_SLOTS steps, then refills as half of it frees up
  const ds = data(8 * perEpoch);
  const runs = trainer({ epochs: 2 });
  await runs.tr.fit(ds);
  const watched = trainer({ epochs: 2, onBatchEnd: () => {} });
  await watched.tr.fit(ds);
  t.deepEqual(runs.model.params, watched.model.params);
  t.is(runs.tr.options.optimizer.stepCount, 2 * perEpoch);
  const wakes = (e: Trainer) => (e.stepEngine as ParallelEngine).profile().wakes;
  // (One at a time, a step done before the coordinator waits for it wakes no one: that count
  // depends on timing, so it is not asserted.)
  t.true(wakes(runs.tr) <= 2 * Math.ceil(perEpoch / (QUEUE_SLOTS / 2)) + 2, `${wakes(runs.tr)} wake-ups for ${2 * perEpoch} steps in runs`);
});

test('stop() from outside: the run ends after the step in flight, and the weights are those of exactly the steps counted', async (t) => {
  const ds = data(4000); // 500 steps an epoch
  const { model, tr } = trainer({ epochs: 1 });
  // Once some runs are done (the threads take a while to start): a moment unrelated to steps.
  const timer = setInterval(() => (tr.stepEngine as ParallelEngine).profile().steps >= 20 && tr.stop(), 2);
  await tr.fit(ds);
  clearInterval(timer);
  const steps = tr.snapshot().step;
  t.true(steps > 0 && steps < 500, `stopped at step ${steps}`);
  t.is(tr.options.optimizer.stepCount, steps);
  t.is(tr.snapshot().inEpoch!.next, steps * 8);
  t.deepEqual(model.params, await after(steps, ds));
});

test('pause(), currentParams() and resume() from outside, mid-run: the run ends as an uninterrupted one', async (t) => {
  const ds = data(2000);
  const clean = trainer({ epochs: 2 });
  await clean.tr.fit(ds);
  const { model, tr } = trainer({ epochs: 2 });
  const seen: number[] = [];
  const poke = setInterval(() => {
    tr.pause();
    void tr.currentParams().then((m) => {
      seen.push(m.params[0]);
      tr.resume();
    });
  }, 15);
  await tr.fit(ds);
  clearInterval(poke);
  t.true(seen.length > 0, 'currentParams() answered during the run');
  t.deepEqual(model.params, clean.model.params);
});

// Step 3 is in the queue's first fill; step QUEUE_SLOTS + 5 is issued when the coordinator refills it.
for (const bad of [3, QUEUE_SLOTS + 5]) {
  test(`a non-finite gradient inside a run (step ${bad}): the steps before it count, it and the rest do not`, async (t) => {
    const ds = data(8 * (bad + 10), 8 * bad + 5); // not shuffled: row 8·bad + 5 is in step `bad`
    const { model, tr } = trainer({ epochs: 1, shuffle: false });
    const e = await t.throwsAsync(tr.fit(ds), { instanceOf: NonFiniteGradientError });
    t.regex(e!.message, new RegExp(`^step ${bad}: gradient of `));
    t.is(tr.snapshot().step, bad);
    t.is(tr.options.optimizer.stepCount, bad);
    const clean = trainer({ epochs: 1, shuffle: false, onBatchEnd: (b) => b.step === bad && b.stop() });
    await clean.tr.fit(ds);
    t.deepEqual(model.params, clean.model.params);
  });
}

/** A 256-wide float64 model (steps of several milliseconds at 64 rows) and a started 2-thread engine on 512 rows. */
const heavy = () => new Model([dense(5, 256), activation('tanh'), dense(256, 256), activation('tanh'), dense(256, 1)], { dtype: 'float64', seed: 4 });
async function heavyEngine() {
  const ds = data(512);
  const model = heavy();
  const optimizer = new Adam(model.parameters(), { lr: 0.01 });
  const engine = new ParallelEngine(model, lossByName('mse'), optimizer, { clipNorm: null, clipValue: null }, 2, { threads: 2, microShard: 4 });
  const order = Int32Array.from({ length: ds.size }, (_, i) => i);
  await engine.begin(ds, 64);
  return { ds, model, optimizer, engine, order };
}

test('revoke() right after runSteps(): the steps not yet started are cancelled and do not count; those applied are kept', async (t) => {
  // Steps of several milliseconds: the threads cannot finish the run before revoke() comes.
  const { ds, model, optimizer, engine, order } = await heavyEngine();
  const batches = Array.from({ length: 8 }, (_, i) => ({ start: 64 * i, end: 64 * i + 64, step: i }));
  const running = engine.runSteps(ds, order, batches);
  engine.revoke(); // the threads have had microseconds: at most the first step has started
  const { results, error } = await running;
  t.is(error, null);
  t.true(results.length < 8, `${results.length} of 8 steps applied`);
  await engine.end();
  t.is(optimizer.stepCount, results.length);
  const reference = heavy();
  const tr = new Trainer(reference, { optimizer: new Adam(reference.parameters(), { lr: 0.01 }), loss: 'mse', epochs: 1, batchSize: 64, microShard: 4, seed: 2, threads: 2, shuffle: false, onBatchEnd: (b) => b.step === results.length && b.stop() });
  if (results.length > 0) await tr.fit(ds);
  t.deepEqual(model.params, reference.params);
});

test('stop() and pause() during a run revoke its steps not yet started (an engine that records the calls)', async (t) => {
  const calls: string[] = [];
  let cut: (() => void) | null = null;
  const engine: StepEngine = {
    step: () => ({ lossSum: 0, correct: 0 }),
    // A run that lasts until it is revoked, then reports 2 steps applied.
    runSteps: async (_d, _o, batches) => {
      calls.push(`run of ${batches.length}`);
      await new Promise<void>((resolve) => (cut = resolve));
      return { results: batches.slice(0, 2).map(() => ({ lossSum: 1, correct: 0 })), error: null };
    },
    revoke: () => {
      calls.push('revoke');
      cut?.();
    },
  };
  const { tr } = trainer({ engine, epochs: 1 });
  const fitting = tr.fit(data(200));
  await new Promise((r) => setImmediate(r));
  tr.pause();
  await new Promise((r) => setImmediate(r));
  t.deepEqual(calls, ['run of 25', 'revoke'], 'pause() revoked the run in flight (the rest of the epoch)');
  tr.stop();
  await fitting;
  t.is(tr.snapshot().step, 2, 'the 2 steps the run applied count');
  t.is(tr.snapshot().inEpoch!.next, 16);
});

// Serial (before the others): it measures steps against a short deadline.
test.serial('a thread that is late once in each step of a run: each step is redone once (maxRetries counts per step), and the weights are a clean run\'s', async (t) => {
  const ds = data(48); // 6 steps in one run
  const clean = trainer({ epochs: 1, shuffle: false });
  await clean.tr.fit(ds);
  const slow = trainer({ epochs: 1, shuffle: false, parallel: { fault: { kind: 'slow', step: -1, shard: 1, times: 1, ms: 600 }, stepTimeout: 250, maxRetries: 2 } });
  await slow.tr.fit(ds);
  t.is((slow.tr.stepEngine as ParallelEngine).retries, 6);
  t.deepEqual(slow.model.params, clean.model.params);
});

test('driving the engine: a run whose last step is not finite, then another run, which goes on at once; a prefetched step cancelled by a run is not counted twice', async (t) => {
  const ds = data(64, 8 * 2 + 1); // row 17: step 2
  const model = new Model([dense(5, 24), activation('tanh'), dense(24, 1)], { dtype: 'float64', seed: 4 });
  const optimizer = new Adam(model.parameters(), { lr: 0.01 });
  const engine = new ParallelEngine(model, lossByName('mse'), optimizer, { clipNorm: null, clipValue: null }, 2, { threads: 2, microShard: 4, stepTimeout: 60_000 });
  const order = Int32Array.from({ length: ds.size }, (_, i) => i);
  const batch = (i: number) => ({ start: 8 * i, end: 8 * i + 8, step: i });
  await engine.begin(ds, 8);
  await engine.step(ds, order, 0, 8, 0);
  t.true(engine.prefetch(ds, order, 8, 16, 1));
  const first = await engine.runSteps(ds, order, [batch(1), batch(2)]); // cancels the prefetched step 1, runs 1 and 2
  t.is(first.results.length, 1);
  t.true(first.error instanceof NonFiniteGradientError);
  const second = await engine.runSteps(ds, order, [batch(3), batch(4), batch(5)]);
  t.is(second.error, null);
  t.is(second.results.length, 3);
  t.is(engine.retries, 0, 'no thread was taken for hung');
  await engine.end();
  t.is(optimizer.stepCount, 5, 'steps 0, 1, 3, 4 and 5');
});

test('end() in the middle of a run: nothing half-done is copied, and the optimizer and the parameters hold exactly the steps applied', async (t) => {
  const ds = data(4000);
  const model = new Model([dense(5, 24), activation('tanh'), dense(24, 1)], { dtype: 'float64', seed: 4 });
  const optimizer = new Adam(model.parameters(), { lr: 0.01 });
  const engine = new ParallelEngine(model, lossByName('mse'), optimizer, { clipNorm: null, clipValue: null }, 2, { threads: 2, microShard: 4 });
  const order = Int32Array.from({ length: ds.size }, (_, i) => i);
  await engine.begin(ds, 8);
  const running = engine.runSteps(ds, order, Array.from({ length: 500 }, (_, i) => ({ start: 8 * i, end: 8 * i + 8, step: i })));
  // Some steps may finish first: applied, their results not yet taken when end() copies out.
  await new Promise((r) => setTimeout(r, 3));
  await engine.end();
  const { results } = await running;
  t.is(optimizer.stepCount, results.length, `${results.length} steps applied`);
  const { model: reference, tr } = trainer({ epochs: 1, shuffle: false, onBatchEnd: (b) => b.step === results.length && b.stop() });
  if (results.length > 0) await tr.fit(ds);
  t.deepEqual(model.params, reference.params, 'the parameters of exactly the steps counted');
});

test('driving the engine: a shard that throws in a prefetched step a run has cancelled fails the run, and undoes no applied step', async (t) => {
  const ds = data(64);
  const model = new Model([dense(5, 24), activation('tanh'), dense(24, 1)], { dtype: 'float64', seed: 4 });
  const optimizer = new Adam(model.parameters(), { lr: 0.01 });
  const engine = new ParallelEngine(model, lossByName('mse'), optimizer, { clipNorm: null, clipValue: null }, 2, { threads: 2, microShard: 4, fault: { kind: 'throw', step: 1, shard: 0, times: 99 } });
  const order = Int32Array.from({ length: ds.size }, (_, i) => i);
  await engine.begin(ds, 8);
  await engine.step(ds, order, 0, 8, 0);
  t.true(engine.prefetch(ds, order, 8, 16, 1));
  const { results, error } = await engine.runSteps(ds, order, [{ start: 8, end: 16, step: 1 }]);
  t.is(results.length, 0);
  t.regex(String(error), /step 1, micro-shard 0/);
  await engine.end();
  t.is(optimizer.stepCount, 1, 'step 0 stands');
});

test('driving the engine: a step queued behind a non-finite one, then cancelled by a run: every thread skips it, nothing waits for a deadline', async (t) => {
  const ds = data(64, 3); // row 3: step 0
  const model = new Model([dense(5, 24), activation('tanh'), dense(24, 1)], { dtype: 'float64', seed: 4 });
  const optimizer = new Adam(model.parameters(), { lr: 0.01 });
  const engine = new ParallelEngine(model, lossByName('mse'), optimizer, { clipNorm: null, clipValue: null }, 2, { threads: 2, microShard: 4, stepTimeout: 60_000 });
  const order = Int32Array.from({ length: ds.size }, (_, i) => i);
  await engine.begin(ds, 8);
  await t.throwsAsync(engine.step(ds, order, 0, 8, 0), { instanceOf: NonFiniteGradientError });
  t.true(engine.prefetch(ds, order, 8, 16, 1));
  const { results, error } = await engine.runSteps(ds, order, [{ start: 16, end: 24, step: 1 }, { start: 24, end: 32, step: 2 }]);
  t.is(error, null);
  t.is(results.length, 2);
  t.is(engine.retries, 0);
  await engine.end();
  t.is(optimizer.stepCount, 2);
});

test('onProgress is passive: the steps still go in runs, and it hears the epoch grow to its end, with the loss the epoch record reports', async (t) => {
  const perEpoch = QUEUE_SLOTS + 36;
  const ds = data(8 * perEpoch);
  const seen: ProgressInfo[] = [];
  const mismatches: string[] = [];
  const runs = trainer({
    epochs: 2,
    onProgress: (i) => {
      seen.push({ ...i });
      // A snapshot taken here (a checkpoint every N steps) holds what it reports.
      const snap = runs.tr.snapshot();
      if (snap.step !== i.step || snap.inEpoch?.next !== i.rows) mismatches.push(`step ${snap.step}/${i.step}, row ${snap.inEpoch?.next}/${i.rows}`);
    },
  });
  const history = await runs.tr.fit(ds);
  t.deepEqual(mismatches, []);
  const watched = trainer({ epochs: 2, onBatchEnd: () => {} });
  await watched.tr.fit(ds);
  t.deepEqual(runs.model.params, watched.model.params);
  const wakes = (runs.tr.stepEngine as ParallelEngine).profile().wakes;
  t.true(wakes <= 2 * Math.ceil(perEpoch / (QUEUE_SLOTS / 2)) + 2, `${wakes} wake-ups for ${2 * perEpoch} steps`);
  t.true(seen.length >= 2 && seen.length < perEpoch, `${seen.length} reports for ${2 * perEpoch} steps`);
  for (const epoch of [1, 2]) {
    const mine = seen.filter((i) => i.epoch === epoch);
    t.true(mine.length > 0);
    t.true(mine.every((i, k) => k === 0 || (i.rows > mine[k - 1].rows && i.step > mine[k - 1].step)), 'rows and steps only grow');
    t.true(mine.every((i) => i.rows === 8 * i.batches));
    const last = mine[mine.length - 1];
    t.is(last.rows, ds.size);
    t.is(last.step, epoch * perEpoch);
    t.is(last.lossSum / last.rows, history[epoch - 1].trainLoss);
  }
});

test('one at a time (an onBatchEnd as well), onProgress hears every step', async (t) => {
  const seen: number[] = [];
  const { tr } = trainer({ epochs: 1, onBatchEnd: () => {}, onProgress: (i) => seen.push(i.step) });
  await tr.fit(data(80));
  t.deepEqual(seen, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
});

test('an onProgress that throws ends the run after the step in flight: fit rejects with its error, and the weights are those of the steps counted', async (t) => {
  const ds = data(8 * (QUEUE_SLOTS + 36));
  const { model, tr } = trainer({ epochs: 1, shuffle: false, onProgress: () => { throw new Error('progress failed'); } });
  await t.throwsAsync(tr.fit(ds), { message: 'progress failed' });
  const steps = tr.snapshot().step;
  t.true(steps > 0 && steps < QUEUE_SLOTS + 36, `${steps} steps`);
  t.is(tr.options.optimizer.stepCount, steps);
  const clean = trainer({ epochs: 1, shuffle: false, onBatchEnd: (b) => b.step === steps && b.stop() });
  await clean.tr.fit(ds);
  t.deepEqual(model.params, clean.model.params);
});

/** StepLR every 3 batches on `tr`'s optimizer, stepped per batch. */
function perBatch(extra: Partial<TrainerOptions> = {}) {
  const model = new Model([dense(5, 24), activation('tanh'), dense(24, 1)], { dtype: 'float64', seed: 4 });
  const optimizer = new Adam(model.parameters(), { lr: 0.01 });
  const schedule = new StepLR(optimizer, { stepSize: 3, gamma: 0.9 });
  const tr = new Trainer(model, { optimizer, loss: 'mse', epochs: 2, batchSize: 8, microShard: 4, seed: 2, threads: 2, schedule, scheduleEvery: 'batch', ...extra });
  return { model, optimizer, schedule, tr };
}

test('a per-batch schedule that can be stepped ahead keeps runs of steps: the weights, the learning rate and the schedule end as one step at a time', async (t) => {
  const ds = data(8 * (QUEUE_SLOTS + 36));
  const runs = perBatch();
  await runs.tr.fit(ds);
  const watched = perBatch({ onBatchEnd: () => {} });
  await watched.tr.fit(ds);
  t.deepEqual(runs.model.params, watched.model.params);
  t.is(runs.optimizer.getLr(0), watched.optimizer.getLr(0));
  t.deepEqual(runs.schedule.stateDict(), watched.schedule.stateDict());
  const wakes = (runs.tr.stepEngine as ParallelEngine).profile().wakes;
  t.true(wakes <= 2 * Math.ceil((QUEUE_SLOTS + 36) / (QUEUE_SLOTS / 2)) + 2, `${wakes} wake-ups: in runs`);
});

test('a per-batch schedule in a run cut short (stop() from outside, a non-finite step): it is put back to the steps applied', async (t) => {
  const ds = data(8 * (QUEUE_SLOTS + 36), 8 * (QUEUE_SLOTS + 20) + 3); // a non-finite step after a refill
  const cut = perBatch({ epochs: 1, shuffle: false });
  await t.throwsAsync(cut.tr.fit(ds), { instanceOf: NonFiniteGradientError });
  const steps = cut.tr.snapshot().step;
  t.is(steps, QUEUE_SLOTS + 20);
  const clean = perBatch({ epochs: 1, shuffle: false, onBatchEnd: (b) => b.step === steps && b.stop() });
  await clean.tr.fit(ds);
  t.deepEqual(cut.model.params, clean.model.params);
  t.is(cut.optimizer.getLr(0), clean.optimizer.getLr(0));
  t.deepEqual(cut.schedule.stateDict(), clean.schedule.stateDict());
  // stop() from outside, mid-run.
  const long = data(4000);
  const stopped = perBatch({ epochs: 1, shuffle: false });
  const timer = setInterval(() => (stopped.tr.stepEngine as ParallelEngine).profile().steps >= 20 && stopped.tr.stop(), 2);
  await stopped.tr.fit(long);
  clearInterval(timer);
  const n = stopped.tr.snapshot().step;
  t.true(n >= 20 && n < 500, `${n} steps`);
  const same = perBatch({ epochs: 1, shuffle: false, onBatchEnd: (b) => b.step === n && b.stop() });
  await same.tr.fit(long);
  t.deepEqual(stopped.model.params, same.model.params);
  t.is(stopped.optimizer.getLr(0), same.optimizer.getLr(0));
  t.deepEqual(stopped.schedule.stateDict(), same.schedule.stateDict());
});

test('a per-batch schedule that cannot be saved and restored takes steps one at a time', async (t) => {
  const model = new Model([dense(5, 24), activation('tanh'), dense(24, 1)], { dtype: 'float64', seed: 4 });
  let stepped = 0;
  const tr = new Trainer(model, { optimizer: new Adam(model.parameters(), { lr: 0.01 }), loss: 'mse', epochs: 1, batchSize: 8, microShard: 4, seed: 2, threads: 2, schedule: { step: () => void stepped++ }, scheduleEvery: 'batch' });
  await tr.fit(data(400));
  t.is(stepped, 50);
  t.true((tr.stepEngine as ParallelEngine).profile().wakes >= 25, 'a wake-up for most steps');
});

test('a per-batch schedule that throws when stepped ahead: the steps queued before it run, and fit rejects with its error after as many steps as one at a time', async (t) => {
  const build = (extra: Partial<TrainerOptions>) => {
    const model = new Model([dense(5, 24), activation('tanh'), dense(24, 1)], { dtype: 'float64', seed: 4 });
    const optimizer = new Adam(model.parameters(), { lr: 0.01 });
    const inner = new StepLR(optimizer, { stepSize: 3, gamma: 0.9 });
    let calls = 0;
    const schedule = {
      step: () => {
        if (++calls === 30) throw new Error('schedule failed');
        inner.step();
      },
      stateDict: () => ({ inner: inner.stateDict(), calls }),
      loadStateDict: (s: { inner: unknown; calls: number }) => {
        inner.loadStateDict(s.inner as never);
        calls = s.calls;
      },
    };
    const tr = new Trainer(model, { optimizer, loss: 'mse', epochs: 1, batchSize: 8, microShard: 4, seed: 2, threads: 2, schedule, scheduleEvery: 'batch', shuffle: false, ...extra });
    return { model, optimizer, tr };
  };
  const runs = build({});
  await t.throwsAsync(runs.tr.fit(data(8 * 100)), { message: 'schedule failed' });
  const watched = build({ onBatchEnd: () => {} });
  await t.throwsAsync(watched.tr.fit(data(8 * 100)), { message: 'schedule failed' });
  t.is(runs.optimizer.stepCount, 30, 'the 30 steps planned before it threw');
  t.is(runs.tr.snapshot().step, 30);
  t.is(watched.optimizer.stepCount, 30);
  t.deepEqual(runs.model.params, watched.model.params);
  t.is(runs.optimizer.getLr(0), watched.optimizer.getLr(0));
});

test('a per-batch schedule with an engine that does not call beforeIssue (no issueHook): steps one at a time', (t) => {
  const engine: StepEngine = { step: () => ({ lossSum: 0, correct: 0 }), runSteps: async () => ({ results: [], error: null }) };
  const model = new Model([dense(5, 24), activation('tanh'), dense(24, 1)], { dtype: 'float64', seed: 4 });
  const optimizer = new Adam(model.parameters(), { lr: 0.01 });
  const schedule = new StepLR(optimizer, { stepSize: 3, gamma: 0.9 });
  t.false(canRunSteps(engine, { schedule, scheduleEvery: 'batch' }));
  t.true(canRunSteps(engine, { schedule, scheduleEvery: 'epoch' }));
  t.true(canRunSteps({ ...engine, issueHook: true }, { schedule, scheduleEvery: 'batch' }));
});

test('onProgress during a run that fits the queue (no refill): the coordinator still reports every ~100 ms, not only at the end', async (t) => {
  // 40 steps (one fill of the queue), each made to last 20 ms (a thread late on shard 0): ~0.8 s.
  const ds = data(8 * 40);
  const seen: number[] = [];
  const { tr } = trainer({ epochs: 1, onProgress: (i) => seen.push(i.rows), parallel: { fault: { kind: 'slow', step: -1, shard: 0, times: 1, ms: 20 } } });
  await tr.fit(ds);
  t.is(seen[seen.length - 1], ds.size);
  t.true(seen.length >= 4, `${seen.length} reports over 40 steps of 20 ms`);
  t.true(seen.every((r, k) => k === 0 || r > seen[k - 1]));
});

test('driving the engine: revoke() while a run waits for its slots (a step still in flight) keeps the run from starting', async (t) => {
  const { ds, optimizer, engine, order } = await heavyEngine();
  const first = engine.step(ds, order, 0, 64, 0); // several milliseconds: still in flight below
  const running = engine.runSteps(ds, order, [{ start: 64, end: 128, step: 1 }, { start: 128, end: 192, step: 2 }]);
  engine.revoke();
  const { results, error } = await running;
  await first;
  t.is(error, null);
  t.deepEqual(results, []);
  await engine.end();
  t.is(optimizer.stepCount, 1, 'only the step in flight');
});
