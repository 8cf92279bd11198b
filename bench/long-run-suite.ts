/**
 * The long-run suite: one 26-epoch run of the training suite's model and data (1 thread, batch
 * 256), timed epoch by epoch. Around the 21st epoch, where gradients have stayed 0 for a few
 * hundred steps, Adam's moments decay below the smallest normal float32; x86 computes on such
 * subnormal numbers about a hundred times slower, so this suite shows whether the update
 * (assembly/update.ts flushes them to 0, and scales Adam's step so that a tiny moment times the
 * step size is not subnormal either) keeps its early speed late in a run. Skipped by --quick.
 */
import { Adam } from '../src/optim/adam.js';
import { ParallelEngine, type StepProfile } from '../src/parallel/engine.js';
import { Trainer } from '../src/train/trainer.js';
import { registerSuite, type BenchOptions, type BenchResults } from './registry.js';
import { formatTable } from './table.js';
import { mlp, mnistShaped } from './training-suite.js';

const EPOCHS = 26;
const BATCH = 256;
/** Epoch windows compared (1-based, inclusive). */
const WINDOWS: ReadonlyArray<readonly [number, number]> = [[4, 6], [14, 16], [21, 23], [24, 26]];

export interface LongRunRow {
  epochs: string;
  samplesPerSecond: number;
  updateMs: number;
  forwardBackwardMs: number;
}

async function run(options: BenchOptions, results: BenchResults): Promise<void> {
  const { quick, log } = options;
  if (quick) {
    log('skipped by --quick');
    return;
  }
  const data = mnistShaped(8192);
  const model = mlp();
  const profiles: StepProfile[] = [];
  let engine: ParallelEngine | null = null;
  const trainer = new Trainer(model, {
    optimizer: new Adam(model.parameters()), loss: 'softmax-cross-entropy', epochs: EPOCHS, batchSize: BATCH, threads: 1, seed: 1,
    onEpochEnd: () => void profiles.push(engine!.profile()),
  });
  if (!(trainer.stepEngine instanceof ParallelEngine)) throw new Error('the trainer did not build a ParallelEngine');
  engine = trainer.stepEngine;
  const history = await trainer.fit(data);
  const rows: LongRunRow[] = WINDOWS.map(([a, b]) => {
    const first = profiles[a - 2], last = profiles[b - 1];
    const steps = last.steps - first.steps;
    const seconds = history.slice(a - 1, b).reduce((s, r) => s + r.seconds, 0);
    const perStep = (k: 'update' | 'forwardBackward') => (1000 * (last[k][0] - first[k][0])) / steps;
    return { epochs: `${a}-${b}`, samplesPerSecond: ((b - a + 1) * data.size) / seconds, updateMs: perStep('update'), forwardBackwardMs: perStep('forwardBackward') };
  });
  results.longRun = rows;
  log(`MLP 784-128-64-10, Adam, float32, 8192 random MNIST-shaped rows, 1 thread, batch ${BATCH}, one run of ${EPOCHS} epochs`);
  log(formatTable(
    ['epochs', 'samples/s', 'update ms', 'fwd/bwd ms'],
    rows.map((r) => [r.epochs, Math.round(r.samplesPerSecond).toLocaleString('en-US'), r.updateMs.toFixed(3), r.forwardBackwardMs.toFixed(3)]),
  ));
  log('ms are per step (profile()).');
}

registerSuite({ name: 'long run', run });
