import test from 'ava';
import { buildConfig } from '../../src/cli/config.js';
import { runTraining } from '../../src/cli/run.js';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, fixture, readJson, scratch } from './helpers.js';

interface IrisCase {
  sizes: number[];
  optimizer: string;
  hyperparameters: Record<string, number | boolean>;
  lr_schedule: string | null;
  clip_grad_norm: number | null;
  steps: number;
  init_params: [number[][], number[]][];
  final_params: [number[][], number[]][];
}
interface IrisFixture {
  X: number[][];
  labels: number[];
  cases: IrisCase[];
}

test('--json writes exactly {config, epochs: [...], final: {...}}, accuracy fields and all', (t) => {
  const dir = scratch();
  const r = cli(['train', '--dataset', 'iris', '--epochs', '3', '--json', 'run.json', '--quiet'], dir);
  t.is(r.code, 0, r.stderr);
  const doc = readJson<Record<string, any>>(join(dir, 'run.json'));
  t.deepEqual(Object.keys(doc), ['config', 'epochs', 'final']);
  t.deepEqual(doc.epochs.map((e: { epoch: number }) => e.epoch), [1, 2, 3]);
  for (const e of doc.epochs) {
    t.deepEqual(Object.keys(e), ['epoch', 'trainLoss', 'trainAccuracy', 'testLoss', 'testAccuracy', 'seconds', 'samplesPerSecond']);
    for (const k of Object.keys(e)) t.is(typeof e[k], 'number', k);
  }
  t.deepEqual(Object.keys(doc.final), ['trainLoss', 'testLoss', 'testAccuracy', 'paramsSha256']);
  t.regex(doc.final.paramsSha256, /^[0-9a-f]{64}$/);
  t.is(doc.config.dataset, 'iris');
  t.deepEqual(doc.config.model, [4, 16, 3]);
  t.is(doc.config.epochs, 3);
  t.true(r.stdout.includes(`paramsSha256 ${doc.final.paramsSha256}`), 'the summary prints the same hash');
  t.regex(r.stdout, /test accuracy \d+\.\d\d%/);
});

test('--json on a regression: accuracy fields are null', (t) => {
  const dir = scratch();
  t.is(cli(['train', '--dataset', 'addition', '--json', 'a.json', '--quiet'], dir).code, 0);
  const doc = readJson<Record<string, any>>(join(dir, 'a.json'));
  t.is(doc.epochs.length, 40);
  t.true(doc.epochs.every((e: Record<string, unknown>) => e.trainAccuracy === null && e.testAccuracy === null && typeof e.testLoss === 'number'));
  t.is(doc.final.testAccuracy, null);
  t.true(doc.final.trainLoss < 1e-3, 'the tutorial\'s neuron learns to add');
});

test('without a terminal, one plain line per epoch, then the summary', (t) => {
  const r = cli(['train', '--dataset', 'xor', '--epochs', '4'], scratch());
  t.is(r.code, 0);
  const lines = r.stdout.trim().split('\n');
  t.regex(lines[0], /^xor: 4 training rows, 4 test rows; model 2-3-1: dense, sigmoid, dense, sigmoid \(13 parameters, float32\); sgd \{"lr":1\}; batch 4; \d+ threads?$/);
  t.deepEqual(lines.slice(1, 5).map((l) => l.slice(0, 9)), ['epoch 1/4', 'epoch 2/4', 'epoch 3/4', 'epoch 4/4']);
  t.regex(lines[1], /^epoch 1\/4 {2}train loss \d\.\d{4} {2}acc \d+\.\d\d% {2}test loss \d\.\d{4} {2}acc \d+\.\d\d% {2}\S+s {2}[\d,]+ samples\/s$/);
  t.false(r.stdout.includes('\r'), 'no carriage returns in a pipe');
  t.is(lines[5], 'done: 4 epochs in ' + lines[5].slice('done: 4 epochs in '.length));
});

