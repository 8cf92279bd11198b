/**
 * A worker thread for threads.test.ts: rebuilds the optimizer from its spec over views of the
 * shared parameter, gradient and state arrays, then updates its range each time it is told to.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { optimizerFromSpec } from '../../src/optim/registry.js';
import type { OptimizerSpec } from '../../src/optim/optimizer.js';

interface Data {
  spec: OptimizerSpec;
  values: SharedArrayBuffer;
  grads: SharedArrayBuffer;
  state: Record<string, SharedArrayBuffer>;
  plan: SharedArrayBuffer;
  range: [number, number];
}

const d = workerData as Data;
const params = { dtype: 'float64' as const, values: new Float64Array(d.values), grads: new Float64Array(d.grads), entries: [] };
const state = Object.fromEntries(Object.entries(d.state).map(([k, b]) => [k, new Float64Array(b)]));
const opt = optimizerFromSpec(d.spec, params, state);
const plan = new Float64Array(d.plan);
parentPort!.on('message', (msg: string) => {
  if (msg === 'step') {
    opt.updateRange(d.range[0], d.range[1], plan);
    parentPort!.postMessage('done');
  } else {
    parentPort!.close();
  }
});
