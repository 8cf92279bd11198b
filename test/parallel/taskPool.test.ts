/**
 * The coordinator's waits (TaskPool.waitFor) give Atomics.waitAsync no timeout; the step deadline
 * is a watchdog timer's, one per pool. V8 keeps a waitAsync's timeout task until it fires, even
 * when a notify ended the wait first: with a timeout on each step's wait, the main thread spent
 * ~115 µs a step against ~60 µs without (measured), taken from a worker's core. The deadline
 * itself is tested in faults.test.ts (a hung thread, a slow one).
 */
import test from 'ava';
import { makeDataset } from '../../src/data/dataset.js';
import { dense } from '../../src/nn/dense.js';
import { Model } from '../../src/nn/model.js';
import { SGD } from '../../src/optim/sgd.js';
import { watchdogPeriod } from '../../src/parallel/taskPool.js';
import { Trainer } from '../../src/train/trainer.js';

test('the coordinator never gives Atomics.waitAsync a timeout', async (t) => {
  const timeouts: Array<number | undefined> = [];
  const original = Atomics.waitAsync;
  Atomics.waitAsync = ((array: Int32Array, index: number, value: number, timeout?: number) => {
    timeouts.push(timeout);
    return original(array, index, value, timeout);
  }) as typeof Atomics.waitAsync;
  try {
    const model = new Model([dense(2, 1)], { dtype: 'float64', seed: 1 });
    const data = makeDataset({ x: [[1, 2], [3, 4], [5, 6], [7, 8]], targets: [[1], [2], [3], [4]] }, 'float64');
    // With onBatchEnd the coordinator waits for every step (without, once per run of steps).
    await new Trainer(model, { optimizer: new SGD(model.parameters(), { lr: 0.001 }), loss: 'mse', epochs: 5, batchSize: 2, threads: 2, onBatchEnd: () => {} }).fit(data);
  } finally {
    Atomics.waitAsync = original;
  }
  t.true(timeouts.length >= 10, `${timeouts.length} waits`);
  t.deepEqual(timeouts.filter((ms) => ms !== undefined), []);
});

test('the watchdog checks the deadline 4 times per stepTimeout, between every 10 ms and every second', (t) => {
  t.is(watchdogPeriod(700), 175);
  t.is(watchdogPeriod(300_000), 1000);
  t.is(watchdogPeriod(1), 10);
});
