/**
 * The tutorial's XOR: a 2-3-1 network with sigmoid hidden and output units, MSE, learning
 * rate 1.0, 2000 full-batch epochs. XOR is the classic problem a network without a hidden
 * layer cannot solve.
 */
import { makeDataset } from '../src/data/dataset.js';
import { sigmoid } from '../src/nn/activation.js';
import { dense } from '../src/nn/dense.js';
import { Model } from '../src/nn/model.js';
import { createOptimizer } from '../src/optim/registry.js';
import type { OptimizerName } from '../src/optim/rule.js';
import { Trainer } from '../src/train/trainer.js';
import { fmt, type Log } from './format.js';

export const XOR_INPUTS = Object.freeze([[0, 0], [0, 1], [1, 0], [1, 1]]);
export const XOR_TARGETS = Object.freeze([0, 1, 1, 0]);

export interface XorOptions {
  seed?: number;
  epochs?: number;
  lr?: number;
  optimizer?: OptimizerName;
  /** Print every `every` epochs (0: only the result). */
  every?: number;
}

export interface XorResult {
  outputs: number[];
  solved: boolean;
  losses: number[];
}

/** What to try when a run did not solve XOR, given what it used. */
export function xorHint(used: { seed: number; epochs: number; lr: number; optimizer: OptimizerName }): string {
  const tries = [`another --seed than ${used.seed}`];
  if (used.optimizer !== 'adam') tries.push('--optimizer adam --lr 0.1 --epochs 500');
  else if (used.lr < 0.1) tries.push(`a larger --lr than ${used.lr} (0.1 solves seeds 0-19 in 500 epochs)`);
  else tries.push(`more --epochs than ${used.epochs}`);
  return `try ${tries.join(', or ')}`;
}

export async function xor(log: Log = console.log, options: XorOptions = {}): Promise<XorResult> {
  const { seed = 0, epochs = 2000, lr = 1.0, optimizer = 'sgd', every = 200 } = options;
  const model = new Model([dense(2, 3, { init: 'uniform' }), sigmoid(), dense(3, 1, { init: 'uniform' }), sigmoid()], { dtype: 'float64', seed });
  const data = makeDataset({ x: XOR_INPUTS.map((r) => [...r]), targets: XOR_TARGETS.map((v) => [v]), classes: 2 }, 'float64');
  const losses: number[] = [];
  const trainer = new Trainer(model, {
    optimizer: createOptimizer(optimizer, model.parameters(), { lr }),
    loss: 'mse',
    epochs,
    batchSize: 'full',
    shuffle: false,
    seed,
    onEpochEnd: (r) => {
      losses.push(r.trainLoss);
      if (every > 0 && r.epoch % every === 0) log(`epoch ${String(r.epoch).padStart(5)}: loss ${r.trainLoss.toFixed(6)}`);
    },
  });
  await trainer.fit(data);
  const outputs = model.predict(XOR_INPUTS.map((r) => [...r])).getColumn(0);
  XOR_INPUTS.forEach(([a, b], i) => log(`${a} xor ${b} = ${XOR_TARGETS[i]}: network says ${fmt(outputs[i], 4)}`));
  const solved = outputs.every((o, i) => o > 0.5 === (XOR_TARGETS[i] === 1));
  log(solved ? 'all four outputs are on the right side of 0.5' : `not solved: some outputs are on the wrong side of 0.5 (${xorHint({ seed, epochs, lr, optimizer })})`);
  return { outputs, solved, losses };
}
