/**
 * The range form on real threads: two worker threads update disjoint ranges of parameters and
 * optimizer state in SharedArrayBuffers, with the plan the coordinator's beginStep() wrote into
 * shared memory. The result must equal the serial optimizer bit for bit at every step.
 */
import test from 'ava';
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { createOptimizer } from '../../src/optim/registry.js';
import type { OptimizerName } from '../../src/optim/rule.js';
import type { Allocator, DType } from '../../src/tensor/dtype.js';
import { CONFIGS, mixedParams, testGrad } from './helpers.js';

const sharedAllocator: Allocator = {
  alloc: (_dtype: DType, length: number) => new Float64Array(new SharedArrayBuffer(8 * length)),
};

function sharedCopy(a: Float64Array): Float64Array {
  const s = new Float64Array(new SharedArrayBuffer(a.byteLength));
  s.set(a);
  return s;
}

for (const [name, options] of CONFIGS.filter((_, i) => i % 2 === 0 || i === CONFIGS.length - 1)) {
  test(`${name} ${JSON.stringify(options)}: two threads on shared memory equal the serial update bit for bit`, async (t) => {
    const serial = mixedParams();
    const base = mixedParams();
    const shared = { ...base, values: sharedCopy(base.values as Float64Array), grads: sharedCopy(base.grads as Float64Array) };
    const groups: Record<string, unknown> = { ...options, noDecayOn: ['bias', 'norm'] };
    const a = createOptimizer(name as OptimizerName, serial, groups);
    const coordinator = createOptimizer(name as OptimizerName, shared, groups, sharedAllocator);
    const plan = new Float64Array(new SharedArrayBuffer(8 * coordinator.planLength));
    const state = Object.fromEntries(Object.entries(coordinator.state).map(([k, v]) => [k, v.buffer]));
    const workers = ([[0, 12], [12, 23]] as const).map((range) => new Worker(new URL('./range-worker.js', import.meta.url), {
      workerData: { spec: coordinator.toSpec(), values: shared.values.buffer, grads: shared.grads.buffer, state, plan: plan.buffer, range },
    }));
    try {
      for (let k = 0; k < 5; k++) {
        testGrad(serial.values, serial.grads as Float64Array);
        testGrad(shared.values, shared.grads as Float64Array);
        a.step();
        coordinator.beginStep(plan);
        const done = workers.map((w) => once(w, 'message'));
        for (const w of workers) w.postMessage('step');
        await Promise.all(done);
        t.deepEqual([...shared.values], [...serial.values], `step ${k + 1}`);
      }
    } finally {
      for (const w of workers) w.postMessage('exit');
      await Promise.all(workers.map((w) => once(w, 'exit')));
    }
  });
}
