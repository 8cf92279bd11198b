/** Shared by the trainer's tests: a small separable dataset and a small network. */
import { makeDataset } from '../../src/data/dataset.js';
import { activation } from '../../src/nn/activation.js';
import { dense } from '../../src/nn/dense.js';
import { Model } from '../../src/nn/model.js';
import { Rng } from '../../src/rng.js';

/** Two Gaussian blobs, 2-D, labels 0/1. */
export function blobs(n: number, seed: number, dtype: 'float32' | 'float64' = 'float64') {
  const rng = new Rng(seed);
  const x: number[][] = [];
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = i % 2;
    x.push([rng.normal() * 0.5 + (c ? 1.5 : -1.5), rng.normal() * 0.5 + (c ? 1 : -1)]);
    labels.push(c);
  }
  return makeDataset({ x, labels }, dtype);
}

export const net = (seed = 0, dtype: 'float32' | 'float64' = 'float64') => new Model([dense(2, 8), activation('tanh'), dense(8, 2)], { dtype, seed });
