/**
 * Child process of faults.test.ts: a run whose threads cannot start (each over a 1 MB heap limit)
 * fails in begin(), and the caller never calls end(); the process must then exit on its own.
 */
import { makeDataset } from '../../src/data/dataset.js';
import { lossByName } from '../../src/losses/index.js';
import { dense } from '../../src/nn/dense.js';
import { Model } from '../../src/nn/model.js';
import { SGD } from '../../src/optim/sgd.js';
import { ParallelEngine } from '../../src/parallel/engine.js';

const model = new Model([dense(2, 1)], { dtype: 'float64', seed: 1 });
const data = makeDataset({ x: [[1, 2], [3, 4], [5, 6], [7, 8]], targets: [[1], [2], [3], [4]] }, 'float64');
const limits = { maxOldGenerationSizeMb: 1, maxYoungGenerationSizeMb: 1 };
const engine = new ParallelEngine(model, lossByName('mse'), new SGD(model.parameters(), { lr: 0.01 }), { clipNorm: null, clipValue: null }, 1, { threads: 1, resourceLimits: limits });
try {
  await engine.begin(data, 2);
  console.log('begin succeeded');
} catch (e) {
  console.log(`begin failed: ${(e as Error).message}`);
}
