/**
 * One training run from a RunConfig: build, optionally load initial weights or resume from a
 * checkpoint, train with a checkpoint after every epoch, and measure the final parameters.
 * `train` runs one; `compare` runs several (here or in worker threads). The result carries
 * paramsSha256, the SHA-256 of the final parameter bytes, so runs can be compared exactly.
 */
import { fingerprint } from '../data/table.js';
import { sha256 } from '../io/modelFile.js';
import { lossByName } from '../losses/index.js';
import type { LayerConfig } from '../nn/layer.js';
import type { Model } from '../nn/model.js';
import { readCheckpoint, restoreCheckpoint, saveCheckpoint, type CheckpointParts } from '../train/checkpoint.js';
import { EarlyStopping } from '../train/earlyStopping.js';
import { evaluate } from '../train/evaluate.js';
import { Trainer, type EpochRecord, type ProgressInfo } from '../train/trainer.js';
import { buildModel, buildOptimizer, buildSchedule, fitToData, loadRunData, type RunData } from './build.js';
import { RESUMABLE_KEYS, type RunConfig } from './config.js';
import { FlagError } from './flags.js';
import { readParamsFile } from './paramsFile.js';

export interface StartInfo {
  config: RunConfig;
  /** Epochs already done (from a checkpoint). */
  startEpoch: number;
  /** Rows of the next epoch already done (a checkpoint written part-way through it), else 0. */
  startRow: number;
  trainSize: number;
  testSize: number;
  batchSize: number;
  paramCount: number;
  /** The model's layers (Model.config().layers): what trains, output activation included. */
  layers: readonly LayerConfig[];
}

export interface RunHooks {
  onStart?(info: StartInfo): void;
  /** Passive progress: steps still go in runs on the parallel runtime (TrainerOptions.onProgress). */
  onProgress?(info: ProgressInfo): void;
  onEpoch?(record: EpochRecord): void;
}

export interface RunOptions {
  /** Checkpoint after every epoch to this file. */
  save?: string | null;
  /** Continue from this checkpoint (written with the same config; `epochs` may differ: checkResumable). */
  resume?: string | null;
  hooks?: RunHooks;
  /** Data already loaded for this config (compare loads it once). */
  data?: RunData;
  /**
   * On SIGINT, let the step in flight finish, write the checkpoint (with the epoch's position,
   * so --resume continues exactly there), close the pool and return with `interrupted` set.
   */
  interruptible?: boolean;
  /** Stop as on SIGINT when this is aborted (stdout's reader went away: outputClosed.ts). */
  stop?: AbortSignal;
}

export interface FinalMetrics {
  trainLoss: number;
  testLoss: number | null;
  testAccuracy: number | null;
  paramsSha256: string;
}

export interface RunResult {
  config: RunConfig;
  history: EpochRecord[];
  final: FinalMetrics;
  /** Accuracy on the training rows with the final parameters (null for regression). */
  trainAccuracy: number | null;
  model: Model;
  /** Wall time of this process's part of the run. */
  seconds: number;
  /** Stopped by SIGINT or `stop` before the last epoch ended. */
  interrupted: boolean;
  /** When early stopping ended the run: the epoch whose weights it restored (the best). */
  earlyStopped?: { bestEpoch: number };
}

/**
 * A run's outcome without the model: what `compare` tables, reports and writes. A run in a
 * compare worker thread sends this back (it is structured-cloneable); a RunResult is one.
 */
export type RunSummary = Omit<RunResult, 'model'>;

/** What a checkpoint records about the run besides its state. */
interface CheckpointMeta {
  config: Omit<RunConfig, 'threads'>;
  data: string;
}

export function paramsSha256(model: Model): string {
  const p = model.params;
  return sha256(new Uint8Array(p.buffer, p.byteOffset, p.byteLength));
}

function checkpointConfig(config: RunConfig): CheckpointMeta['config'] {
  const c: Partial<RunConfig> = { ...config };
  for (const k of RESUMABLE_KEYS) delete c[k];
  return c as CheckpointMeta['config'];
}

/**
 * A setting as resuming compares it. Paths are not compared: a CSV's data are compared by their
 * fingerprint (the same file may be named from another folder), and a resumed run's weights come
 * from the checkpoint, not from the params file it started from.
 */
function resumeForm(key: string, value: unknown): unknown {
  if (key === 'dataset' && typeof value === 'string' && value.startsWith('csv:')) return 'csv:';
  return key === 'initParams' ? undefined : value;
}

/**
 * A checkpoint continues only with the settings of the run that wrote it, but for `--epochs`:
 * a finished run can go on for more epochs (or an unfinished one stop sooner), as long as the
 * schedule does not depend on the run's length (cosine's T_max does) and no fewer epochs are
 * asked for than it has begun (it finishes an epoch it was stopped in).
 */
