/**
 * The coordinator's waits (TaskPool.waitFor): no single Atomics.waitAsync is longer than
 * WAIT_SLICE_MS, whatever the step deadline. Node keeps a waitAsync's timeout task until it fires,
 * even when a notify ended the wait first, so waits of the whole stepTimeout (5 minutes by
 * default) left one pending timer and ~0.3 KB per step for five minutes (measured: +55 MB per
 * 200,000 waits with a 300 s timeout, flat with 1 s).
 */
import test from 'ava';
import { makeDataset } from '../../src/data/dataset.js';
import { dense } from '../../src/nn/dense.js';
import { Model } from '../../src/nn/model.js';
import { SGD } from '../../src/optim/sgd.js';
import { WAIT_SLICE_MS } from '../../src/parallel/taskPool.js';
import { Trainer } from '../../src/train/trainer.js';

test(`every wait of the coordinator is at most ${WAIT_SLICE_MS} ms, with the default 5-minute step deadline`, async (t) => {
  const timeouts: number[] = [];
  const original = Atomics.waitAsync;
  Atomics.waitAsync = ((array: Int32Array, index: number, value: number, timeout?: number) => {
    timeouts.push(timeout ?? Infinity);
    return original(array, index, value, timeout);
  }) as typeof Atomics.waitAsync;
  try {
    const model = new Model([dense(2, 1)], { dtype: 'float64', seed: 1 });
    const data = makeDataset({ x: [[1, 2], [3, 4], [5, 6], [7, 8]], targets: [[1], [2], [3], [4]] }, 'float64');
    await new Trainer(model, { optimizer: new SGD(model.parameters(), { lr: 0.001 }), loss: 'mse', epochs: 5, batchSize: 2, threads: 2 }).fit(data);
  } finally {
    Atomics.waitAsync = original;
  }
  t.true(timeouts.length >= 10, `${timeouts.length} waits`);
  t.true(Math.max(...timeouts) <= WAIT_SLICE_MS, `longest wait ${Math.max(...timeouts)} ms`);
});
