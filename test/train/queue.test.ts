import test from 'ava';
import type { Dataset } from '../../src/data/dataset.js';
import { SGD } from '../../src/optim/sgd.js';
import { StepLR } from '../../src/optim/schedules/step.js';
import type { StepEngine } from '../../src/train/engine.js';
import { queueNext } from '../../src/train/queue.js';
import { Trainer } from '../../src/train/trainer.js';
import { blobs, net } from './helpers.js';

/** An engine that records what is queued; `prepare` runs as the parallel engine runs it. */
function recorder(accept = true) {
  const queued: number[] = [];
  const engine: StepEngine = {
    step: () => ({ lossSum: 0, correct: 0 }),
    prefetch: (_d, _o, start, _e, _s, prepare) => {
      if (!accept) return false;
      prepare?.();
      queued.push(start);
      return true;
    },
  };
  return { engine, queued };
}

const data = { size: 100 } as Dataset;
const next = { data, order: new Int32Array(100), start: 10, end: 20, step: 1 };

test('a per-batch schedule that can be saved and restored is stepped when the step is queued; undo puts it and the learning rate back', (t) => {
  const optimizer = new SGD(net().parameters(), { lr: 1 });
  const schedule = new StepLR(optimizer, { stepSize: 1, gamma: 0.5 });
  const { engine, queued } = recorder();
  const q = queueNext(engine, schedule, 'batch', optimizer, next);
  t.true(q.queued);
  t.deepEqual(queued, [10]);
  t.is(optimizer.getLr(0), 0.5, 'stepped for the queued step');
  q.undo!();
  t.is(optimizer.getLr(0), 1);
  t.deepEqual(schedule.stateDict(), new StepLR(new SGD(net().parameters(), { lr: 1 }), { stepSize: 1, gamma: 0.5 }).stateDict());
});

test('a per-batch schedule without stateDict()/loadStateDict() turns queuing off: nothing is queued and the schedule is not stepped', (t) => {
  const optimizer = new SGD(net().parameters(), { lr: 1 });
  let steps = 0;
  const { engine, queued } = recorder();
  const q = queueNext(engine, { step: () => void steps++ }, 'batch', optimizer, next);
  t.false(q.queued);
  t.deepEqual(queued, []);
  t.is(steps, 0);
});

test('nothing is queued past the end of the epoch, or when the engine declines; a per-epoch schedule is left alone', (t) => {
  const optimizer = new SGD(net().parameters(), { lr: 1 });
  const schedule = new StepLR(optimizer, { stepSize: 1, gamma: 0.5 });
  const { engine, queued } = recorder();
  t.false(queueNext(engine, schedule, 'batch', optimizer, { ...next, start: 100, end: 100 }).queued);
  t.false(queueNext(recorder(false).engine, schedule, 'batch', optimizer, next).queued);
  t.is(optimizer.getLr(0), 1, 'a declined queue does not step the schedule');
  t.true(queueNext(engine, schedule, 'epoch', optimizer, next).queued);
  t.is(optimizer.getLr(0), 1);
  t.deepEqual(queued, [10]);
});

test('trained with a per-batch schedule, queued or not, the parallel engine ends with the same weights', async (t) => {
  const train = blobs(96, 4, 'float32');
  const run = async (restorable: boolean) => {
    const model = net(2, 'float32');
    const optimizer = new SGD(model.parameters(), { lr: 0.2, momentum: 0.9 });
    const inner = new StepLR(optimizer, { stepSize: 3, gamma: 0.7 });
    // The same schedule, without stateDict()/loadStateDict() when not restorable.
    const schedule = restorable ? inner : { step: () => inner.step() };
    await new Trainer(model, { optimizer, loss: 'softmax-cross-entropy', epochs: 3, batchSize: 16, threads: 2, schedule, scheduleEvery: 'batch', seed: 3 }).fit(train);
    return { params: model.params.slice(), lr: optimizer.getLr(0) };
  };
  const queued = await run(true);
  const unqueued = await run(false);
  t.deepEqual(queued.params, unqueued.params);
  t.is(queued.lr, 0.2 * 0.7 ** 6, '18 steps, a decay every 3');
  t.is(unqueued.lr, queued.lr);
});
