/** Child process of faults.test.ts: trains on the pool and returns; the process must then exit on its own. */
import { makeDataset } from '../../src/data/dataset.js';
import { dense } from '../../src/nn/dense.js';
import { Model } from '../../src/nn/model.js';
import { Adam } from '../../src/optim/adam.js';
import { Trainer } from '../../src/train/trainer.js';

const model = new Model([dense(2, 8), dense(8, 1)], { seed: 1 });
const data = makeDataset({ x: [[0, 0], [0, 1], [1, 0], [1, 1]], targets: [[0], [1], [1], [2]] });
const history = await new Trainer(model, { optimizer: new Adam(model.parameters()), epochs: 2, batchSize: 2, microShard: 1, threads: 2 }).fit(data);
console.log(`trained ${history.length} epochs on 2 threads`);
// What still keeps the event loop alive once fit() has returned: nothing of the pool's.
console.log(`active: ${JSON.stringify(process.getActiveResourcesInfo())}`);
