import test from 'ava';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compareConfigs } from '../../src/cli/compareConfigs.js';
import { main } from '../../src/cli/main.js';
import { cli, readJson, scratch } from './helpers.js';

/** Run main() in-process, collecting what it writes. */
async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { write: (s: string) => (out += s) } as never, { write: (s: string) => (err += s) } as never);
  return { code, out, err };
}

test('--loss binary-cross-entropy on xor: the model ends in the output Dense (no second sigmoid) and learns XOR', (t) => {
  const dir = scratch();
  const r = cli(['train', '--dataset', 'xor', '--loss', 'binary-cross-entropy', '--threads', '1', '--json', 'bce.json', '--quiet'], dir);
  t.is(r.code, 0, r.stderr);
  const doc = readJson<{ config: { outputActivation: string | null; activation: string }; final: { testAccuracy: number; trainLoss: number } }>(join(dir, 'bce.json'));
  t.is(doc.config.outputActivation, null, 'BCE works on logits');
  t.is(doc.config.activation, 'sigmoid', 'xor\'s hidden sigmoid (a dataset default) stays');
  t.is(doc.final.testAccuracy, 1);
  t.true(doc.final.trainLoss < 0.05, `train loss ${doc.final.trainLoss}`);
  // With MSE the dataset's sigmoid output stays.
  const mse = cli(['train', '--dataset', 'xor', '--epochs', '1', '--threads', '1', '--json', 'mse.json', '--quiet'], dir);
  t.is(mse.code, 0, mse.stderr);
  t.is(readJson<{ config: { outputActivation: string | null } }>(join(dir, 'mse.json')).config.outputActivation, 'sigmoid');
});

test('--loss binary-cross-entropy on two-class labels trains one output on a 0/1 target (PyTorch\'s BCEWithLogitsLoss), with an accuracy: the same weights as the 0/1 column read as a target', (t) => {
  const dir = scratch();
  const rows = Array.from({ length: 60 }, (_, i) => [Math.sin(i), Math.cos(3 * i)]);
  writeFileSync(join(dir, 'b.csv'), ['a,b,y', ...rows.map(([a, b]) => `${a.toFixed(4)},${b.toFixed(4)},${a + b > 0 ? 1 : 0}`)].join('\n') + '\n');
  const flags = ['--loss', 'binary-cross-entropy', '--epochs', '3', '--test-split', '0', '--threads', '1', '--quiet'];
  const labels = cli(['train', '--dataset', 'csv:b.csv', ...flags, '--json', 'labels.json'], dir);
  t.is(labels.code, 0, labels.stderr);
  const target = cli(['train', '--dataset', 'csv:b.csv', '--task', 'regression', ...flags, '--json', 'target.json'], dir);
  t.is(target.code, 0, target.stderr);
  type Doc = { config: { model: number[] }; final: { paramsSha256: string }; epochs: Array<{ trainAccuracy: number | null }> };
  const a = readJson<Doc>(join(dir, 'labels.json'));
  const b = readJson<Doc>(join(dir, 'target.json'));
  t.deepEqual(a.config.model, [2, 32, 1], 'one output: class 1\'s logit');
  t.is(a.final.paramsSha256, b.final.paramsSha256);
  t.is(typeof a.epochs[2].trainAccuracy, 'number');
  t.is(b.epochs[2].trainAccuracy, null);
  const three = cli(['train', '--dataset', 'iris', '--loss', 'binary-cross-entropy'], dir);
  t.is(three.code, 2);
  t.regex(three.stderr, /--loss binary-cross-entropy does not fit iris \(3 classes\): use softmax-cross-entropy/);
});

test('--loss binary-cross-entropy on regression targets outside [0, 1] fails before training, naming the flag and why', async (t) => {
  const r = await run(['train', '--dataset', 'addition', '--loss', 'binary-cross-entropy']);
  t.is(r.code, 2);
  t.regex(r.err, /--loss binary-cross-entropy needs targets in \[0, 1\] \(0\/1 labels or probabilities\), and addition has regression targets outside it \(training row 1: 5\); use mse or half-sse/);
  t.is(r.out, '', 'no training started');
  const sce = await run(['train', '--dataset', 'addition', '--loss', 'softmax-cross-entropy']);
  t.regex(sce.err, /--loss softmax-cross-entropy does not fit addition \(1 regression target\): use mse or half-sse\n/, 'BCE is not suggested for regression');
  const xor = await run(['train', '--dataset', 'xor', '--loss', 'softmax-cross-entropy']);
  t.regex(xor.err, /--loss softmax-cross-entropy does not fit xor \(one 0\/1 target\): use mse, half-sse or binary-cross-entropy/);
});

