import test from 'ava';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { makeDataset } from '../../src/data/dataset.js';
import { lossByName } from '../../src/losses/index.js';
import { activation } from '../../src/nn/activation.js';
import { dense } from '../../src/nn/dense.js';
import { Model } from '../../src/nn/model.js';
import { SGD } from '../../src/optim/sgd.js';
import { ParallelEngine, ShardError, WorkerFailure, type ParallelOptions } from '../../src/parallel/engine.js';
import type { FaultSpec } from '../../src/parallel/runArena.js';
import { Rng } from '../../src/rng.js';
import { Trainer } from '../../src/train/trainer.js';
import { NonFiniteGradientError } from '../../src/train/update.js';

const rng = new Rng(5);
const x = Array.from({ length: 96 }, () => [rng.normal(), rng.normal(), rng.normal()]);
const train = makeDataset({ x, labels: x.map((r) => (r[0] * r[1] > 0 ? 1 : 0)) }, 'float64');

function trainer(parallel: ParallelOptions = {}, threads = 2) {
  const model = new Model([dense(3, 16), activation('tanh'), dense(16, 2)], { dtype: 'float64', seed: 1 });
  const t = new Trainer(model, { optimizer: new SGD(model.parameters(), { lr: 0.1, momentum: 0.9 }), loss: 'softmax-cross-entropy', epochs: 2, batchSize: 48, microShard: 8, threads, parallel });
  return { model, t };
}

const fault = (kind: FaultSpec['kind'], times: number): FaultSpec => ({ kind, step: 1, shard: 3, times });

test('a shard that throws fails the step with an error naming the micro-shard and carrying the cause; a new run works', async (t) => {
  const clean = trainer();
  await clean.t.fit(train);
  const { t: tr } = trainer({ fault: fault('throw', 99) });
  const e = await t.throwsAsync(tr.fit(train), { instanceOf: ShardError });
  t.regex(e!.message, /step 1, micro-shard 3: .*injected fault at step 1, shard 3/);
  t.truthy(e!.cause);
  const { model, t: again } = trainer();
  await again.fit(train);
  t.deepEqual(model.params, clean.model.params, 'the new run trains as one before the failure did');
});

// Serial (run before the others, one at a time): these measure steps against a deadline, and the
// other tests of this file keep both cores busy (the hang fault spins until it is terminated).
for (const kind of ['exit', 'hang'] as const) {
  test.serial(`a thread that ${kind === 'exit' ? 'exits mid-task' : 'hangs past the step deadline'} is replaced and the step redone: results identical to a clean run`, async (t) => {
    const clean = trainer();
    await clean.t.fit(train);
    const faulty = trainer({ fault: fault(kind, 1), stepTimeout: 1500 });
    await faulty.t.fit(train);
    t.is((faulty.t.stepEngine as ParallelEngine).retries, 1);
    t.deepEqual(faulty.model.params, clean.model.params);
  });
}

for (const threads of [1, 2]) {
  test.serial(`a thread still alive but past the step deadline (${threads} thread${threads > 1 ? 's' : ''}): the step is redone once, never applied twice`, async (t) => {
    const clean = trainer();
    await clean.t.fit(train);
    const slow = trainer({ fault: { kind: 'slow', step: 1, shard: 5, times: 1, ms: 1500 }, stepTimeout: 700 }, threads);
    await slow.t.fit(train);
    t.is((slow.t.stepEngine as ParallelEngine).retries, 1);
    t.deepEqual(slow.model.params, clean.model.params);
  });
}

test('a step given up does not count on the optimizer: its step count is the steps applied', async (t) => {
  const { model, t: tr } = trainer({ fault: fault('throw', 99) });
  await t.throwsAsync(tr.fit(train), { instanceOf: ShardError });
  t.is(tr.options.optimizer.stepCount, 1, 'step 0 applied, step 1 failed');
  t.is(tr.snapshot().step, 1);
  t.true(model.params.every(Number.isFinite));
});

