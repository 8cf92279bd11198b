/**
 * A run's configuration: one flat, JSON-able object (nanoGPT's style), built from the flags
 * and the dataset's defaults, checked once here so that every error names the flag at fault.
 * It is what `--json` reports as `config`, what a checkpoint records, and what a compare
 * worker receives: two runs with equal configs give bit-identical parameters.
 */
import { availableParallelism } from 'node:os';
import { FIXED_TEST, isDatasetSpec } from '../data/load.js';
import type { ActivationName } from '../nn/activation.js';
import type { Initializer } from '../nn/init.js';
import { RULES } from '../optim/registry.js';
import type { OptimizerName } from '../optim/rule.js';
import type { DType } from '../tensor/dtype.js';
import { datasetDefaults, SUGGESTED_LR } from './defaults.js';
import { FlagError, type FlagValues } from './flags.js';
import { OPTIMIZER_OPTION, type ScheduleName } from './trainFlags.js';

export type OptimizerOptionValue = number | boolean | number[];

export interface RunConfig {
  dataset: string;
  /** null: the dataset's fixed test set (xor, addition). */
  testSplit: number | null;
  standardize: boolean;
  label: string | null;
  task: 'classification' | 'regression' | null;
  /** Layer sizes, inputs first: as given with --model, or the dataset's hidden sizes between the data's widths. */
  model: number[];
  activation: ActivationName;
  outputActivation: ActivationName | null;
  dropout: number;
  batchnorm: boolean;
  residual: boolean;
  init: Initializer;
  /** null: chosen from the data (softmax-cross-entropy for classes, mse otherwise). */
  loss: string | null;
  optimizer: OptimizerName;
  optimizerOptions: Record<string, OptimizerOptionValue>;
  schedule: ScheduleName;
  stepSize: number | null;
  gamma: number | null;
  warmup: number;
  clipNorm: number | null;
  epochs: number;
  batchSize: number | 'full';
  shuffle: boolean;
  threads: number;
  seed: number;
  dtype: DType;
  earlyStop: number | null;
  initParams: string | null;
}

/** Keys that may differ between a run and its resumption (they do not change the numbers). */
export const RESUMABLE_KEYS: readonly (keyof RunConfig)[] = ['threads'];

const need = (cond: boolean, flag: string, expected: string, value: unknown): void => {
  if (!cond) throw new FlagError(`--${flag} must be ${expected}, got ${JSON.stringify(value)}`);
};

/** `784-128-64-10` → [784, 128, 64, 10]. */
export function parseSizes(flag: string, text: string): number[] {
  const parts = text.split('-');
  const sizes = parts.map(Number);
  if (parts.length < 2 || sizes.some((s, i) => !/^\d+$/.test(parts[i]) || s < 1)) {
    throw new FlagError(`--${flag} must be positive layer sizes joined by dashes, inputs first (e.g. 784-128-64-10), got ${JSON.stringify(text)}`);
  }
  return sizes;
}

/** Check optimizer options against what `optimizer` takes, naming the flag (`--momentum does not apply to adam`). */
export function checkOptimizerOptions(optimizer: OptimizerName, options: Record<string, OptimizerOptionValue>, source = (key: string) => `--${flagOf(key)}`): void {
  const known = Object.keys(RULES[optimizer].defaults);
  for (const [key, v] of Object.entries(options)) {
    const flag = source(key);
    if (!known.includes(key)) throw new FlagError(`${flag} does not apply to ${optimizer}; it takes ${known.map((k) => flagOf(k) ?? k).join(', ')}`);
    if (key === 'betas') {
      const b = v as number[];
      if (!Array.isArray(b) || b.length !== 2 || b.some((x) => !(x >= 0 && x < 1))) throw new FlagError(`${flag} must be two numbers in [0, 1) as B1,B2, got ${JSON.stringify(v)}`);
    } else if (['alpha', 'rho'].includes(key)) {
      if (!(typeof v === 'number' && v >= 0 && v <= 1)) throw new FlagError(`${flag} must be a number in [0, 1], got ${JSON.stringify(v)}`);
    } else if (key !== 'dampening' && typeof v === 'number' && !(v >= 0)) {
      throw new FlagError(`${flag} must be >= 0, got ${v}`);
    }
  }
  if (options.nesterov === true && !((options.momentum as number) > 0 && !options.dampening)) {
    throw new FlagError(`${source('nesterov')} needs ${source('momentum')} > 0 and no dampening`);
  }
}

function flagOf(option: string): string {
  return Object.entries(OPTIMIZER_OPTION).find(([, o]) => o === option)?.[0] ?? option;
}

/** The optimizer's settings when it is chosen with no flags: the dataset's, else a suggested lr. */
export function defaultOptimizerOptions(dataset: string, optimizer: OptimizerName): Record<string, OptimizerOptionValue> {
  const d = datasetDefaults(dataset);
  return d.optimizer === optimizer ? { ...d.optimizerOptions } : { lr: SUGGESTED_LR[optimizer] };
}