const unused: [string[], RegExp][] = [
  [['--dataset', 'addition', '--activation', 'tanh'], /--activation sets the hidden layers' activation, and the model 2-1 has no hidden layers, so it would change nothing; give the model a hidden layer, e\.g\. --model 2-16-1/],
  [['--dataset', 'addition', '--dropout', '0.5'], /--dropout adds dropout after each hidden layer, and the model 2-1 has no hidden layers.*e\.g\. --model 2-16-1/],
  [['--dataset', 'addition', '--batchnorm'], /--batchnorm adds batch normalization to each hidden layer, and the model 2-1 has no hidden layers.*e\.g\. --model 2-16-1/],
  [['--dataset', 'iris', '--model', '4-3', '--activation', 'relu'], /--activation .*the model 4-3 has no hidden layers.*e\.g\. --model 4-16-3/],
  [['--dataset', 'iris', '--model', '4-3', '--residual'], /--residual needs a hidden layer as wide as its input, and the model 4-3 has none, so it would change nothing; e\.g\. --model 4-16-16-3/],
  [['--dataset', 'xor', '--residual'], /--residual needs a hidden layer as wide as its input, and the model 2-3-1 has none.*e\.g\. --model 2-3-3-1/],
  [['--dataset', 'iris', '--residual'], /--residual needs a hidden layer as wide as its input, and the model 4-16-3 has none.*e\.g\. --model 4-16-16-3/],
];
for (const [argv, message] of unused) {
  test(`a model flag that would change nothing is a usage error: train ${argv.join(' ')}`, async (t) => {
    const r = await run(['train', ...argv, '--epochs', '1']);
    t.is(r.code, 2);
    t.regex(r.err, message);
    t.is(r.out, '');
  });
}

test('--residual on a CSV whose input width is only known from the data: refused once it is', async (t) => {
  const dir = scratch();
  const rows = Array.from({ length: 20 }, (_, i) => `${i},${i % 3},${i % 2}`).join('\n');
  writeFileSync(join(dir, 'd.csv'), `a,b,label\n${rows}\n`);
  const r = await run(['train', '--dataset', `csv:${join(dir, 'd.csv')}`, '--residual', '--epochs', '1', '--quiet']);
  t.is(r.code, 2);
  t.regex(r.err, /--residual needs a hidden layer as wide as its input, and the model 2-32-2 has none.*e\.g\. --model 2-32-32-2/);
  const ok = await run(['train', '--dataset', `csv:${join(dir, 'd.csv')}`, '--model', '2-8-8-2', '--residual', '--epochs', '1', '--quiet']);
  t.is(ok.code, 0, ok.err);
});

test('model flags that act keep working; dataset defaults are not user flags', async (t) => {
  for (const argv of [
    ['--dataset', 'xor', '--epochs', '1'], // xor's sigmoid hidden activation is a default
    ['--dataset', 'addition', '--epochs', '1'], // addition's (unused) relu is a default
    ['--dataset', 'addition', '--dropout', '0', '--no-batchnorm', '--epochs', '1'], // flags that ask for nothing
    ['--dataset', 'spiral', '--residual', '--batchnorm', '--dropout', '0.1', '--activation', 'tanh', '--epochs', '1'], // 2-64-64-3: the second hidden layer keeps its width
    ['--dataset', 'iris', '--model', '4-16-16-3', '--residual', '--epochs', '1'],
  ]) {
    const r = await run(['train', ...argv, '--threads', '1', '--quiet']);
    t.is(r.code, 0, `${argv.join(' ')}: ${r.err}`);
  }
});

test('compare: hidden-layer flags count if any compared model uses them; --depths and --activations need hidden layers', (t) => {
  // depth 0 ignores --dropout, depth 2 uses it: allowed.
  t.deepEqual(compareConfigs({ dataset: 'iris', depths: [0, 2], model: '4-8-3', dropout: 0.1 }).map((x) => x.config.model), [[4, 3], [4, 8, 8, 3]]);
  // --residual acts from depth 2 on (8 → 8), not at depth 1 (4 → 8).
  t.is(compareConfigs({ dataset: 'iris', depths: [1, 2], model: '4-8-3', residual: true }).length, 2);
  t.throws(() => compareConfigs({ dataset: 'iris', depths: [0], model: '4-8-3', dropout: 0.1 }), { message: /--dropout adds dropout after each hidden layer, and the model 4-3 has no hidden layers/ });
  t.throws(() => compareConfigs({ dataset: 'iris', depths: [1], model: '4-8-3', residual: true }), { message: /--residual needs a hidden layer as wide as its input, and the model 4-8-3 has none/ });
  t.throws(() => compareConfigs({ dataset: 'iris', lrs: [0.1, 0.01], model: '4-3', batchnorm: true }), { message: /--batchnorm .*the model 4-3 has no hidden layers/ });
  t.throws(() => compareConfigs({ dataset: 'addition', activations: ['relu', 'tanh'] }), { message: '--activations compares hidden-layer activations, and the model 2-1 has no hidden layers; give it one, e.g. --model 2-16-1' });
  t.throws(() => compareConfigs({ dataset: 'iris', activations: ['relu', 'tanh'], activation: 'gelu' }), { message: '--activation and --activations cannot be combined' });
  // The presets still expand.
  t.deepEqual(compareConfigs({ preset: 'depth' }).map((x) => x.config.model), [[0, 64, 0], [0, 64, 64, 0], [0, 64, 64, 64, 0]]);
  t.deepEqual(compareConfigs({ preset: 'activations', residual: true }).map((x) => x.config.activation), ['sigmoid', 'relu', 'tanh']);
  t.is(compareConfigs({ preset: 'learning-rates' }).length, 4);
});

test('compare --depths takes the width from --model or the dataset, and refuses a model without one', (t) => {
  t.throws(() => compareConfigs({ dataset: 'iris', depths: [1, 2], model: '4-3' }), { message: '--depths repeats the first hidden layer\'s width, and --model 4-3 has none; give the width with a hidden layer, e.g. --model 4-16-3' });
  t.throws(() => compareConfigs({ dataset: 'addition', depths: [1] }), { message: '--depths repeats the first hidden layer\'s width, and addition\'s default model (2-1) has none; give the width with a hidden layer, e.g. --model 2-16-1' });
  t.deepEqual(compareConfigs({ dataset: 'addition', depths: [0] }).map((x) => x.config.model), [[0, 0]], 'depth 0 needs no width');
  t.deepEqual(compareConfigs({ dataset: 'iris', depths: [1, 2], model: '4-5-3' }).map((x) => x.config.model), [[4, 5, 3], [4, 5, 5, 3]]);
  t.deepEqual(compareConfigs({ dataset: 'iris', depths: [1, 2] }).map((x) => x.config.model), [[0, 16, 0], [0, 16, 16, 0]], 'iris\'s default hidden width');
});

test('compare --optimizers nesterov with --dampening: says nesterov needs zero dampening and names --dampening and its value', async (t) => {
  const r = await run(['compare', '--dataset', 'iris', '--optimizers', 'nesterov', '--dampening', '0.5']);
  t.is(r.code, 2);
  t.regex(r.err, /^gradpool compare: --optimizers nesterov: Nesterov momentum needs zero dampening, got --dampening 0\.5\n/);
  t.throws(() => compareConfigs({ dataset: 'iris', optimizers: ['nesterov:dampening=0.25'] }), { message: '--optimizers nesterov:dampening=0.25: Nesterov momentum needs zero dampening, got dampening=0.25' });
  t.throws(() => compareConfigs({ dataset: 'iris', optimizers: ['nesterov:momentum=0'] }), { message: '--optimizers nesterov:momentum=0: Nesterov momentum needs momentum > 0, got momentum=0' });
  t.throws(() => compareConfigs({ dataset: 'iris', optimizers: ['sgd:nesterov'] }), { message: '--optimizers sgd:nesterov: Nesterov momentum needs momentum > 0, got none' });
  // Plain momentum takes the shared dampening.
  t.deepEqual(compareConfigs({ dataset: 'iris', optimizers: ['momentum'], dampening: 0.5 })[0].config.optimizerOptions, { lr: 0.1, momentum: 0.9, dampening: 0.5 });
});

test('the --json file of a refused run is not written', async (t) => {
  const dir = scratch();
  const r = cli(['train', '--dataset', 'addition', '--activation', 'relu', '--json', 'x.json'], dir);
  t.is(r.code, 2);
  t.false(existsSync(join(dir, 'x.json')));
});

test('--batchnorm with a --batch-size that leaves a batch of 1 row: a usage error naming --batch-size, before training', async (t) => {
  const r = await run(['train', '--dataset', 'iris', '--batchnorm', '--batch-size', '7']);
  t.is(r.code, 2);
  t.regex(r.err, /^gradpool train: --batch-size 7 with --batchnorm leaves a last batch of 1 row \(iris has 120 training rows = 17 × 7 \+ 1\), which batch norm cannot normalize; choose another --batch-size, e\.g\. --batch-size 8\n/);
  t.is(r.out, '', 'no training started');
  const one = await run(['train', '--dataset', 'iris', '--batchnorm', '--batch-size', '1']);
  t.is(one.code, 2);
  t.regex(one.err, /--batch-size 1 with --batchnorm: batch norm cannot normalize a batch of 1 row; give --batch-size 2 or more/);
  // compare names the configuration whose model has batch norm (depth 0 has none).
  const c = await run(['compare', '--dataset', 'iris', '--depths', '0,1', '--batchnorm', '--batch-size', '7']);
  t.is(c.code, 2);
  t.regex(c.err, /configuration "depth=1": --batch-size 7 with --batchnorm leaves a last batch of 1 row/);
  const ok = await run(['train', '--dataset', 'iris', '--batchnorm', '--batch-size', '8', '--epochs', '1', '--threads', '1', '--quiet']);
  t.is(ok.code, 0, ok.err);
});
