/**
 * The training suite: throughput of the MNIST-shaped MLP 784-128-64-10 (Adam, float32, random
 * MNIST-shaped data) through the public `Trainer` with its `threads` option, so it measures what
 * users get: the pool, the coordinator, the step kernels. Batch 128 and 256, with 1, 2 and
 * `os.availableParallelism()` threads (deduplicated). Nothing watches single steps (no
 * onBatchEnd), so each epoch goes as one run of steps (src/train/autoSteps.ts).
 *
 * Each run is one `fit`: warm-up epochs of at least WARMUP_STEPS steps in all (threads start,
 * WASM compiles, V8 optimizes the JS of every thread: with 2 threads each one runs half the
 * shards, and throughput keeps rising for about 200 steps), then the timed epochs. Samples/s is rows over the trainer's own epoch seconds. Where the step's time goes
 * comes from `ParallelEngine.profile()`, as the difference between the end of the warm-up and the
 * end of the run; "outside" is the share of wall time per step not spent in forward/backward (the
 * threads' mean), i.e. dispatch, reduction, update, barriers and the trainer's own work; "median
 * step" is the same share step by step (`ParallelEngine.stepTimes()`), the median over the timed
 * steps but the last (which has no next step to end its interval), which the steps that other work on this shared machine stalls do not move.
 */
import { availableParallelism } from 'node:os';
import { makeDataset, type Dataset } from '../src/data/dataset.js';
import { activation } from '../src/nn/activation.js';
import { dense } from '../src/nn/dense.js';
import { Model } from '../src/nn/model.js';
import { Adam } from '../src/optim/adam.js';
import { ParallelEngine, type StepProfile } from '../src/parallel/engine.js';
import { Trainer } from '../src/train/trainer.js';
import { registerSuite, stepsShare, type BenchOptions, type BenchResults, type TrainingRow } from './registry.js';
import { formatTable } from './table.js';

const ROWS = 8192;
const FEATURES = 784;
const CLASSES = 10;
const BATCHES = [128, 256];
/** Steps before timing starts (measured: a 2-thread run reaches its steady rate after ~200). */
const WARMUP_STEPS = 256;

/** Uniform [0, 1) pixels and labels 0-9 from a small LCG: the same data on every run. */
export function mnistShaped(rows: number): Dataset {
  let s = 12345;
  const next = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const x = new Float32Array(rows * FEATURES);
  for (let i = 0; i < x.length; i++) x[i] = next();
  const labels = Array.from({ length: rows }, () => Math.floor(next() * CLASSES));
  return makeDataset({ x: { data: x, shape: [rows, FEATURES] }, labels, classes: CLASSES }, 'float32');
}

export function mlp(): Model {
  return new Model([dense(FEATURES, 128), activation('relu'), dense(128, 64), activation('relu'), dense(64, CLASSES)], { seed: 1 });
}

const sum = (a: number[]) => a.reduce((x, y) => x + y, 0);
const mean = (a: number[]) => sum(a) / a.length;
const median = (a: number[]) => {
  const s = [...a].sort((x, y) => x - y);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};

/** Per-step milliseconds between two profiles of one run: later − earlier, threads averaged. */
function perStep(later: StepProfile, earlier: StepProfile, key: 'forwardBackward' | 'weightGrads' | 'reduce' | 'update' | 'wait'): number {
  const steps = later.steps - earlier.steps;
  return (1000 * mean(later[key].map((v, i) => v - (earlier[key][i] ?? 0)))) / steps;
}

