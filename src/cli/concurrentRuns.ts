/**
 * How `compare` uses every thread, and its runs in worker threads of their own.
 *
 * The scheduling rule (`planRuns`), for `--concurrent auto` (the default). With at least two
 * configurations and at least two threads, configurations run at once, up to `--threads` at a
 * time, each in a worker thread of its own whose trainer has one pool thread, when either
 *
 *   1. the model is small: parameters × rows per step (the weights and biases of the Dense
 *      layers times the batch size, or the training rows for `--batch-size full`) is at most
 *      CONCURRENT_STEP_WORK = 2^22 (about 4.2 million) for every configuration; or
 *   2. every thread gets a whole run: there are at least as many configurations as threads, and
 *      no configuration has more than CONCURRENT_PARAMS = 2^20 parameters.
 *
 * Otherwise (a single configuration, a single thread, or a large model with fewer
 * configurations than threads) they run one after another, each data-parallel on all threads.
 *
 * Why, measured on 2 cores (shared with other work, so rough): a data-parallel step pays a fixed
 * cost to hand micro-shards to the pool threads and reduce their gradients. Below the step
 * limit that cost eats the gain: xor (2-3-1, 4 rows; 3000 epochs 0.4 s on 1 thread, 0.7 s on
 * 2), iris (4-16-3, batch 16; 0.3 s vs 0.4 s) and spiral (2-64-64-3, batch 32; 0.3 s vs 0.5 s)
 * train slower on 2 threads than on 1, and 2-256-256-3 at batch 32 (2.2 million) no faster;
 * so one configuration per thread is the better use of the cores even when some threads stay
 * idle. Above it splitting a batch gains (MNIST's 784-128-64-10 at batch 128, 14 million:
 * 0.7 s → 0.5 s for 2 epochs), but whole runs per thread still gain more when they fill the
 * threads (sgd and adam on MNIST for 3 epochs, 2 threads, wall time with the data loading:
 * 7.6–9.5 s at once, 10.8–12.1 s one after another). With fewer configurations than threads,
 * or models over 2^20 parameters (each run at once holds its own model, optimizer state and
 * tensors of the data), data-parallel runs one after another. `--concurrent yes` and `no`
 * force either way.
 *
 * Either way a configuration's numbers are the same: the runtime gives bit-identical parameters
 * for any thread count (same seed, batch size and micro-shard size), so a run with one thread in
 * its own worker ends with the paramsSha256 it ends with data-parallel.
 *
 * The data are loaded once, in the caller's thread, and handed to the workers in
 * SharedArrayBuffers (no copy per worker); each worker builds its own tensors from them.
 */
import { fileURLToPath } from 'node:url';
import { Worker, type MessagePort } from 'node:worker_threads';
import type { LoadedData } from '../data/load.js';
import type { Table } from '../data/table.js';
import type { EpochRecord } from '../train/trainer.js';
import { runDataOf } from './build.js';
import type { CompareConfig } from './compareConfigs.js';
import type { RunConfig } from './config.js';
import { FlagError } from './flags.js';
import { runTraining, type RunSummary } from './run.js';

export const CONCURRENT_MODES = Object.freeze(['auto', 'yes', 'no'] as const);
export type ConcurrentMode = (typeof CONCURRENT_MODES)[number];

/** Rule 1: the largest step (parameters × rows per step) that `auto` always runs at once. */
export const CONCURRENT_STEP_WORK = 2 ** 22;

/** Rule 2: the largest model that `auto` runs at once when the configurations fill the threads. */
export const CONCURRENT_PARAMS = 2 ** 20;

const WORKER_FILE = fileURLToPath(new URL('../../workers/compareRun.js', import.meta.url));

export interface RunPlan {
  concurrent: boolean;
  /** Configurations running at once (1 when they run one after another). */
  slots: number;
  /** Pool threads of each run's trainer. */
  threadsEach: number;
  /** The most parameters among the configurations. */
  params: number;
  /** The largest parameters × rows per step among the configurations. */
  stepWork: number;
}

