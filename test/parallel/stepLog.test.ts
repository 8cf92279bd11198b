/**
 * Per-step times (ParallelEngine.stepTimes, src/parallel/stepLog.ts): one entry per step whose
 * next step has run, oldest first, consistent with the summed profile() and with the wall clock,
 * and never an entry of a step the ring has since overwritten.
 */
import test from 'ava';
import { QUEUE_SLOTS } from '../../src/parallel/control.js';
import { makeDataset } from '../../src/data/dataset.js';
import { activation } from '../../src/nn/activation.js';
import { dense } from '../../src/nn/dense.js';
import { Model } from '../../src/nn/model.js';
import { SGD } from '../../src/optim/sgd.js';
import { ParallelEngine } from '../../src/parallel/engine.js';
import { STEP_LOG } from '../../src/parallel/runArena.js';
import { Rng } from '../../src/rng.js';
import { Trainer } from '../../src/train/trainer.js';

async function train(threads: number, rows: number, batchSize: number, epochs: number) {
  const rng = new Rng(4);
  const x = Array.from({ length: rows }, () => [rng.normal(), rng.normal(), rng.normal()]);
  const data = makeDataset({ x, targets: x.map((r) => [r[0] * r[1] - r[2]]) }, 'float32');
  const model = new Model([dense(3, 8), activation('relu'), dense(8, 1)], { dtype: 'float32', seed: 1 });
  const trainer = new Trainer(model, { optimizer: new SGD(model.parameters(), { lr: 0.01 }), loss: 'mse', epochs, batchSize, microShard: 4, threads, seed: 2 });
  const engine = trainer.stepEngine;
  if (!(engine instanceof ParallelEngine)) throw new Error('expected a ParallelEngine');
  const t0 = performance.now();
  await trainer.fit(data);
  return { engine, seconds: (performance.now() - t0) / 1000 };
}

for (const threads of [1, 2]) {
  test(`${threads} thread(s): an entry for every step but the last, within the run's wall time and the profile's sums`, async (t) => {
    const { engine, seconds } = await train(threads, 64, 8, 3); // 24 steps
    const profile = engine.profile();
    const times = engine.stepTimes(1000);
    t.is(profile.steps, 24);
    t.is(times.length, 23, 'the last step has no next step to end its wall time');
    for (const s of times) {
      t.true(s.wallSeconds > 0 && s.forwardBackwardSeconds > 0, JSON.stringify(s));
    }
    const sum = (a: number[]) => a.reduce((x, y) => x + y, 0);
    t.true(sum(times.map((s) => s.wallSeconds)) < seconds, 'the steps fit in the run');
    const fb = sum(profile.forwardBackward) / threads;
    const logged = sum(times.map((s) => s.forwardBackwardSeconds));
    t.true(logged <= fb * (1 + 1e-9) && logged > 0, `logged ${logged} s of forward/backward, the profile ${fb} s over one step more`);
    t.deepEqual(engine.stepTimes(5), times.slice(-5), 'the last `count`, oldest first');
  });
}

test(`after more than ${STEP_LOG} steps only the last ones, none read from an overwritten entry`, async (t) => {
  const { engine } = await train(2, 8 * 130, 8, 8); // 1,040 steps
  t.is(engine.profile().steps, 1040);
  const times = engine.stepTimes(5000);
  // Threads may be up to QUEUE_SLOTS steps ahead of the last step seen done, over older entries.
  t.true(times.length <= STEP_LOG - QUEUE_SLOTS - 1 && times.length >= STEP_LOG - QUEUE_SLOTS - 2, `${times.length} entries`);
  t.true(times.every((s) => s.wallSeconds > 0 && s.wallSeconds < 1 && s.forwardBackwardSeconds > 0));
});