/** Build and check a run's configuration from parsed flags. */
export function buildConfig(flags: FlagValues): RunConfig {
  const f = flags as Record<string, never>;
  const dataset = (f.dataset as string | undefined) ?? 'mnist';
  if (!isDatasetSpec(dataset)) throw new FlagError(`--dataset must be one of xor, addition, iris, mnist, spiral or csv:PATH, got ${JSON.stringify(dataset)}`);
  const d = datasetDefaults(dataset);
  const isCsv = dataset.startsWith('csv:');
  for (const flag of ['label', 'task']) if (f[flag] !== undefined && !isCsv) throw new FlagError(`--${flag} applies to csv:PATH datasets only, not ${dataset}`);
  let testSplit: number | null = null;
  if (FIXED_TEST.includes(dataset)) {
    if (f['test-split'] !== undefined) throw new FlagError(`--test-split does not apply to ${dataset}: its test set is fixed`);
  } else {
    testSplit = (f['test-split'] as number | undefined) ?? 0.2;
    need(testSplit >= 0 && testSplit < 1, 'test-split', 'a fraction in [0, 1)', testSplit);
  }
  // Inputs and outputs are 0 until the data is loaded (resolveModel).
  const model = f.model !== undefined ? parseSizes('model', f.model) : [0, ...d.hidden, 0];
  const dropout = (f.dropout as number | undefined) ?? 0;
  need(dropout >= 0 && dropout < 1, 'dropout', 'a probability in [0, 1)', dropout);

  const optimizer = ((f.optimizer as string | undefined) ?? d.optimizer) as OptimizerName;
  const given: Record<string, OptimizerOptionValue> = {};
  for (const [flag, option] of Object.entries(OPTIMIZER_OPTION)) if (f[flag] !== undefined) given[option] = f[flag];
  const base = defaultOptimizerOptions(dataset, optimizer);
  // Flags override single settings: `--lr 0.1` on mnist keeps its momentum 0.9 (`--momentum 0` drops it).
  const optimizerOptions = { ...base, ...given };
  checkOptimizerOptions(optimizer, optimizerOptions);

  const schedule = ((f.schedule as string | undefined) ?? 'none') as ScheduleName;
  const stepSize = (f['step-size'] as number | undefined) ?? null;
  const gamma = (f.gamma as number | undefined) ?? null;
  if (stepSize !== null) {
    if (schedule !== 'step' && schedule !== 'plateau') throw new FlagError(`--step-size applies to --schedule step or plateau, not ${schedule}`);
    need(stepSize >= (schedule === 'step' ? 1 : 0), 'step-size', schedule === 'step' ? 'a positive integer' : 'a non-negative integer', stepSize);
  }
  if (gamma !== null) {
    if (!['step', 'exponential', 'plateau'].includes(schedule)) throw new FlagError(`--gamma applies to --schedule step, exponential or plateau, not ${schedule}`);
    need(gamma > 0 && (schedule !== 'plateau' || gamma < 1), 'gamma', schedule === 'plateau' ? 'a factor in (0, 1)' : 'a number > 0', gamma);
  }
  const warmup = (f.warmup as number | undefined) ?? 0;
  need(warmup >= 0, 'warmup', 'a non-negative integer', warmup);
  const clipNorm = (f['clip-norm'] as number | undefined) ?? null;
  if (clipNorm !== null) need(clipNorm > 0, 'clip-norm', 'a number > 0', clipNorm);

  const epochs = (f.epochs as number | undefined) ?? d.epochs;
  need(epochs >= 1, 'epochs', 'a positive integer', epochs);
  if (schedule === 'cosine') need(epochs > warmup, 'warmup', `fewer than --epochs (${epochs}) with --schedule cosine`, warmup);
  let batchSize: number | 'full' = d.batchSize;
  if (f['batch-size'] !== undefined) {
    const raw = f['batch-size'] as string;
    batchSize = raw === 'full' ? 'full' : Number(raw);
    need(batchSize === 'full' || (/^\d+$/.test(raw) && batchSize >= 1), 'batch-size', 'a positive integer or full', raw);
  }
  const threads = (f.threads as number | undefined) ?? availableParallelism();
  need(threads >= 1, 'threads', 'a positive integer', threads);
  const seed = (f.seed as number | undefined) ?? 0;
  need(seed >= 0 && seed <= 0xffffffff, 'seed', 'an integer in [0, 4294967295]', seed);
  const earlyStop = (f['early-stop'] as number | undefined) ?? null;
  if (earlyStop !== null) need(earlyStop >= 1, 'early-stop', 'a positive integer (epochs of patience)', earlyStop);

  const config: RunConfig = {
    dataset,
    testSplit,
    standardize: (f.standardize as boolean | undefined) ?? false,
    label: (f.label as string | undefined) ?? null,
    task: (f.task as RunConfig['task'] | undefined) ?? null,
    model,
    activation: (f.activation as ActivationName | undefined) ?? d.activation,
    outputActivation: d.outputActivation,
    dropout,
    batchnorm: (f.batchnorm as boolean | undefined) ?? false,
    residual: (f.residual as boolean | undefined) ?? false,
    init: (f.init as Initializer | undefined) ?? 'uniform',
    loss: (f.loss as string | undefined) ?? d.loss,
    optimizer,
    optimizerOptions,
    schedule,
    stepSize,
    gamma,
    warmup,
    clipNorm,
    epochs,
    batchSize,
    shuffle: (f.shuffle as boolean | undefined) ?? true,
    threads,
    seed,
    dtype: ((f.dtype as string | undefined) ?? 'float32') as DType,
    earlyStop,
    initParams: (f['init-params'] as string | undefined) ?? null,
  };
  return config;
}

/**
 * Fill in the data's input and output widths, or check those given with --model against them,
 * saying what the dataset needs.
 */
export function resolveModel(config: RunConfig, inputs: number, outputs: number, what: string): void {
  const m = config.model;
  if (m[0] === 0 && m[m.length - 1] === 0) {
    config.model = [inputs, ...m.slice(1, -1), outputs];
    return;
  }
  if (m[0] !== inputs || m[m.length - 1] !== outputs) {
    const need = [inputs, ...m.slice(1, -1), outputs].join('-');
    throw new FlagError(`--model ${m.join('-')} does not fit ${config.dataset}: it has ${inputs} inputs and needs ${outputs} outputs (${what}), e.g. --model ${need}`);
  }
}
