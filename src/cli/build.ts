/**
 * From a RunConfig to the objects a run needs: the data (split, standardized, in the run's
 * dtype), the model, the loss, the optimizer and the schedule. `train`,
 * `compare` and compare's worker threads all build through here, so equal configs build
 * equal runs.
 */
import type { Dataset } from '../data/dataset.js';
import { loadData, type LoadedData } from '../data/load.js';
import { SplitError } from '../data/split.js';
import { asBinary, featureCount, outputCount, toDataset, type Table } from '../data/table.js';
import { ARENA_MAX_BYTES } from '../kernels/arena.js';
import { bytesPer } from '../tensor/dtype.js';
import { activation } from '../nn/activation.js';
import { batchNorm1d } from '../nn/batchnorm.js';
import { dense } from '../nn/dense.js';
import { dropout } from '../nn/dropout.js';
import type { Layer } from '../nn/layer.js';
import { Model } from '../nn/model.js';
import { residual } from '../nn/residual.js';
import type { Optimizer } from '../optim/optimizer.js';
import { createOptimizer } from '../optim/registry.js';
import { CosineAnnealingLR } from '../optim/schedules/cosine.js';
import { ExponentialLR } from '../optim/schedules/exponential.js';
import { ReduceLROnPlateau } from '../optim/schedules/plateau.js';
import type { LrScheduler } from '../optim/schedules/scheduler.js';
import { StepLR } from '../optim/schedules/step.js';
import { LinearWarmup } from '../optim/schedules/warmup.js';
import { checkHiddenFlags, resolveModel, type RunConfig } from './config.js';
import { FlagError } from './flags.js';

export interface RunData {
  loaded: LoadedData;
  train: Dataset;
  test: Dataset | null;
}

function describe(t: Table): string {
  if (t.task === 'classification') return `${t.classes} classes`;
  if (t.task === 'binary') return 'one 0/1 target';
  return `${outputCount(t)} regression target${outputCount(t) > 1 ? 's' : ''}`;
}

/** Load and split the data of `config` (split, standardized), as float64 tables. */
export function loadTables(config: RunConfig): LoadedData {
  try {
    return loadData(config.dataset, {
      testSplit: config.testSplit ?? undefined,
      standardize: config.standardize,
      label: config.label ?? undefined,
      task: config.task ?? undefined,
    });
  } catch (e) {
    if (!(e instanceof SplitError)) throw e;
    const f = e.fraction;
    const n = e.rows;
    const rows = `${n} row${n === 1 ? '' : 's'}`;
    if (e.singleRowClasses) {
      const spare = e.testRows === 0 ? 'no class has a row to spare (each keeps its last row for training)' : `the classes can spare only ${e.testRows} (each keeps its last row for training)`;
      throw new FlagError(`--test-split ${f} of the ${rows} of ${config.dataset} holds out ${Math.round(n * f)}, but ${spare}; give a smaller --test-split, or --test-split 0 to train without a test set`);
    }
    if (e.testRows === 0) {
      // round(n·f) ≥ 1 needs f ≥ 0.5/n; and f < 1 - 0.5/n leaves a training row.
      const least = Math.ceil((0.5 / n) * 100) / 100;
      const fix = n >= 2 ? `--test-split ${least} or more to hold out a row, ` : '';
      throw new FlagError(`--test-split ${f} of the ${rows} of ${config.dataset} holds out round(${n} × ${f}) = 0 rows, so there would be no test set; give ${fix}or --test-split 0 to train without one`);
    }
    throw new FlagError(`--test-split ${f} of the ${rows} of ${config.dataset} holds out ${e.testRows}, leaving no rows to train on; give a smaller --test-split`);
  }
}

/** Fit `config` to loaded tables (see fitToData) and build the trainer's datasets in its dtype. */
export function runDataOf(config: RunConfig, loaded: LoadedData): RunData {
  fitToData(config, loaded);
  return { loaded, train: toDataset(loaded.train, config.dtype), test: loaded.test && toDataset(loaded.test, config.dtype) };
}

/** Load and split the data, and fit `config` to it (see fitToData). */
export function loadRunData(config: RunConfig): RunData {
  const data = runDataOf(config, loadTables(config));
  // buildConfig could not tell yet when the first hidden layer's input width came from the data.
  if (config.residual) checkHiddenFlags(['residual'], [config.model], config.dataset);
  return data;
}

/**
 * Batch norm cannot normalize a batch of one row (PyTorch fails at that step; the trainer
 * refuses it before training): with --batchnorm on a model with hidden layers, refuse a
 * --batch-size that makes one, naming it and suggesting the nearest size that does not.
 */
export function checkBatchNormBatches(config: RunConfig, rows: number): void {
  if (!config.batchnorm || config.model.length < 3) return;
  const given = config.batchSize;
  const batch = given === 'full' ? rows : Math.min(given, rows);
  if (rows < 2) throw new FlagError(`--batchnorm needs batches of at least 2 rows, and ${config.dataset} has ${rows} training row${rows === 1 ? '' : 's'}`);
  if (batch >= 2 && rows % batch !== 1) return;
  const fits = (s: number) => s >= 2 && s <= rows && rows % s !== 1;
  let suggestion = 0;
  for (let d = 1; suggestion === 0 && d <= rows; d++) suggestion = fits(batch + d) ? batch + d : fits(batch - d) ? batch - d : 0;
  const other = suggestion > 0 ? `, e.g. --batch-size ${suggestion}` : '';
  if (batch < 2) throw new FlagError(`--batch-size ${given} with --batchnorm: batch norm cannot normalize a batch of 1 row; give --batch-size 2 or more`);
  throw new FlagError(`--batch-size ${given} with --batchnorm leaves a last batch of 1 row (${config.dataset} has ${rows} training rows = ${Math.floor(rows / batch)} × ${batch} + 1), which batch norm cannot normalize; choose another --batch-size${other}`);
}