test('the first line shows the layers that train: addition\'s linear neuron, the model flags\' layers', (t) => {
  const first = (...args: string[]) => cli(['train', ...args, '--epochs', '1', '--threads', '1']).stdout.split('\n')[0];
  t.regex(first('--dataset', 'addition'), /; model 2-1: dense \(3 parameters, float32\);/);
  t.regex(first('--dataset', 'iris', '--model', '4-8-8-3', '--batchnorm', '--dropout', '0.25', '--residual', '--activation', 'gelu', '--batch-size', '8'),
    /; model 4-8-8-3: dense, batchnorm, gelu, dropout 0\.25, residual\(dense, batchnorm, gelu, dropout 0\.25\), dense \(/);
});

test('--save-params then --init-params: the documented layout, and the weights come back', (t) => {
  const dir = scratch();
  t.is(cli(['train', '--dataset', 'iris', '--epochs', '2', '--save-params', 'p.json', '--json', 'a.json', '--quiet'], dir).code, 0);
  const p = readJson<{ layers: { W: number[][]; b: number[] }[] }>(join(dir, 'p.json'));
  t.deepEqual(Object.keys(p), ['layers']);
  t.deepEqual(p.layers.map((l) => [l.W.length, l.W[0].length, l.b.length]), [[4, 16, 16], [16, 3, 3]], 'W is [in][out], b one per output');
  // Zero epochs is not allowed, so train one epoch at lr 0 from the saved weights: they must come back unchanged.
  t.is(cli(['train', '--dataset', 'iris', '--epochs', '1', '--lr', '0', '--init-params', 'p.json', '--save-params', 'q.json', '--quiet'], dir).code, 0);
  t.deepEqual(readJson(join(dir, 'q.json')), p);
  writeFileSync(join(dir, 'bad.json'), JSON.stringify({ layers: [{ W: [[1]], b: [0] }] }));
  const bad = cli(['train', '--dataset', 'iris', '--init-params', 'bad.json'], dir);
  t.is(bad.code, 1);
  t.regex(bad.stderr, /bad\.json: 1 layers, but the model has 2 Dense layers \(4×16, 16×3\)/);
  writeFileSync(join(dir, 'shape.json'), JSON.stringify({ layers: [{ W: [[1, 2]], b: [0] }, { W: [[1]], b: [0] }] }));
  t.regex(cli(['train', '--dataset', 'iris', '--init-params', 'shape.json'], dir).stderr, /shape\.json: layers\[0\]\.W must be 4 rows of 16 numbers \(\[in\]\[out\]; transpose PyTorch's Linear\.weight\)/);
});

test('--save-params with --batchnorm is refused before any training, naming both flags; nothing is written', (t) => {
  const dir = scratch();
  const r = cli(['train', '--dataset', 'iris', '--batchnorm', '--epochs', '1', '--save-params', 'bn.json', '--json', 'bn-run.json'], dir);
  t.is(r.code, 2);
  t.regex(r.stderr, /--save-params cannot hold a --batchnorm model: the params layout has Dense weights only, not batch norm's; drop one, or use --save CKPT/);
  t.is(r.stdout, '', 'no training started');
  t.false(existsSync(join(dir, 'bn.json')));
  t.false(existsSync(join(dir, 'bn-run.json')));
});

test('--init-params with --dtype float64 --batch-size full on a CSV reproduces PyTorch\'s iris trajectories (all 4 fixture cases)', (t) => {
  const fx = fixture<IrisFixture>('torch-mlp-iris.json');
  const dir = scratch();
  // The fixture's standardized iris features, written out as a CSV with the label last.
  writeFileSync(join(dir, 'iris.csv'), 'f1,f2,f3,f4,species\n' + fx.X.map((row, i) => [...row, fx.labels[i]].join(',')).join('\n') + '\n');
  for (const c of fx.cases) {
    writeFileSync(join(dir, 'init.json'), JSON.stringify({ layers: c.init_params.map(([W, b]) => ({ W, b })) }));
    const args = ['train', '--dataset', 'csv:iris.csv', '--test-split', '0', '--model', c.sizes.join('-'), '--activation', 'tanh',
      '--dtype', 'float64', '--batch-size', 'full', '--epochs', String(c.steps), '--optimizer', c.optimizer,
      '--init-params', 'init.json', '--save-params', 'final.json', '--quiet'];
    for (const [k, v] of Object.entries(c.hyperparameters)) args.push(...(v === true ? [`--${k}`] : [`--${k.replace(/_/g, '-')}`, String(v)]));
    if (c.lr_schedule) args.push('--schedule', c.lr_schedule);
    if (c.clip_grad_norm !== null) args.push('--clip-norm', String(c.clip_grad_norm));
    const r = cli(args, dir);
    t.is(r.code, 0, r.stderr);
    const got = readJson<{ layers: { W: number[][]; b: number[] }[] }>(join(dir, 'final.json'));
    let worst = 0;
    c.final_params.forEach(([W, b], i) => {
      const expected = [...W.flat(), ...b];
      const actual = [...got.layers[i].W.flat(), ...got.layers[i].b];
      t.is(actual.length, expected.length);
      expected.forEach((e, j) => (worst = Math.max(worst, Math.abs(actual[j] - e) / Math.max(Math.abs(e), 1e-8))));
    });
    // Summation order differs from PyTorch's (micro-shards), so agreement is to rounding, not bits.
    t.true(worst < 1e-9, `${c.optimizer}${c.lr_schedule ? ` + ${c.lr_schedule}` : ''}${c.clip_grad_norm ? ' + clipping' : ''}: max relative error ${worst}`);
  }
});

test('--threads 1, 2 and 3 give the same paramsSha256', (t) => {
  const dir = scratch();
  const hashes = [1, 2, 3].map((threads) => {
    const r = cli(['train', '--dataset', 'spiral', '--epochs', '3', '--dropout', '0.1', '--threads', String(threads), '--json', `t${threads}.json`, '--quiet'], dir);
    t.is(r.code, 0, r.stderr);
    return readJson<{ final: { paramsSha256: string } }>(join(dir, `t${threads}.json`)).final.paramsSha256;
  });
  t.is(hashes[1], hashes[0]);
  t.is(hashes[2], hashes[0]);
});

test('MNIST with the default settings on a 10-epoch budget: at least 94% on the 2,000 test digits (20 epochs, the default, give ~96%)', (t) => {
  const dir = scratch();
  const r = cli(['train', '--epochs', '10', '--json', 'mnist.json', '--quiet'], dir);
  t.is(r.code, 0, r.stderr);
  const doc = readJson<{ config: { model: number[] }; final: { testAccuracy: number } }>(join(dir, 'mnist.json'));
  t.deepEqual(doc.config.model, [784, 128, 64, 10]);
  t.true(doc.final.testAccuracy >= 0.94, `test accuracy ${doc.final.testAccuracy}`);
});

test('a stop that arrives during the last step does not make a finished run "interrupted"', async (t) => {
  const stop = new AbortController();
  const config = buildConfig({ dataset: 'iris', epochs: 1, 'batch-size': 'full', threads: 1 });
  const result = await runTraining(config, { stop: stop.signal, hooks: { onProgress: () => stop.abort() } });
  t.is(result.history.length, 1);
  t.false(result.interrupted);
});

test('when early stopping ends a run, the summary says so and names the epoch whose weights it restored', (t) => {
  const r = cli(['train', '--dataset', 'iris', '--epochs', '200', '--early-stop', '2', '--lr', '0.5', '--json', 'e.json', '--quiet'], scratch());
  t.is(r.code, 0, r.stderr);
  const m = /early stopping ended the run and restored the weights of epoch (\d+) \(the lowest test loss\)/.exec(r.stdout);
  t.truthy(m, r.stdout);
  const done = Number(/^done: (\d+) epochs/.exec(r.stdout)![1]);
  t.true(done < 200);
  t.is(Number(m![1]), done - 2, 'patience 2: the best epoch is two before the last');
  t.false(cli(['train', '--dataset', 'iris', '--epochs', '2', '--quiet'], scratch()).stdout.includes('early stopping'));
});