/** Weights and biases of the Dense layers of a model with these layer sizes. */
export function denseParamCount(sizes: readonly number[]): number {
  let n = 0;
  for (let i = 1; i < sizes.length; i++) n += (sizes[i - 1] + 1) * sizes[i];
  return n;
}

/** Rows in one step of `config` on `trainRows` training rows. */
export function rowsPerStep(config: RunConfig, trainRows: number): number {
  return config.batchSize === 'full' ? trainRows : Math.min(config.batchSize, trainRows);
}

/**
 * The scheduling rule (see the top of this file). `configs` have their models fitted to the
 * data (fitToData); all share `threads`.
 */
export function planRuns(configs: readonly CompareConfig[], trainRows: number, mode: ConcurrentMode = 'auto'): RunPlan {
  const threads = configs[0].config.threads;
  const params = Math.max(...configs.map(({ config }) => denseParamCount(config.model)));
  const stepWork = Math.max(...configs.map(({ config }) => denseParamCount(config.model) * rowsPerStep(config, trainRows)));
  const small = stepWork <= CONCURRENT_STEP_WORK;
  const fills = configs.length >= threads && params <= CONCURRENT_PARAMS;
  const concurrent = mode === 'yes' || (mode === 'auto' && configs.length >= 2 && threads >= 2 && (small || fills));
  return concurrent
    ? { concurrent, slots: Math.min(threads, configs.length), threadsEach: 1, params, stepWork }
    : { concurrent, slots: 1, threadsEach: threads, params, stepWork };
}

/** One line saying how the configurations will run. */
export function describePlan(plan: RunPlan, count: number): string {
  const configs = `${count} configuration${count === 1 ? '' : 's'}`;
  const each = `${plan.threadsEach} thread${plan.threadsEach === 1 ? '' : 's'} each`;
  return plan.concurrent
    ? `${configs}, ${plan.slots} at a time in worker threads (${each})\n`
    : `${configs}, one after another (${each}, data-parallel)\n`;
}

/** A configuration's error, naming it; usage errors stay usage errors. */
export function labelled(label: string, e: unknown): Error {
  const error = e instanceof Error ? e : new Error(String(e));
  const message = `configuration ${JSON.stringify(label)}: ${error.message}`;
  const out = error instanceof FlagError || error.name === 'FlagError' ? new FlagError(message) : new Error(message, { cause: error });
  if (error.stack) out.stack = `${out.name}: ${message}\n${error.stack.split('\n').slice(1).join('\n')}`;
  return out;
}

// --- the worker's side -------------------------------------------------------------------

/** What a compare worker receives (as workerData). */
export interface CompareJob {
  config: RunConfig;
  loaded: LoadedData;
}

export type CompareMessage =
  | { kind: 'epoch'; record: EpochRecord }
  | { kind: 'done'; summary: RunSummary }
  | { kind: 'error'; error: { name: string; message: string; stack?: string } };

/** Run one job in this (worker) thread, reporting epochs and the outcome on `port`. */
export async function serveCompareRun(job: CompareJob, port: MessagePort): Promise<void> {
  const send = (m: CompareMessage) => port.postMessage(m);
  try {
    const data = runDataOf(job.config, job.loaded);
    const result = await runTraining(job.config, { data, hooks: { onEpoch: (record) => send({ kind: 'epoch', record }) } });
    const { model: _model, ...summary } = result;
    send({ kind: 'done', summary });
  } catch (e) {
    const error = e instanceof Error ? e : new Error(String(e));
    send({ kind: 'error', error: { name: error.name, message: error.message, stack: error.stack } });
  }
}

// --- the caller's side -------------------------------------------------------------------

function shareArray<T extends Float64Array | Int32Array>(a: T): T {
  const Ctor = a.constructor as { new (buffer: SharedArrayBuffer): T; BYTES_PER_ELEMENT: number };
  const shared = new Ctor(new SharedArrayBuffer(a.length * Ctor.BYTES_PER_ELEMENT));
  shared.set(a);
  return shared;
}

function shareTable(t: Table): Table {
  return { ...t, x: shareArray(t.x), labels: t.labels && shareArray(t.labels), targets: t.targets && shareArray(t.targets) };
}

