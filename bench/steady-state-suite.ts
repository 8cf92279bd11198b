/**
 * The steady-state suite: one 100-epoch run of the training suite's model and data with 2 threads
 * at batch 128 (the configuration of the "at most 10% outside forward/backward" target), the
 * share of the step outside forward/backward window by window. The training suite times epochs
 * 5-7 (steps 256-448), where V8 is still optimizing the code of the three threads: its compiler
 * threads take cores from the workers, and a worker that loses its core for a moment makes the
 * other wait at the next barrier. This run shows how far that share falls, and where it settles.
 * Skipped by --quick.
 */
import { Adam } from '../src/optim/adam.js';
import { ParallelEngine, type StepProfile } from '../src/parallel/engine.js';
import type { StepTime } from '../src/parallel/options.js';
import { Trainer } from '../src/train/trainer.js';
import { registerSuite, stepsShare, type BenchOptions, type BenchResults } from './registry.js';
import { formatTable } from './table.js';
import { mlp, mnistShaped } from './training-suite.js';

const ROWS = 8192;
const BATCH = 128;
const THREADS = 2;
const EPOCHS = 100;
/** Epoch windows (1-based, inclusive); the first epoch (threads starting, WASM compiling) is left out. */
const WINDOWS: ReadonlyArray<readonly [number, number]> = [[2, 4], [5, 7], [8, 15], [16, 25], [26, 40], [41, 70], [71, 100]];

export interface SteadyStateRow {
  epochs: string;
  samplesPerSecond: number;
  /** Share of the wall time per step not in forward/backward (threads' mean), over the window. */
  outsideShare: number;
  /** The same share step by step, the median over the window's steps. */
  medianStepOutsideShare: number;
  /** The same share over the steps' own time (stepsShare): the hand-overs between epochs left out. */
  stepsOutsideShare: number;
  /** The window's epochs' own shares, lowest and highest. */
  epochShareMin: number;
  epochShareMax: number;
}

const mean = (a: readonly number[]) => a.reduce((x, y) => x + y, 0) / a.length;
const median = (a: readonly number[]) => {
  const s = [...a].sort((x, y) => x - y);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};

async function run(options: BenchOptions, results: BenchResults): Promise<void> {
  const { quick, log } = options;
  if (quick) {
    log('skipped by --quick');
    return;
  }
  const data = mnistShaped(ROWS);
  const model = mlp();
  // Per epoch: the profile at its end, and its steps but the last (whose interval ends in the
  // next epoch, after the trainer's epoch-end work).
  const profiles: StepProfile[] = [];
  const steps: StepTime[][] = [];
  let engine: ParallelEngine | null = null;
  const perEpoch = Math.ceil(ROWS / BATCH);
  const trainer = new Trainer(model, {
    optimizer: new Adam(model.parameters()), loss: 'softmax-cross-entropy', epochs: EPOCHS, batchSize: BATCH, threads: THREADS, seed: 1,
    onEpochEnd: () => {
      profiles.push(engine!.profile());
      steps.push(engine!.stepTimes(perEpoch - 1));
    },
  });
  if (!(trainer.stepEngine instanceof ParallelEngine)) throw new Error('the trainer did not build a ParallelEngine');
  engine = trainer.stepEngine;
  const history = await trainer.fit(data);
  // An epoch's share: 1 − forward/backward (threads' mean, from the profiles) / its wall seconds.
  const share = (e: number) => 1 - mean(profiles[e - 1].forwardBackward.map((v, i) => v - profiles[e - 2].forwardBackward[i])) / history[e - 1].seconds;
  const rows: SteadyStateRow[] = WINDOWS.map(([a, b]) => {
    const epochs = Array.from({ length: b - a + 1 }, (_, i) => a + i);
    const seconds = epochs.reduce((s, e) => s + history[e - 1].seconds, 0);
    const fb = mean(profiles[b - 1].forwardBackward.map((v, i) => v - profiles[a - 2].forwardBackward[i]));
    const shares = epochs.map(share);
    const windowSteps = epochs.flatMap((e) => steps[e - 1]);
    const perStep = windowSteps.map((s) => 1 - s.forwardBackwardSeconds / s.wallSeconds);
    return {
      epochs: `${a}-${b}`,
      samplesPerSecond: (epochs.length * data.size) / seconds,
      outsideShare: 1 - fb / seconds,
      medianStepOutsideShare: median(perStep),
      // Each epoch's steps but its last (stepTimes(perEpoch − 1) at its end): no hand-over inside.
      stepsOutsideShare: stepsShare(windowSteps, () => false),
      epochShareMin: Math.min(...shares),
      epochShareMax: Math.max(...shares),
    };
  });
  results.steadyState = rows;
  const pct = (v: number) => `${(100 * v).toFixed(1)}%`;
  log(`MLP 784-128-64-10, Adam, float32, ${ROWS} random MNIST-shaped rows, ${THREADS} threads, batch ${BATCH}, one run of ${EPOCHS} epochs (${perEpoch} steps each)`);
  log(formatTable(
    ['epochs', 'samples/s', 'outside fwd/bwd', 'within steps', 'median step', 'epochs from', 'to'],
    rows.map((r) => [r.epochs, Math.round(r.samplesPerSecond).toLocaleString('en-US'), pct(r.outsideShare), pct(r.stepsOutsideShare), pct(r.medianStepOutsideShare), pct(r.epochShareMin), pct(r.epochShareMax)]),
  ));
  log('"outside fwd/bwd" over the window\'s wall time; "within steps" over its steps\' own time (each epoch\'s steps but the last, whose interval spans the hand-over to the next epoch); "median step" over its steps; "epochs from … to": the lowest and highest share of a single epoch in the window.');
}

registerSuite({ name: 'steady state', run });