test('driving the engine directly: after a step is given up, step() rejects, naming it, until end() and begin(); what was applied before is kept', async (t) => {
  const { lossByName } = await import('../../src/losses/index.js');
  const model = new Model([dense(3, 16), activation('tanh'), dense(16, 2)], { dtype: 'float64', seed: 1 });
  const optimizer = new SGD(model.parameters(), { lr: 0.1 });
  const engine = new ParallelEngine(model, lossByName('softmax-cross-entropy'), optimizer, { clipNorm: null, clipValue: null }, 3, { threads: 2, microShard: 8, fault: fault('throw', 99) });
  const order = Int32Array.from({ length: train.size }, (_, i) => i);
  await engine.begin(train, 48);
  await engine.step(train, order, 0, 48, 0);
  await t.throwsAsync(engine.step(train, order, 48, 96, 1), { instanceOf: ShardError });
  const e = await t.throwsAsync(engine.step(train, order, 0, 48, 2), { instanceOf: WorkerFailure });
  t.regex(e!.message, /this run stopped at a failed step \(step 1, micro-shard 3: .*\); call end\(\) and begin\(\) to train again/);
  t.false(engine.prefetch(train, order, 48, 96, 3), 'nothing is queued either');
  const before = Float64Array.from(model.params);
  await engine.end();
  t.notDeepEqual(Float64Array.from(model.params), before, 'end() copied out step 0');
  t.is(optimizer.stepCount, 1);
  await engine.begin(train, 48);
  await engine.step(train, order, 0, 48, 2); // the fault is at step 1 only
  await engine.end();
  t.is(optimizer.stepCount, 2);
});

test('a thread that dies while applying an update: not retried; the model keeps its last synchronized parameters and the trainer refuses to go on until restore()', async (t) => {
  const { model, t: tr } = trainer({ fault: { kind: 'exit', step: 1, shard: 0, times: 99, phase: 'update' } });
  const before = Float64Array.from(model.params);
  const start = tr.snapshot();
  const e = await t.throwsAsync(tr.fit(train), { instanceOf: WorkerFailure });
  t.true(e!.torn);
  t.regex(e!.message, /failed while applying the update of step 1: parameters may be partly updated/);
  t.is((tr.stepEngine as ParallelEngine).retries, 0);
  t.deepEqual(Float64Array.from(model.params), before, 'no synchronization yet in this run: the parameters it started with');
  await t.throwsAsync(tr.fit(train), { message: /^fit\(\): the run failed while applying an update .*restore\(\) a checkpoint/ });
  t.throws(() => tr.snapshot(), { message: /^snapshot\(\): the run failed while applying an update/ });
  tr.restore(start);
  t.notThrows(() => tr.snapshot());
  await t.throwsAsync(tr.fit(train), { instanceOf: WorkerFailure, message: /while applying the update of step 1/ }, 'restored, it trains again (and meets the same fault)');
});

test('threads replaced again and again: once the arena has no room for another, a clear error', async (t) => {
  const model = new Model([dense(3, 16), activation('tanh'), dense(16, 2)], { dtype: 'float64', seed: 1 });
  const tr = new Trainer(model, { optimizer: new SGD(model.parameters(), { lr: 0.1 }), loss: 'softmax-cross-entropy', epochs: 20, batchSize: 48, microShard: 8, threads: 2, parallel: { fault: { kind: 'exit', step: -1, shard: 0, times: 1 } } });
  const e = await t.throwsAsync(tr.fit(train), { instanceOf: WorkerFailure });
  t.regex(e!.message, /could not be restarted after a failure: .*no room left in this run's arena for a new worker thread's buffers: too many threads were replaced/);
  t.true((tr.stepEngine as ParallelEngine).retries >= 8);
});

test('both threads crash in one attempt, or a thread crashes while reducing: the step is redone, results identical', async (t) => {
  const clean = trainer();
  await clean.t.fit(train);
  for (const f of [
    { kind: 'exit' as const, step: 1, shard: -1, times: 1 },
    { kind: 'exit' as const, step: 2, shard: 0, times: 1, phase: 'reduce' as const },
  ]) {
    const faulty = trainer({ fault: f });
    await faulty.t.fit(train);
    t.is((faulty.t.stepEngine as ParallelEngine).retries, 1, JSON.stringify(f));
    t.deepEqual(faulty.model.params, clean.model.params, JSON.stringify(f));
  }
});

test('a thread that keeps crashing: retried at most 2 times, then a clear error', async (t) => {
  const { t: tr } = trainer({ fault: fault('exit', 99) });
  const e = await t.throwsAsync(tr.fit(train), { instanceOf: WorkerFailure });
  t.regex(e!.message, /step 1 failed 3 times \(a worker thread crashed or hung; maxRetries = 2\)/);
});

test('a thread over its memory limit: a clear error and no respawn loop', async (t) => {
  const { t: tr } = trainer({ fault: fault('oom', 99), resourceLimits: { maxOldGenerationSizeMb: 48 } });
  const e = await t.throwsAsync(tr.fit(train), { instanceOf: WorkerFailure });
  t.regex(e!.message, /ran out of memory in step 1 \(resourceLimits\.maxOldGenerationSizeMb = 48\); not retried/);
  t.is((tr.stepEngine as ParallelEngine).retries, 0);
});

