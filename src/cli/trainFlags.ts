/**
 * The flags of `gradpool train`, in groups that `compare` reuses: data, model, optimizer,
 * schedule and loop. Each flag that sets an optimizer hyperparameter maps to the option name
 * of `createOptimizer` (camelCase, PyTorch's meaning).
 */
import { ACTIVATIONS } from '../nn/activation.js';
import { INITIALIZERS } from '../nn/init.js';
import { LOSSES } from '../losses/index.js';
import { OPTIMIZER_NAMES } from '../optim/rule.js';
import type { FlagTable } from './flags.js';

export const SCHEDULES = Object.freeze(['none', 'step', 'cosine', 'exponential', 'plateau'] as const);
export type ScheduleName = (typeof SCHEDULES)[number];

export const DATA_FLAGS: FlagTable = Object.freeze({
  dataset: { type: 'string', help: 'xor | addition | iris | mnist | spiral | csv:PATH (default mnist)' },
  'test-split': { type: 'number', help: 'fraction of rows held out for testing, stratified, fixed seed; 0 for none (default 0.2)' },
  standardize: { type: 'boolean', help: 'scale features to mean 0, std 1 with the training rows\' statistics' },
  label: { type: 'string', help: 'csv: name of the label column (default: the last column)' },
  task: { type: 'string', help: 'csv: override the inferred task', choices: ['classification', 'regression'] },
});

export const MODEL_FLAGS: FlagTable = Object.freeze({
  model: { type: 'string', help: 'layer sizes joined by dashes, inputs first, e.g. 784-128-64-10' },
  activation: { type: 'string', help: 'hidden-layer activation', choices: ACTIVATIONS },
  dropout: { type: 'number', help: 'dropout probability after each hidden activation (default 0)' },
  batchnorm: { type: 'boolean', help: 'batch normalization before each hidden activation' },
  residual: { type: 'boolean', help: 'wrap each hidden layer whose width equals its input\'s in y = x + f(x)' },
  init: { type: 'string', help: 'weight initializer (default uniform, PyTorch Linear\'s U(±1/√fan_in))', choices: INITIALIZERS },
  loss: { type: 'string', help: 'loss (default: softmax-cross-entropy for classes, mse otherwise; binary-cross-entropy takes logits, so the model then has no output activation)', choices: Object.keys(LOSSES) },
});

export const OPTIMIZER_FLAGS: FlagTable = Object.freeze({
  optimizer: { type: 'string', help: 'optimizer', choices: OPTIMIZER_NAMES },
  lr: { type: 'number', help: 'learning rate (default: the dataset\'s, else the optimizer\'s suggested rate)' },
  momentum: { type: 'number', help: 'sgd, rmsprop: momentum factor' },
  dampening: { type: 'number', help: 'sgd: dampening of momentum' },
  nesterov: { type: 'boolean', help: 'sgd: Nesterov momentum' },
  'weight-decay': { type: 'number', help: 'L2 penalty (decoupled for adamw)' },
  betas: { type: 'numbers', help: 'adam, adamw, adamax, nadam: B1,B2' },
  eps: { type: 'number', help: 'term added to denominators' },
  amsgrad: { type: 'boolean', help: 'adam, adamw: AMSGrad variant' },
  alpha: { type: 'number', help: 'rmsprop: smoothing constant' },
  centered: { type: 'boolean', help: 'rmsprop: centered variant' },
  'lr-decay': { type: 'number', help: 'adagrad: learning-rate decay' },
  'initial-accumulator': { type: 'number', help: 'adagrad: initial accumulator value' },
  rho: { type: 'number', help: 'adadelta: decay of the running averages' },
});

/** Optimizer flag → createOptimizer option. */
export const OPTIMIZER_OPTION: Readonly<Record<string, string>> = Object.freeze({
  lr: 'lr',
  momentum: 'momentum',
  dampening: 'dampening',
  nesterov: 'nesterov',
  'weight-decay': 'weightDecay',
  betas: 'betas',
  eps: 'eps',
  amsgrad: 'amsgrad',
  alpha: 'alpha',
  centered: 'centered',
  'lr-decay': 'lrDecay',
  'initial-accumulator': 'initialAccumulatorValue',
  rho: 'rho',
});

export const SCHEDULE_FLAGS: FlagTable = Object.freeze({
  schedule: { type: 'string', help: 'learning-rate schedule, stepped once per epoch (default none); plateau watches the test loss, or the training loss without a test set (--test-split 0)', choices: SCHEDULES },
  'step-size': { type: 'int', help: 'step: epochs between decays (default 10); plateau: patience (default 10)' },
  gamma: { type: 'number', help: 'step, exponential: decay factor (default 0.1 / 0.95); plateau: factor (default 0.1)' },
  warmup: { type: 'int', help: 'epochs of linear warmup from lr/3 before the schedule (default 0)' },
  'clip-norm': { type: 'number', help: 'clip gradients to this global L2 norm' },
});

export const LOOP_FLAGS: FlagTable = Object.freeze({
  epochs: { type: 'int', help: 'epochs to train' },
  'batch-size': { type: 'string', help: 'samples per step, or full for the whole training set' },
  shuffle: { type: 'boolean', help: 'reshuffle the training rows every epoch (default on; --no-shuffle)' },
  threads: { type: 'int', help: 'worker threads (default: all available); results do not depend on it' },
  seed: { type: 'int', help: 'seed of the initial weights, shuffles and dropout (default 0)' },
  dtype: { type: 'string', help: 'parameter and activation type (default float32)', choices: ['float32', 'float64'] },
  'early-stop': { type: 'int', help: 'stop after this many epochs without a better test loss (the training loss without a test set, --test-split 0); when it stops the run, keep the best epoch\'s weights' },
});

export const TRAIN_OUTPUT_FLAGS: FlagTable = Object.freeze({
  'init-params': { type: 'string', help: 'start from Dense weights in a JSON file {"layers":[{"W":[[…]],"b":[…]},…]}' },
  'save-params': { type: 'string', help: 'write the final Dense weights in that JSON layout' },
  save: { type: 'string', help: 'write a checkpoint after every epoch (atomic, checksummed)' },
  resume: { type: 'string', help: 'continue from a checkpoint written by --save (same flags; --epochs may differ, but not with --schedule cosine)' },
  json: { type: 'string', help: 'write the run\'s config, per-epoch metrics and final paramsSha256 as JSON' },
  quiet: { type: 'boolean', help: 'print only the summary' },
  help: { type: 'boolean', help: 'show this help' },
});

export const TRAIN_FLAGS: FlagTable = Object.freeze({
  ...DATA_FLAGS, ...MODEL_FLAGS, ...OPTIMIZER_FLAGS, ...SCHEDULE_FLAGS, ...LOOP_FLAGS, ...TRAIN_OUTPUT_FLAGS,
});
