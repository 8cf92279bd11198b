/**
 * The tutorial's second example: a two-input linear neuron (no bias, no activation) learns to
 * add from four examples, (2,3), (1,4), (3,2) and (0,5), each summing to 5, then predicts sums
 * it never saw. One sample per step, loss ½·error², plain SGD.
 */
import { makeDataset } from '../src/data/dataset.js';
import { dense } from '../src/nn/dense.js';
import { Model } from '../src/nn/model.js';
import { SGD } from '../src/optim/sgd.js';
import { Trainer } from '../src/train/trainer.js';
import { fmt, type Log } from './format.js';

export const ADDITION_TRAIN = Object.freeze([[2, 3], [1, 4], [3, 2], [0, 5]]);
export const ADDITION_QUERIES = Object.freeze([[6, 4], [1, 9], [7, 3]]);

export interface AdditionOptions {
  epochs?: number;
  lr?: number;
  seed?: number;
}

export async function addition(log: Log = console.log, options: AdditionOptions = {}): Promise<{ errors: number[]; predictions: number[]; weights: number[] }> {
  const { epochs = 40, lr = 0.02, seed = 0 } = options;
  const model = new Model([dense(2, 1, { bias: false, init: 'uniform' })], { dtype: 'float64', seed });
  const data = makeDataset({ x: ADDITION_TRAIN.map((r) => [...r]), targets: ADDITION_TRAIN.map(([a, b]) => [a + b]) }, 'float64');
  const errors: number[] = [];
  const trainer = new Trainer(model, {
    optimizer: new SGD(model.parameters(), { lr }),
    loss: 'half-sse',
    epochs,
    batchSize: 1,
    seed,
    onEpochEnd: (r) => {
      errors.push(r.trainLoss);
      log(`epoch ${String(r.epoch).padStart(3)}: mean error (½·error²) ${r.trainLoss.toExponential(3)}`);
    },
  });
  await trainer.fit(data);
  const predictions = model.predict(ADDITION_QUERIES.map((r) => [...r])).getColumn(0);
  ADDITION_QUERIES.forEach(([a, b], i) => log(`${a} + ${b} ≈ ${fmt(predictions[i], 4)}`));
  const weights = Array.from(model.params);
  log(`learned weights: ${weights.map((w) => fmt(w, 4)).join(', ')} (exact addition is 1, 1)`);
  return { errors, predictions, weights };
}
