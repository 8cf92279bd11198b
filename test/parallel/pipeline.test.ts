/**
 * The queued next step (ParallelEngine.prefetch, used by the trainer): whatever happens at a step
 * boundary (a learning rate changed by a callback, pause, currentParams(), a non-finite step),
 * the run ends exactly as with the serial engine, which never queues anything.
 */
import test from 'ava';
import { makeDataset, type Dataset } from '../../src/data/dataset.js';
import { activation } from '../../src/nn/activation.js';
import { dense } from '../../src/nn/dense.js';
import { Model } from '../../src/nn/model.js';
import { NAdam } from '../../src/optim/nadam.js';
import { StepLR } from '../../src/optim/schedules/index.js';
import { Rng } from '../../src/rng.js';
import { Trainer, type BatchInfo } from '../../src/train/trainer.js';
import { NonFiniteGradientError } from '../../src/train/update.js';

function data(n = 96, bad = -1): Dataset {
  const rng = new Rng(3);
  const x: number[][] = [];
  const targets: number[][] = [];
  for (let i = 0; i < n; i++) {
    const row = Array.from({ length: 6 }, () => rng.normal());
    x.push(row);
    targets.push([i === bad ? 1e308 : row[0] - row[1] * row[2]]);
  }
  return makeDataset({ x, targets }, 'float64');
}

const build = () => new Model([dense(6, 16), activation('tanh'), dense(16, 1)], { dtype: 'float64', seed: 2 });

type MakeSchedule = (o: NAdam) => StepLR;

async function run(engine: 'parallel' | 'serial', threads: number, onBatch: (b: BatchInfo, tr: Trainer, o: NAdam) => void | Promise<void>, ds = data(), makeSchedule: MakeSchedule = (o) => new StepLR(o, { stepSize: 2, gamma: 0.7 })) {
  const model = build();
  const optimizer = new NAdam(model.parameters(), { lr: 0.01 });
  const lrs: number[] = [];
  let error: unknown = null;
  const schedule = makeSchedule(optimizer);
  const trainer: Trainer = new Trainer(model, {
    optimizer, loss: 'mse', epochs: 3, batchSize: 16, microShard: 8, seed: 5, engine, threads, shuffle: ds.size !== 95,
    schedule, scheduleEvery: 'batch',
    onBatchEnd: (b) => {
      lrs.push(optimizer.getLr(0));
      void onBatch(b, trainer, optimizer);
    },
  });
  try {
    await trainer.fit(ds);
  } catch (e) {
    error = e;
  }
  return { params: Float64Array.from(model.params), lrs, stepCount: optimizer.stepCount, state: optimizer.stateDict(), error, snap: trainer.snapshot(), schedule: schedule.stateDict(), lr: optimizer.getLr(0) };
}

function close(t: import('ava').ExecutionContext, a: Float64Array, b: Float64Array) {
  let worst = 0;
  a.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - b[i]))));
  t.true(worst <= 1e-12, `largest difference ${worst}`);
}

async function compare(t: import('ava').ExecutionContext, onBatch: (b: BatchInfo, tr: Trainer, o: NAdam) => void | Promise<void>, ds?: Dataset, makeSchedule?: MakeSchedule) {
  const serial = await run('serial', 1, onBatch, ds, makeSchedule);
  const one = await run('parallel', 1, onBatch, ds, makeSchedule);
  const two = await run('parallel', 2, onBatch, ds, makeSchedule);
  t.deepEqual(one.params, two.params, '1 and 2 threads bit-identical');
  close(t, one.params, serial.params);
  for (const r of [one, two]) {
    t.deepEqual(r.lrs, serial.lrs, 'same learning rate sequence');
    t.is(r.stepCount, serial.stepCount);
    t.deepEqual(r.snap.step, serial.snap.step);
    t.is(String(r.error), String(serial.error));
    t.deepEqual(r.schedule, serial.schedule, 'the schedule ends where the serial engine\'s does (a failed step undoes the one taken ahead)');
    t.is(r.lr, serial.lr);
  }
  return serial;
}

test('per-batch schedule and learning rates changed by a callback: the queued step is re-planned', async (t) => {
  const s = await compare(t, (b, _tr, o) => {
    if (b.step % 3 === 1) o.setLr(0, o.getLr(0) * 1.5);
  });
  t.is(s.error, null);
  t.is(s.stepCount, 3 * (96 / 16), '3 epochs of 96 rows in batches of 16');
  t.is(s.lrs.length, s.stepCount);
});

test('currentParams() and pause()/resume() inside an epoch, then stop(): same as the serial engine', async (t) => {
  const s = await compare(t, async (b, tr) => {
    if (b.step === 2) await tr.currentParams();
    if (b.step === 4) {
      tr.pause();
      setTimeout(() => tr.resume(), 30);
    }
    if (b.step === 9) b.stop();
  });
  t.is(s.error, null);
  t.is(s.stepCount, 9);
  t.is(s.snap.step, 9);
});

test('a non-finite step with a step queued behind it: neither counts', async (t) => {
  // Not shuffled (95 rows): row 40 is in batch 2 (rows 32-47), so step 2 fails, step 3 being queued.
  const s = await compare(t, () => {}, data(95, 40));
  t.true(s.error instanceof NonFiniteGradientError);
  t.regex(String(s.error), /step 2: gradient/);
  t.is(s.stepCount, 2);
});

test('a per-batch schedule that throws: the step in flight still counts, as with the serial engine', async (t) => {
  /** StepLR whose 4th step() throws (the parallel trainer calls it while queuing step 5). */
  class Failing extends StepLR {
    private calls = 0;
    override step(): void {
      if (++this.calls === 4) throw new Error('schedule failed on its 4th step');
      super.step();
    }
  }
  const s = await compare(t, () => {}, undefined, (o) => new Failing(o, { stepSize: 2, gamma: 0.7 }));
  t.regex(String(s.error), /schedule failed on its 4th step/);
  t.is(s.stepCount, 4, 'four steps applied and counted before the schedule failed');
  t.is(s.snap.step, 4);
});