async function measure(data: Dataset, threads: number, batchSize: number, timedEpochs: number, warmupEpochs: number): Promise<TrainingRow> {
  const model = mlp();
  let warm: StepProfile | null = null;
  let arenaBytes = 0;
  let engine: ParallelEngine | null = null;
  const trainer = new Trainer(model, {
    optimizer: new Adam(model.parameters()), loss: 'softmax-cross-entropy', epochs: warmupEpochs + timedEpochs, batchSize, threads, seed: 1,
    onEpochEnd: (r) => {
      // The end of the last warm-up epoch: timing starts from here.
      if (r.epoch !== warmupEpochs) return;
      warm = engine!.profile();
      arenaBytes = engine!.arenaBytes;
    },
  });
  const e = trainer.stepEngine;
  if (!(e instanceof ParallelEngine)) throw new Error('the trainer did not build a ParallelEngine');
  engine = e;
  const history = await trainer.fit(data);
  const end = engine.profile();
  const start = warm as StepProfile | null;
  if (!start) throw new Error('no warm-up epoch was recorded');
  const timed = history.slice(warmupEpochs);
  const seconds = sum(timed.map((r) => r.seconds));
  const steps = end.steps - start.steps;
  const wallMs = (1000 * seconds) / steps;
  const forwardBackwardMs = perStep(end, start, 'forwardBackward');
  // The timed steps but the last, whose interval (to a next step's start) does not exist: asking
  // for all of them would reach back to the last warm-up step, which carries the epoch's end.
  const times = engine.stepTimes(steps - 1);
  const perStepShares = times.map((s) => 1 - s.forwardBackwardSeconds / s.wallSeconds);
  // Timed step i ends its epoch when (i + 1) is a multiple of the steps per epoch (all of them logged).
  const perEpoch = Math.ceil(data.size / batchSize);
  return {
    threads, batchSize,
    samplesPerSecond: (data.size * timed.length) / seconds,
    stepMs: wallMs,
    engineStepMs: (1000 * (end.stepSeconds - start.stepSeconds)) / steps,
    forwardBackwardMs,
    weightGradsMs: perStep(end, start, 'weightGrads'),
    reduceMs: perStep(end, start, 'reduce'),
    updateMs: perStep(end, start, 'update'),
    waitMs: perStep(end, start, 'wait'),
    outsideShare: 1 - forwardBackwardMs / wallMs,
    medianStepOutsideShare: perStepShares.length ? median(perStepShares) : undefined,
    stepsOutsideShare: times.length === steps - 1 && times.length > 0 ? stepsShare(times, (i) => (i + 1) % perEpoch === 0) : undefined,
    arenaBytes,
    dtype: 'float32',
    rows: data.size,
    timedEpochs: timed.length,
  };
}

async function run(options: BenchOptions, results: BenchResults): Promise<void> {
  const { quick, log } = options;
  const threadCounts = [...new Set([1, 2, availableParallelism()])].sort((a, b) => a - b);
  const timedEpochs = quick ? 1 : 3;
  const repeats = quick ? 1 : 2;
  const data = mnistShaped(ROWS);
  const warmupEpochs = (batchSize: number) => (quick ? 1 : Math.ceil(WARMUP_STEPS / Math.ceil(ROWS / batchSize)));
  log(`MLP 784-128-64-10, Adam, float32, ${ROWS} random MNIST-shaped rows; per run ${quick ? '1 warm-up epoch' : `${WARMUP_STEPS} warm-up steps`} + ${timedEpochs} timed epochs; best of ${repeats}`);
  const rows: TrainingRow[] = [];
  for (const batchSize of BATCHES) {
    for (const threads of threadCounts) {
      let best: TrainingRow | null = null;
      for (let r = 0; r < repeats; r++) {
        const row = await measure(data, threads, batchSize, timedEpochs, warmupEpochs(batchSize));
        if (!best || row.samplesPerSecond > best.samplesPerSecond) best = row;
      }
      const one = rows.find((x) => x.batchSize === batchSize && x.threads === 1);
      best!.speedup = one ? best!.samplesPerSecond / one.samplesPerSecond : 1;
      rows.push(best!);
    }
  }
  results.training.push(...rows);
  const ms = (v: number | undefined) => (v ?? 0).toFixed(3);
  log(formatTable(
    ['threads', 'batch', 'samples/s', 'vs 1 thread', 'step ms', 'fwd/bwd ms', 'of it dW ms', 'reduce ms', 'update ms', 'wait ms', 'outside fwd/bwd', 'within steps', 'median step', 'arena bytes'],
    rows.map((r) => [
      String(r.threads), String(r.batchSize), Math.round(r.samplesPerSecond).toLocaleString('en-US'), `×${(r.speedup ?? 1).toFixed(2)}`,
      ms(r.stepMs), ms(r.forwardBackwardMs), ms(r.weightGradsMs), ms(r.reduceMs), ms(r.updateMs), ms(r.waitMs),
      `${(100 * (r.outsideShare ?? 0)).toFixed(1)}%`, r.stepsOutsideShare === undefined ? '-' : `${(100 * r.stepsOutsideShare).toFixed(1)}%`,
      r.medianStepOutsideShare === undefined ? '-' : `${(100 * r.medianStepOutsideShare).toFixed(1)}%`, (r.arenaBytes ?? 0).toLocaleString('en-US'),
    ]),
  ));
  log('ms are per step; fwd/bwd (which includes the batch weight gradients, "of it dW"), reduce, update and wait are the threads\' means (profile()); step is wall time per step (epoch seconds / steps).');
  log('"outside fwd/bwd": over the epochs\' wall time; "within steps": over the timed steps\' own time (each from its start to the next one\'s, stepTimes()), the hand-overs between epochs left out, every stalled step in; "median step": the median of the steps\' shares, what a few steps stalled by other work on the machine do not move.');
}

registerSuite({ name: 'training', run });