test('a NaN or Infinity in a gradient: the update is not applied; the error names the step and the layer', async (t) => {
  const model = new Model([dense(2, 4), activation('tanh'), dense(4, 1)], { dtype: 'float64', seed: 1 });
  const data = makeDataset({ x: [[1, 2], [3, 4], [5, 6], [7, 8]], targets: [[1], [2], [1e308], [3]] }, 'float64');
  const before = model.params.slice();
  const optimizer = new SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
  const tr = new Trainer(model, { optimizer, loss: 'mse', epochs: 1, batchSize: 4, microShard: 2, threads: 2, shuffle: false });
  const e = await t.throwsAsync(tr.fit(data), { instanceOf: NonFiniteGradientError });
  t.regex(e!.message, /^step 0: gradient of 0\.dense\.W is (-?Infinity|NaN); the update was not applied/);
  t.deepEqual(model.params, before);
  t.is(optimizer.stepCount, 0, 'the step that was not applied does not count');
  t.true(optimizer.state.momentumBuffer.every((v) => v === 0), 'nor did it touch the optimizer state');
});

test('stop(): the step in flight finishes, the one queued behind it is not applied, and the run ends with its weights; going on ends as an uninterrupted run', async (t) => {
  const clean = trainer();
  await clean.t.fit(train);
  const { model, t: base } = trainer();
  const tr = new Trainer(model, { ...base.options, onBatchEnd: (b) => b.step === 3 && b.stop() });
  const history = await tr.fit(train);
  t.is(history.length, 1, 'stopped in epoch 2, which stays open');
  t.is(tr.snapshot().inEpoch!.next, 48);
  t.is(tr.options.optimizer.stepCount, 3);
  t.notDeepEqual(model.params, clean.model.params);
  await tr.fit(train);
  t.is(tr.options.optimizer.stepCount, 4);
  t.deepEqual(model.params, clean.model.params, 'the weights at the stop were those of step 3, not of step 4 or of an earlier sync');
});

test('a process that trained and closed its pool exits by itself', (t) => {
  const script = fileURLToPath(new URL('./trainAndExit.js', import.meta.url));
  const r = spawnSync(process.execPath, [script], { timeout: 60_000, encoding: 'utf8' });
  t.is(r.signal, null, 'not killed by the timeout');
  t.is(r.status, 0, r.stderr);
  t.regex(r.stdout, /trained 2 epochs on 2 threads/);
  const active = JSON.parse(/active: (.*)/.exec(r.stdout)![1]) as string[];
  t.false(active.includes('Timeout'), `no timer is left pending after fit() (it kept the process alive): ${active.join(', ')}`);
});

test('a run whose threads cannot start fails in begin() and leaves nothing running: the process exits without end()', (t) => {
  const script = fileURLToPath(new URL('./beginFailsAndExit.js', import.meta.url));
  const r = spawnSync(process.execPath, [script], { timeout: 60_000, encoding: 'utf8' });
  t.is(r.signal, null, 'not killed by the timeout');
  t.is(r.status, 0, r.stderr);
  t.regex(r.stdout, /begin failed: .*memory limit/);
});

test('end() while a step is in flight: the step rejects with a WorkerFailure saying so', async (t) => {
  const model = new Model([dense(2, 16), dense(16, 1)], { dtype: 'float64', seed: 1 });
  const n = 256;
  const data = makeDataset({ x: Array.from({ length: n }, (_, i) => [i / n, 1 - i / n]), targets: Array.from({ length: n }, (_, i) => [i / n]) }, 'float64');
  const engine = new ParallelEngine(model, lossByName('mse'), new SGD(model.parameters(), { lr: 0.01 }), { clipNorm: null, clipValue: null }, 1,
    { threads: 2, microShard: 8, fault: { kind: 'slow', step: 0, shard: 0, times: 1, ms: 500 } });
  await engine.begin(data, n);
  const step = engine.step(data, Int32Array.from({ length: n }, (_, i) => i), 0, n, 0);
  await new Promise((resolve) => setTimeout(resolve, 50));
  await engine.end();
  const e = await t.throwsAsync(step, { instanceOf: WorkerFailure });
  t.regex(e!.message, /step 0: the run was ended \(end\(\)\) while the step was in flight/);
});
