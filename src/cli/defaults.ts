/**
 * What a run uses when a flag is not given: first the dataset's settings (the tutorial's for
 * xor and addition; settings that train each built-in dataset well in reasonable time), then
 * the optimizer's suggested learning rate.
 */
import type { ActivationName } from '../nn/activation.js';
import type { OptimizerName } from '../optim/rule.js';

export interface DatasetDefaults {
  /** Hidden-layer sizes; the input and output sizes come from the data. */
  hidden: number[];
  activation: ActivationName;
  /** An activation after the output layer (the tutorial's sigmoid output for XOR). */
  outputActivation: ActivationName | null;
  loss: string | null;
  optimizer: OptimizerName;
  /** Settings of `optimizer` (camelCase options), used only when that optimizer is chosen. */
  optimizerOptions: Record<string, number | boolean>;
  epochs: number;
  batchSize: number | 'full';
}

export const DATASET_DEFAULTS: Readonly<Record<string, DatasetDefaults>> = Object.freeze({
  // The tutorial's XOR: 2-3-1, sigmoid hidden and output units, MSE, full-batch SGD at lr 1.
  xor: { hidden: [3], activation: 'sigmoid', outputActivation: 'sigmoid', loss: 'mse', optimizer: 'sgd', optimizerOptions: { lr: 1 }, epochs: 2000, batchSize: 'full' },
  // The tutorial's addition: a linear neuron, ½·error², one sample per step, lr 0.02.
  addition: { hidden: [], activation: 'relu', outputActivation: null, loss: 'half-sse', optimizer: 'sgd', optimizerOptions: { lr: 0.02 }, epochs: 40, batchSize: 1 },
  iris: { hidden: [16], activation: 'tanh', outputActivation: null, loss: null, optimizer: 'adam', optimizerOptions: { lr: 0.01 }, epochs: 100, batchSize: 16 },
  spiral: { hidden: [64, 64], activation: 'relu', outputActivation: null, loss: null, optimizer: 'adam', optimizerOptions: { lr: 0.01 }, epochs: 200, batchSize: 32 },
  // PyTorch 1.13 reaches 95.4% with this model, optimizer and batch size after 30 epochs, on the same digits split 8,000/2,000 at random.
  mnist: { hidden: [128, 64], activation: 'relu', outputActivation: null, loss: null, optimizer: 'sgd', optimizerOptions: { lr: 0.05, momentum: 0.9 }, epochs: 20, batchSize: 128 },
  csv: { hidden: [32], activation: 'relu', outputActivation: null, loss: null, optimizer: 'adam', optimizerOptions: { lr: 1e-3 }, epochs: 100, batchSize: 32 },
});

/** Input and output widths of the built-in datasets (for messages written before the data are loaded); CSV files: unknown. */
export const DATASET_WIDTHS: Readonly<Record<string, readonly [number, number]>> = Object.freeze({
  xor: [2, 1], addition: [2, 1], iris: [4, 3], spiral: [2, 3], mnist: [784, 10],
});

export function datasetDefaults(dataset: string): DatasetDefaults {
  return DATASET_DEFAULTS[dataset.startsWith('csv:') ? 'csv' : dataset];
}

/** A learning rate that works for common small networks, when neither flag nor dataset gives one. */
export const SUGGESTED_LR: Readonly<Record<OptimizerName, number>> = Object.freeze({
  sgd: 0.1,
  adam: 1e-3,
  adamw: 1e-3,
  rmsprop: 1e-3,
  adagrad: 1e-2,
  adadelta: 1.0,
  adamax: 2e-3,
  nadam: 2e-3,
});
