/**
 * The bench runner's contract: a suite is a named async function that measures something and
 * adds rows to the shared results. The kernel suite registers itself here; the parallel runtime's
 * training-throughput suite registers the same way (import its module from index.ts), so the
 * runner, the table printing and `--json` need no change when suites are added.
 */

export type Op = 'forward' | 'dW' | 'dX';
export type Impl = 'ml-matrix' | 'reference' | 'wasm';

/** One timed product. m, k, n are the product's dimensions: an m×k times a k×n. */
export interface KernelRow {
  op: Op;
  dtype: 'float32' | 'float64';
  impl: Impl;
  m: number;
  k: number;
  n: number;
  gflops: number;
}

export interface TrainingRow {
  threads: number;
  batchSize: number;
  samplesPerSecond: number;
  /** Throughput over the 1-thread row at the same batch size. */
  speedup?: number;
  /** Per step, ms: wall time (epoch seconds / steps), the coordinator's view, and the threads' means. */
  stepMs?: number;
  engineStepMs?: number;
  forwardBackwardMs?: number;
  /** Of forwardBackwardMs: the dense layers' weight gradients over the whole batch. */
  weightGradsMs?: number;
  reduceMs?: number;
  updateMs?: number;
  waitMs?: number;
  /** Share of the wall time per step not spent in forward/backward (0-1). */
  outsideShare?: number;
  /** The same share per step (ParallelEngine.stepTimes), the median over the timed steps. */
  medianStepOutsideShare?: number;
  /** The same share over the timed steps' own time (stepsShare): the epochs' hand-overs left out. */
  stepsOutsideShare?: number;
  /** Bytes of the run's shared arena (ParallelEngine.arenaBytes). */
  arenaBytes?: number;
  dtype?: string;
  rows?: number;
  timedEpochs?: number;
}

/** Everything `--json FILE` writes. Suites may add other top-level keys of their own. */
export interface BenchResults {
  kernels: KernelRow[];
  training: TrainingRow[];
  [extra: string]: unknown;
}

export interface BenchOptions {
  /** `--quick`: fewer and shorter samples; the whole run stays under 2 minutes on 2 cores. */
  readonly quick: boolean;
  /** Print a line (suites print their own tables through this). */
  readonly log: (line: string) => void;
}

export interface Suite {
  readonly name: string;
  run(options: BenchOptions, results: BenchResults): Promise<void> | void;
}

const suites: Suite[] = [];

/** Add a suite; suites run in the order they were registered. */
export function registerSuite(suite: Suite): void {
  if (suites.some((s) => s.name === suite.name)) throw new Error(`bench suite "${suite.name}" is already registered`);
  suites.push(suite);
}

export function registeredSuites(): readonly Suite[] {
  return suites;
}

/**
 * The share outside forward/backward over the steps' own time: Σ(wall − forward/backward) / Σ wall
 * over `times` (ParallelEngine.stepTimes: each step from its start to the next one's), leaving out
 * the steps at `isEpochEnd` indices, whose interval spans the trainer's work between two epochs
 * (results, records, callbacks, the next epoch's order). A mean: every stalled step counts.
 */
export function stepsShare(times: ReadonlyArray<{ wallSeconds: number; forwardBackwardSeconds: number }>, isEpochEnd: (i: number) => boolean): number {
  let wall = 0;
  let outside = 0;
  times.forEach((t, i) => {
    if (isEpochEnd(i)) return;
    wall += t.wallSeconds;
    outside += t.wallSeconds - t.forwardBackwardSeconds;
  });
  return outside / wall;
}