function checkResumable(file: string, meta: CheckpointMeta, config: RunConfig, data: string, epochsBegun: number): void {
  const here = checkpointConfig(config) as Record<string, unknown>;
  const there = (meta?.config ?? {}) as Record<string, unknown>;
  if (here.epochs !== there.epochs && config.schedule !== 'cosine') {
    if (config.epochs < epochsBegun) throw new FlagError(`--resume ${file}: the checkpoint's run has begun ${epochsBegun} epochs (a resumed run finishes the one it stopped in); --epochs ${config.epochs} asks for fewer`);
    there.epochs = here.epochs;
  }
  for (const key of new Set([...Object.keys(here), ...Object.keys(there)])) {
    const a = JSON.stringify(resumeForm(key, there[key]));
    const b = JSON.stringify(resumeForm(key, here[key]));
    if (a !== b) throw new FlagError(`--resume ${file}: the checkpoint's run has ${key} = ${a}, this one ${b}; resume with the flags of the run that wrote it`);
  }
  if (meta.data !== data) throw new FlagError(`--resume ${file}: the data differ from the checkpoint's run (another file, split or standardization)`);
}

export async function runTraining(config: RunConfig, options: RunOptions = {}): Promise<RunResult> {
  const started = performance.now();
  const data = options.data ?? loadRunData(config);
  fitToData(config, data.loaded);
  const model = buildModel(config);
  // A resumed run's weights come from its checkpoint: the params file is not read again (it may be gone).
  if (config.initParams && !options.resume) readParamsFile(config.initParams, model);
  const optimizer = buildOptimizer(config, model);
  const schedule = buildSchedule(config, optimizer);
  const early = config.earlyStop === null ? null : new EarlyStopping(model, { patience: config.earlyStop });
  const dataPrint = `${fingerprint(data.loaded.train)}:${data.loaded.test ? fingerprint(data.loaded.test) : 'none'}`;
  let parts: CheckpointParts;
  const meta: CheckpointMeta = { config: checkpointConfig(config), data: dataPrint };
  const hooks = options.hooks ?? {};
  const trainer = new Trainer(model, {
    optimizer,
    loss: config.loss!,
    epochs: config.epochs,
    batchSize: config.batchSize,
    shuffle: config.shuffle,
    seed: config.seed,
    threads: config.threads,
    clipNorm: config.clipNorm,
    schedule,
    onProgress: hooks.onProgress ?? null,
    onEpochEnd: (record, stop) => {
      if (early?.update(record)) stop();
      if (options.save) saveCheckpoint(options.save, parts, meta);
      hooks.onEpoch?.(record);
    },
  });
  parts = { model, optimizer, schedule, trainer, earlyStopping: early };
  let done = false;
  if (options.resume) {
    const ckpt = readCheckpoint<CheckpointMeta>(options.resume);
    // Epochs done, and one more when it stopped inside an epoch (a resumed run finishes that one).
    const begun = (typeof ckpt.trainer?.epoch === 'number' ? ckpt.trainer.epoch : 0) + (ckpt.trainer?.inEpoch ? 1 : 0);
    checkResumable(options.resume, ckpt.meta, config, dataPrint, begun);
    restoreCheckpoint(ckpt, parts);
    // A run that early stopping had ended stays ended.
    done = early?.stopped ?? false;
  }
  hooks.onStart?.({
    config,
    startEpoch: trainer.history.length,
    startRow: trainer.snapshot().inEpoch?.next ?? 0,
    trainSize: data.train.size,
    testSize: data.test?.size ?? 0,
    batchSize: config.batchSize === 'full' ? data.train.size : Math.min(config.batchSize, data.train.size),
    paramCount: model.paramCount,
    layers: model.config().layers,
  });
  let interrupted = false;
  const onSignal = () => {
    interrupted = true;
    trainer.stop();
  };
  if (options.interruptible) process.once('SIGINT', onSignal);
  options.stop?.addEventListener('abort', onSignal);
  try {
    // A stop asked for before fit() starts would be lost (fit clears it): do not start.
    if (options.stop?.aborted) interrupted = true;
    else if (!done) await trainer.fit(data.train, data.test ?? undefined);
  } finally {
    process.off('SIGINT', onSignal);
    options.stop?.removeEventListener('abort', onSignal);
  }
  // A stop that came during the last step stopped nothing: that step ended the run anyway.
  if (trainer.history.length >= config.epochs || early?.stopped) interrupted = false;
  if (interrupted && options.save) saveCheckpoint(options.save, parts, meta);
  // The best epoch's weights only when early stopping ended the run (Keras' restore_best_weights).
  if (early?.stopped) early.restore();
  const loss = lossByName(config.loss!);
  const train = evaluate(model, data.train, loss);
  const test = data.test ? evaluate(model, data.test, loss) : null;
  return {
    config,
    history: trainer.history,
    final: { trainLoss: train.loss, testLoss: test?.loss ?? null, testAccuracy: test?.accuracy ?? null, paramsSha256: paramsSha256(model) },
    trainAccuracy: train.accuracy,
    model,
    seconds: (performance.now() - started) / 1000,
    interrupted,
    ...(early?.stopped ? { earlyStopped: { bestEpoch: early.bestEpochNumber } } : {}),
  };
}
