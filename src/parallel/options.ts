/**
 * The parallel runtime's options, their frozen defaults and checks, its profile, and its errors.
 */
import { availableParallelism } from 'node:os';
import { checkPositiveInt, mergeOptions, optionError } from '../errors.js';
import type { FaultSpec } from './runArena.js';

export interface StepProfile {
  steps: number;
  stepSeconds: number;
  threads: number;
  /** Per thread, seconds: forward and backward, the batch weight gradients included. */
  forwardBackward: number[];
  /** Per thread, seconds: of forwardBackward, the dense layers' weight gradients over the whole batch (batchGrads.ts). */
  weightGrads: number[];
  /** Per thread, seconds: reducing per-shard slots (parameters of non-dense layers). */
  reduce: number[];
  update: number[];
  wait: number[];
  /** Times a thread woke the coordinator (control.ts WAKE): once per step it waited for, or once per half queue in a run of steps (runSteps). */
  wakes: number;
}

/** One step as ParallelEngine.stepTimes reports it. */
export interface StepTime {
  /** From the step's start to the next step's (each thread's gap on its own clock, the threads' mean). */
  wallSeconds: number;
  /** Forward and backward, the batch weight gradients included: the threads' mean. */
  forwardBackwardSeconds: number;
}

export interface ParallelOptions {
  /** Worker threads (default: os.availableParallelism()). */
  threads?: number;
  /** Rows per micro-shard; never depends on the thread count (default 32). */
  microShard?: number;
  /** A step that takes longer than this (ms, from its start) counts as a hung thread (default 5 minutes). */
  stepTimeout?: number;
  /** Times a step is redone after a thread crashed or hung (default 2). */
  maxRetries?: number;
  /** piscina's / Node's resourceLimits for each thread, e.g. { maxOldGenerationSizeMb: 256 }. */
  resourceLimits?: { maxOldGenerationSizeMb?: number; maxYoungGenerationSizeMb?: number } | null;
  /** Testing only: make a thread fail on purpose. */
  fault?: FaultSpec | null;
}

/** The most worker threads a run takes. */
export const MAX_THREADS = 256;

export const PARALLEL_DEFAULTS: Readonly<Required<ParallelOptions>> = Object.freeze({
  threads: Math.min(availableParallelism(), MAX_THREADS),
  microShard: 32,
  stepTimeout: 300_000,
  maxRetries: 2,
  resourceLimits: null,
  fault: null,
});


/** A step's failure, naming the micro-shard and carrying the cause. */
export class ShardError extends Error {
  constructor(readonly step: number, readonly shard: number, cause: unknown) {
    super(`step ${step}, micro-shard ${shard}: ${(cause as Error)?.message ?? String(cause)}`, { cause });
    this.name = 'ShardError';
  }
}

/** A thread died or hung more often than `maxRetries` allows, or ran out of memory. */
export class WorkerFailure extends Error {
  /**
   * True when a thread failed while applying an update: the run's parameters may be partly
   * updated, and the model keeps those of its last synchronization (StepEngine: `torn`).
   */
  readonly torn: boolean;

  constructor(message: string, cause?: unknown, torn = false) {
    super(message, { cause });
    this.name = 'WorkerFailure';
    this.torn = torn;
  }
}

export function checkParallelOptions(options: ParallelOptions | undefined): Required<ParallelOptions> {
  const o = mergeOptions('parallel options', PARALLEL_DEFAULTS, options);
  checkPositiveInt('threads', o.threads);
  // More is a mistake, not a machine: each thread is a V8 isolate with its own buffers.
  if (o.threads > MAX_THREADS) throw optionError('threads', `at most ${MAX_THREADS} (this machine has ${availableParallelism()} cores)`, o.threads);
  checkPositiveInt('microShard', o.microShard);
  checkPositiveInt('stepTimeout', o.stepTimeout);
  if (!Number.isInteger(o.maxRetries) || o.maxRetries < 0) throw optionError('maxRetries', 'a non-negative integer', o.maxRetries);
  return o;
}

/**
 * Why a failed step is not retried, or null if it is: a shard that threw (`thrownShard` ≥ 0; it
 * would throw again), a thread out of memory (it would run out again), or retries spent.
 */
export function finalFailure(error: unknown, step: number, thrownShard: number, attempt: number, options: Readonly<Required<ParallelOptions>>): Error | null {
  if (thrownShard >= 0) return new ShardError(step, thrownShard, error);
  const code = (error as { code?: string })?.code;
  if (code === 'ERR_WORKER_OUT_OF_MEMORY' || /out of memory/i.test(String((error as Error)?.message))) {
    const limit = options.resourceLimits?.maxOldGenerationSizeMb;
    return new WorkerFailure(`a worker thread ran out of memory in step ${step}${limit ? ` (resourceLimits.maxOldGenerationSizeMb = ${limit})` : ''}; not retried`, error);
  }
  if (attempt >= options.maxRetries) return new WorkerFailure(`step ${step} failed ${attempt + 1} times (a worker thread crashed or hung; maxRetries = ${options.maxRetries}): ${(error as Error)?.message}`, error);
  return null;
}