/** The tables with their arrays in SharedArrayBuffers, to hand to workers without copies. */
export function shareTables(loaded: LoadedData): LoadedData {
  const train = shareTable(loaded.train);
  const test = loaded.test === null ? null : loaded.test === loaded.train ? train : shareTable(loaded.test);
  return { ...loaded, train, test };
}

function revive(e: { name: string; message: string; stack?: string }): Error {
  const error = e.name === 'FlagError' ? new FlagError(e.message) : new Error(e.message);
  if (e.name !== 'FlagError') error.name = e.name;
  if (e.stack) error.stack = e.stack;
  return error;
}

interface RunThread {
  /** Resolves with the run's summary once its thread has ended; rejects with its error. */
  done: Promise<RunSummary>;
  stop(): void;
}

function startRun(job: CompareJob, onEpoch: (record: EpochRecord) => void): RunThread {
  const worker = new Worker(WORKER_FILE, { workerData: job });
  let summary: RunSummary | null = null;
  let failure: Error | null = null;
  const done = new Promise<RunSummary>((resolve, reject) => {
    worker.on('message', (m: CompareMessage) => {
      if (m.kind === 'epoch') {
        if (!failure) onEpoch(m.record);
        return;
      }
      if (m.kind === 'done') summary = m.summary;
      else failure ??= revive(m.error);
      // The run is over: end its thread (and its pool's) now rather than wait for it to wind down.
      void worker.terminate();
    });
    worker.on('error', (e) => {
      failure ??= e;
    });
    worker.on('messageerror', (e) => {
      failure ??= e;
      void worker.terminate();
    });
    worker.on('exit', (code) => {
      if (failure) reject(failure);
      else if (summary) resolve(summary);
      else reject(new Error(`its worker thread exited (code ${code}) before the run finished`));
    });
  });
  return {
    done,
    stop: () => {
      failure ??= new Error('stopped');
      void worker.terminate();
    },
  };
}

/**
 * Run `configs` in worker threads, up to `slots` at once, each with the given config (the
 * caller sets its threads). Results come back in the order of `configs`. The first error
 * stops the other runs, and is thrown naming its configuration once every thread has ended.
 * Aborting `stop` ends every run, and throws its reason once every thread has ended. Aborting
 * `interrupt` (Ctrl-C) ends every run too, and the results of the runs that had finished come
 * back, the others' places empty.
 */
export async function runConcurrently(
  configs: readonly CompareConfig[],
  loaded: LoadedData,
  slots: number,
  onEpoch?: (label: string, record: EpochRecord) => void,
  stop?: AbortSignal,
  interrupt?: AbortSignal,
): Promise<Array<RunSummary | undefined>> {
  stop?.throwIfAborted();
  const results = new Array<RunSummary | undefined>(configs.length);
  if (configs.length === 0) return results;
  const shared = shareTables(loaded);
  const running = new Set<RunThread>();
  let next = 0;
  let failure: Error | null = null;
  const onStop = () => {
    for (const run of running) run.stop();
  };
  stop?.addEventListener('abort', onStop);
  interrupt?.addEventListener('abort', onStop);
  await new Promise<void>((resolve) => {
    const launch = (): void => {
      while (failure === null && !stop?.aborted && !interrupt?.aborted && running.size < slots && next < configs.length) {
        const i = next++;
        const { label, config } = configs[i];
        const run = startRun({ config, loaded: shared }, (record) => onEpoch?.(label, record));
        running.add(run);
        run.done
          .then(
            (summary) => {
              results[i] = summary;
            },
            (e: unknown) => {
              // A run ended by Ctrl-C is not a failure: it just has no result.
              if (failure !== null || interrupt?.aborted) return;
              failure = labelled(label, e);
              for (const other of running) if (other !== run) other.stop();
            },
          )
          .finally(() => {
            running.delete(run);
            launch();
            if (running.size === 0) resolve();
          });
      }
    };
    launch();
  });
  stop?.removeEventListener('abort', onStop);
  interrupt?.removeEventListener('abort', onStop);
  stop?.throwIfAborted();
  if (failure !== null) throw failure;
  return results;
}