/**
 * Fill in the model's input and output widths (or check --model) and the loss for the data.
 * With --loss binary-cross-entropy, two-class labels become one 0/1 target (asBinary), in
 * `loaded` itself, and the model gets one output.
 */
export function fitToData(config: RunConfig, loaded: LoadedData): void {
  if (config.loss === 'binary-cross-entropy' && loaded.train.task === 'classification' && loaded.train.classes === 2) {
    loaded.train = asBinary(loaded.train);
    if (loaded.test) loaded.test = asBinary(loaded.test);
  }
  resolveModel(config, featureCount(loaded.train), outputCount(loaded.train), describe(loaded.train));
  checkBatchNormBatches(config, loaded.train.rows);
  config.loss ??= loaded.train.task === 'classification' ? 'softmax-cross-entropy' : 'mse';
  const task = loaded.train.task;
  const classes = task === 'classification';
  if (classes !== (config.loss === 'softmax-cross-entropy')) {
    const fits = classes ? 'softmax-cross-entropy' : task === 'binary' ? 'mse, half-sse or binary-cross-entropy' : 'mse or half-sse';
    throw new FlagError(`--loss ${config.loss} does not fit ${config.dataset} (${describe(loaded.train)}): use ${fits}`);
  }
  if (config.loss === 'binary-cross-entropy' && task === 'regression') {
    // BCE is a loss on probabilities: regression targets qualify only if every one is in [0, 1].
    for (const [part, t] of [['training', loaded.train], ['test', loaded.test]] as const) {
      const bad = t?.targets?.findIndex((v) => !(v >= 0 && v <= 1)) ?? -1;
      if (bad >= 0) {
        const k = outputCount(t!);
        throw new FlagError(`--loss binary-cross-entropy needs targets in [0, 1] (0/1 labels or probabilities), and ${config.dataset} has regression targets outside it (${part} row ${Math.floor(bad / k) + 1}: ${t!.targets![bad]}); use mse or half-sse`);
      }
    }
  }
}

/**
 * The network: per hidden layer Dense → [BatchNorm] → activation → [Dropout], wrapped in a
 * residual block when --residual is on and the layer keeps its input's width; then the output
 * Dense (and the dataset's output activation, the tutorial's sigmoid for XOR).
 */
export function buildModel(config: RunConfig): Model {
  const sizes = config.model;
  // Parameters, gradients and two optimizer moments at least live in one shared arena of at most
  // ARENA_MAX_BYTES (WebAssembly's 2 GiB): say so with the count, before any allocation fails.
  let count = 0;
  for (let i = 1; i < sizes.length; i++) count += (sizes[i - 1] + 1) * sizes[i];
  const bytes = 4 * count * bytesPer(config.dtype);
  if (bytes > ARENA_MAX_BYTES) {
    throw new FlagError(`--model ${sizes.join('-')}: ${count.toLocaleString('en-US')} parameters need at least ${(bytes / 2 ** 30).toFixed(1)} GiB (parameters, gradients, optimizer state) in ${config.dtype}, more than the ${(ARENA_MAX_BYTES / 2 ** 30).toFixed(1)} GiB a shared WebAssembly arena can hold`);
  }
  const layers: Layer[] = [];
  const init = { init: config.init };
  for (let i = 1; i < sizes.length - 1; i++) {
    const block: Layer[] = [dense(sizes[i - 1], sizes[i], init)];
    if (config.batchnorm) block.push(batchNorm1d(sizes[i]));
    block.push(activation(config.activation));
    if (config.dropout > 0) block.push(dropout(config.dropout));
    if (config.residual && sizes[i - 1] === sizes[i]) layers.push(residual(block));
    else layers.push(...block);
  }
  layers.push(dense(sizes[sizes.length - 2], sizes[sizes.length - 1], init));
  if (config.outputActivation) layers.push(activation(config.outputActivation));
  return new Model(layers, { dtype: config.dtype, seed: config.seed });
}

export function buildOptimizer(config: RunConfig, model: Model): Optimizer {
  return createOptimizer(config.optimizer, model.parameters(), config.optimizerOptions as never) as unknown as Optimizer;
}

/** The schedule, stepped once per epoch; cosine's T_max is the run's epochs after any warmup. */
export function buildSchedule(config: RunConfig, optimizer: Optimizer): LrScheduler | null {
  let after: LrScheduler | undefined;
  switch (config.schedule) {
    case 'none':
      break;
    case 'step':
      after = new StepLR(optimizer, { stepSize: config.stepSize ?? 10, gamma: config.gamma ?? 0.1 });
      break;
    case 'exponential':
      after = new ExponentialLR(optimizer, { gamma: config.gamma ?? 0.95 });
      break;
    case 'cosine':
      after = new CosineAnnealingLR(optimizer, { tMax: config.epochs - config.warmup });
      break;
    case 'plateau':
      after = new ReduceLROnPlateau(optimizer, { patience: config.stepSize ?? 10, factor: config.gamma ?? 0.1 });
      break;
  }
  return config.warmup > 0 ? new LinearWarmup(optimizer, { steps: config.warmup }, after) : after ?? null;
}
