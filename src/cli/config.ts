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
import { MAX_THREADS } from '../parallel/options.js';
import type { DType } from '../tensor/dtype.js';
import { DATASET_WIDTHS, datasetDefaults, SUGGESTED_LR } from './defaults.js';
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
export function checkOptimizerOptions(optimizer: OptimizerName, options: Record<string, OptimizerOptionValue>, names: OptionNames = TRAIN_OPTION_NAMES): void {
  const source = (key: string) => names.source(key);
  // maximize has no flag: the CLI minimizes its losses.
  const known = Object.keys(RULES[optimizer].defaults).filter((k) => k !== 'maximize');
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
  if (options.nesterov === true) {
    const subject = names.nesterov ?? '--nesterov';
    if (!((options.momentum as number) > 0)) {
      throw new FlagError(`${subject} needs momentum > 0, got ${options.momentum === undefined ? 'none' : names.cite('momentum', options.momentum)}`);
    }
    if (options.dampening !== undefined && options.dampening !== 0) {
      throw new FlagError(`${subject} needs zero dampening, got ${names.cite('dampening', options.dampening)}`);
    }
  }
}

/** How checkOptimizerOptions names a setting: `--dampening` and `--dampening 0.5` on train; compare says where each came from. */
export interface OptionNames {
  /** The flag or setting that gave `key` (`--momentum`). */
  source(key: string): string;
  /** The setting with its value (`--dampening 0.5`). */
  cite(key: string, value: OptimizerOptionValue): string;
  /** What asked for Nesterov momentum (default `--nesterov`). */
  nesterov?: string;
}

export const TRAIN_OPTION_NAMES: OptionNames = {
  source: (key) => `--${flagOf(key)}`,
  cite: (key, value) => `--${flagOf(key)} ${Array.isArray(value) ? value.join(',') : value}`,
};

export function flagOf(option: string): string {
  return Object.entries(OPTIMIZER_OPTION).find(([, o]) => o === option)?.[0] ?? option;
}

/** The optimizer's settings when it is chosen with no flags: the dataset's, else a suggested lr. */
export function defaultOptimizerOptions(dataset: string, optimizer: OptimizerName): Record<string, OptimizerOptionValue> {
  const d = datasetDefaults(dataset);
  return d.optimizer === optimizer ? { ...d.optimizerOptions } : { lr: SUGGESTED_LR[optimizer] };
}

/** Build and check a run's configuration from parsed flags. */
export function buildConfig(flags: FlagValues, options: { checkHiddenFlags?: boolean } = {}): RunConfig {
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
  const threads = (f.threads as number | undefined) ?? Math.min(availableParallelism(), MAX_THREADS);
  need(threads >= 1 && threads <= MAX_THREADS, 'threads', `a positive integer, at most ${MAX_THREADS}`, threads);
  const seed = (f.seed as number | undefined) ?? 0;
  need(seed >= 0 && seed <= 0xffffffff, 'seed', 'an integer in [0, 4294967295]', seed);
  const earlyStop = (f['early-stop'] as number | undefined) ?? null;
  if (earlyStop !== null) need(earlyStop >= 1, 'early-stop', 'a positive integer (epochs of patience)', earlyStop);

  const batchnorm = (f.batchnorm as boolean | undefined) ?? false;
  if (batchnorm && f['save-params'] !== undefined) {
    throw new FlagError('--save-params cannot hold a --batchnorm model: the params layout has Dense weights only, not batch norm\'s; drop one, or use --save CKPT for a checkpoint of the whole model');
  }
  const loss = (f.loss as string | undefined) ?? d.loss;
  const config: RunConfig = {
    dataset,
    testSplit,
    standardize: (f.standardize as boolean | undefined) ?? false,
    label: (f.label as string | undefined) ?? null,
    task: (f.task as RunConfig['task'] | undefined) ?? null,
    model,
    activation: (f.activation as ActivationName | undefined) ?? d.activation,
    // binary-cross-entropy works on logits (its sigmoid is built in), so the model ends in the output Dense.
    outputActivation: loss === 'binary-cross-entropy' ? null : d.outputActivation,
    dropout,
    batchnorm,
    residual: (f.residual as boolean | undefined) ?? false,
    init: (f.init as Initializer | undefined) ?? 'uniform',
    loss,
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
  // compare checks them against every model it compares instead.
  if (options.checkHiddenFlags !== false) checkHiddenFlags(hiddenFlagsGiven(flags), [config.model], dataset);
  return config;
}

/** The flags that act on hidden layers. */
export type HiddenFlag = 'activation' | 'dropout' | 'batchnorm' | 'residual';

/** The hidden-layer flags the user gave: a dataset's default activation is not one, nor `--dropout 0` or `--no-batchnorm`. */
export function hiddenFlagsGiven(flags: FlagValues): HiddenFlag[] {
  const given: HiddenFlag[] = [];
  if (flags.activation !== undefined) given.push('activation');
  if (((flags.dropout as number | undefined) ?? 0) > 0) given.push('dropout');
  if (flags.batchnorm === true) given.push('batchnorm');
  if (flags.residual === true) given.push('residual');
  return given;
}

/**
 * Whether `flag` changes the network built from `model` (sizes, inputs first; the widths are 0
 * until the data are loaded): undefined when that cannot be told yet (--residual on a
 * first hidden layer whose input width is not known).
 */
export function modelUses(flag: HiddenFlag, model: readonly number[]): boolean | undefined {
  const hidden = model.length - 2;
  if (flag !== 'residual') return hidden > 0;
  let unknown = false;
  for (let i = 1; i <= hidden; i++) {
    if (model[i - 1] === 0) unknown = true;
    else if (model[i - 1] === model[i]) return true;
  }
  return unknown ? undefined : false;
}

/** A model as the user would write it: `4-16-3`, or `IN-16-OUT` for widths not known yet. */
export function modelText(model: readonly number[], dataset: string): string {
  const widths = DATASET_WIDTHS[dataset];
  return model.map((s, i) => (s !== 0 ? s : widths ? widths[i === 0 ? 0 : 1] : i === 0 ? 'IN' : 'OUT')).join('-');
}

/**
 * Refuse a hidden-layer flag the user gave that no model in `models` would use (a model with
 * no hidden layers; --residual with no hidden layer as wide as its input), naming the flag and
 * a model that would use it. Models whose widths are not known yet pass (see fitToData).
 */
export function checkHiddenFlags(given: readonly HiddenFlag[], models: readonly (readonly number[])[], dataset: string): void {
  for (const flag of given) {
    const uses = models.map((m) => modelUses(flag, m));
    if (uses.some((u) => u !== false)) continue;
    const shown = [...new Set(models.map((m) => modelText(m, dataset)))];
    const which = shown.length === 1 ? `the model ${shown[0]}` : `none of the models ${shown.join(', ')}`;
    const m = models[models.length - 1];
    if (flag === 'residual') {
      // Repeat the last hidden layer (or add two of 16): the second copy keeps its input's width.
      const out = m[m.length - 1];
      const example = modelText(m.length > 2 ? [...m.slice(0, -1), m[m.length - 2], out] : [m[0], 16, 16, out], dataset);
      throw new FlagError(`--residual needs a hidden layer as wide as its input, and ${which} ${shown.length === 1 ? 'has' : 'have'} none, so it would change nothing; e.g. --model ${example}`);
    }
    const example = modelText([m[0], 16, m[m.length - 1]], dataset);
    const what = flag === 'activation' ? 'sets the hidden layers\' activation' : flag === 'dropout' ? 'adds dropout after each hidden layer' : 'adds batch normalization to each hidden layer';
    throw new FlagError(`--${flag} ${what}, and ${which} ${shown.length === 1 ? 'has' : 'have'} no hidden layers, so it would change nothing; give the model a hidden layer, e.g. --model ${example}`);
  }
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
    throw new FlagError(`--model ${m.join('-')} does not fit ${config.dataset}: it has ${inputs} input${inputs === 1 ? '' : 's'} and needs ${outputs} output${outputs === 1 ? '' : 's'} (${what}), e.g. --model ${need}`);
  }
}
