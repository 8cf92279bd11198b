import test from 'ava';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import { buildConfig } from '../../src/cli/config.js';
import { parseFlags } from '../../src/cli/flags.js';
import { TRAIN_FLAGS } from '../../src/cli/trainFlags.js';
import { scratch } from './helpers.js';

/** Run main() in-process, collecting what it writes. */
async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { write: (s: string) => (out += s) } as never, { write: (s: string) => (err += s) } as never);
  return { code, out, err };
}

const usageErrors: [string[], RegExp][] = [
  [['train', '--epoch', '3'], /unknown flag --epoch; known flags: /],
  [['train', '--epochs', '0x10'], /--epochs must be an integer, got "0x10"/],
  [['train', '--seed', '0b101'], /--seed must be a finite number, got "0b101"|--seed must be an integer, got "0b101"/],
  [['train', '--toString', '1'], /unknown flag --toString; known flags: /],
  [['train', '--threads', '100000'], /--threads must be a positive integer, at most 256, got 100000/],
  [['train', '--dataset', 'xor', '--model', '2-100000-100000-1'], /--model 2-100000-100000-1: 10,000,500,001 parameters need at least 149\.0 GiB \(parameters, gradients, optimizer state\) in float32, more than the 2\.0 GiB a shared WebAssembly arena can hold/],
  [['train', '--constructor'], /unknown flag --constructor; known flags: /],
  [['train', '--shuffle', 'false'], /--shuffle false: a boolean flag takes its value after "=" \(--shuffle=false\), or is given as --shuffle or --no-shuffle/],
  [['train', '--epochs', 'three'], /--epochs must be an integer, got "three" \(string\)/],
  [['train', '--epochs', '2.5'], /--epochs must be an integer, got "2.5"/],
  [['train', '--epochs', '0'], /--epochs must be a positive integer, got 0/],
  [['train', '--lr', 'fast'], /--lr must be a finite number, got "fast"/],
  [['train', '--lr', '-1'], /--lr must be >= 0, got -1/],
  [['train', '--optimizer', 'adamm'], /--optimizer must be one of sgd, adam, .*got "adamm"/],
  [['train', '--activation', 'swish'], /--activation must be one of .*got "swish"/],
  [['train', '--optimizer', 'adam', '--momentum', '0.9'], /--momentum does not apply to adam; it takes lr, betas, eps, weight-decay, amsgrad/],
  [['train', '--optimizer', 'sgd', '--betas', '0.9,0.999'], /--betas does not apply to sgd/],
  [['train', '--optimizer', 'adam', '--betas', '0.9'], /--betas must be two numbers in \[0, 1\) as B1,B2, got \[0.9\]/],
  [['train', '--optimizer', 'adam', '--betas', '0.9,x'], /--betas must be a comma-separated list of numbers, got "0.9,x" \(string\) \(item 2: "x" \(string\)\)/],
  [['train', '--optimizer', 'adam', '--betas', '0x0,0.9'], /--betas must be a comma-separated list of numbers, got "0x0,0.9" \(string\) \(item 1: "0x0" \(string\)\)/],
  [['compare', '--dataset', 'iris', '--lrs', '0.1,0x10'], /--lrs must be a comma-separated list of numbers, got "0.1,0x10" \(string\) \(item 2: "0x10" \(string\)\)/],
  [['compare', '--dataset', 'iris', '--depths', '0b1'], /--depths must be a comma-separated list of numbers, got "0b1" \(string\) \(item 1: "0b1" \(string\)\)/],
  [['compare', '--dataset', 'iris', '--lrs', '0.1,'], /--lrs must be a comma-separated list of numbers, got "0.1," \(string\) \(item 2: "" \(string\)\)/],
  [['train', '--dataset', 'iris', '--optimizer', 'sgd', '--nesterov'], /--nesterov needs momentum > 0, got none/],
  [['train', '--dataset', 'iris', '--optimizer', 'sgd', '--nesterov', '--momentum', '0'], /--nesterov needs momentum > 0, got --momentum 0/],
  [['train', '--dataset', 'iris', '--optimizer', 'sgd', '--nesterov', '--momentum', '0.9', '--dampening', '0.5'], /--nesterov needs zero dampening, got --dampening 0\.5/],
  [['train', '--optimizer', 'rmsprop', '--alpha', '1.5'], /--alpha must be a number in \[0, 1\], got 1.5/],
  [['train', '--batch-size', 'half'], /--batch-size must be a positive integer or full, got "half"/],
  [['train', '--batch-size', '0'], /--batch-size must be a positive integer or full, got "0"/],
  [['train', '--dtype', 'float16'], /--dtype must be one of float32, float64, got "float16"/],
  [['train', '--test-split', '1'], /--test-split must be a fraction in \[0, 1\), got 1/],
  [['train', '--dataset', 'xor', '--test-split', '0.5'], /--test-split does not apply to xor: its test set is fixed/],
  [['train', '--dataset', 'iris', '--label', 'species'], /--label applies to csv:PATH datasets only, not iris/],
  [['train', '--dataset', 'imagenet'], /--dataset must be one of xor, addition, iris, mnist, spiral or csv:PATH, got "imagenet"/],
  [['train', '--model', '784-x-10'], /--model must be positive layer sizes joined by dashes, inputs first \(e.g. 784-128-64-10\), got "784-x-10"/],
  [['train', '--dropout', '1'], /--dropout must be a probability in \[0, 1\), got 1/],
  [['train', '--gamma', '0.5'], /--gamma applies to --schedule step, exponential or plateau, not none/],
  [['train', '--schedule', 'cosine', '--epochs', '5', '--warmup', '5'], /--warmup must be fewer than --epochs \(5\) with --schedule cosine, got 5/],
  [['train', '--clip-norm', '0'], /--clip-norm must be a number > 0, got 0/],
  [['train', '--threads', '0'], /--threads must be a positive integer, at most 256, got 0/],
  [['train', '--seed', '-1'], /--seed must be an integer in \[0, 4294967295\], got -1/],
  [['train', '--epochs'], /--epochs needs a value/],
  [['train', '--quiet', '--quiet'], /--quiet is given twice/],
  [['train', 'mnist'], /unexpected argument "mnist"; flags start with --/],
  [['fit'], /unknown command "fit"; the commands are train and compare/],
];

for (const [argv, message] of usageErrors) {
  test(`usage error names the flag: gradpool ${argv.join(' ')}`, async (t) => {
    const r = await run(argv);
    t.is(r.code, 2);
    t.regex(r.err, message);
    t.is(r.out, '');
  });
}

test('--model must fit the dataset: the error says what the dataset needs', async (t) => {
  const r = await run(['train', '--dataset', 'iris', '--model', '4-8-2', '--quiet']);
  t.is(r.code, 2);
  t.regex(r.err, /--model 4-8-2 does not fit iris: it has 4 inputs and needs 3 outputs \(3 classes\), e\.g\. --model 4-8-3/);
  const x = await run(['train', '--dataset', 'xor', '--model', '3-1']);
  t.regex(x.err, /--model 3-1 does not fit xor: it has 2 inputs and needs 1 output \(one 0\/1 target\), e\.g\. --model 2-1/);
});

test('--loss must fit the task', async (t) => {
  const r = await run(['train', '--dataset', 'iris', '--loss', 'mse']);
  t.is(r.code, 2);
  t.regex(r.err, /--loss mse does not fit iris \(3 classes\): use softmax-cross-entropy/);
});

test('a bad CSV is a runtime error (exit 1) that names file:line:column', async (t) => {
  const dir = scratch();
  const f = join(dir, 'bad.csv');
  writeFileSync(f, 'a,b,label\n1,2,0\n3,oops,1\n');
  const r = await run(['train', '--dataset', `csv:${f}`]);
  t.is(r.code, 1);
  t.is(r.err, `gradpool train: ${f}:3:3: column "b": expected a number, got "oops"\n`);
});

test('--help on each command lists every flag', async (t) => {
  const train = await run(['train', '--help']);
  t.is(train.code, 0);
  for (const flag of Object.keys(TRAIN_FLAGS)) t.true(train.out.includes(`--${flag} `), `train --help lists --${flag}`);
  const compare = await run(['compare', '--help']);
  t.is(compare.code, 0);
  for (const flag of ['optimizers', 'lrs', 'depths', 'activations', 'preset', 'target', 'report', 'csv', 'json']) t.true(compare.out.includes(`--${flag} `), `compare --help lists --${flag}`);
  t.regex((await run(['--help'])).out, /Commands:\n {2}train .*\n {2}compare /);
  // -h is --help, after the command too.
  t.is((await run(['train', '-h'])).out, train.out);
  t.is((await run(['compare', '--dataset', 'iris', '-h'])).out, compare.out);
});

test('flag forms: --key value, --key=value, --flag, --no-flag; defaults filled from the dataset', (t) => {
  const { flags } = parseFlags(['--dataset=iris', '--epochs', '7', '--no-shuffle', '--standardize', '--betas', '0.8,0.9', '--optimizer', 'adam'], TRAIN_FLAGS);
  t.deepEqual(flags, { dataset: 'iris', epochs: 7, shuffle: false, standardize: true, betas: [0.8, 0.9], optimizer: 'adam' });
  const c = buildConfig(flags);
  t.is(c.shuffle, false);
  t.is(c.epochs, 7);
  t.deepEqual(c.optimizerOptions, { lr: 0.01, betas: [0.8, 0.9] });
  t.deepEqual(c.model, [0, 16, 0], 'hidden sizes from the dataset; widths come from the data');
  const m = buildConfig({});
  t.is(m.dataset, 'mnist');
  t.deepEqual(m.optimizerOptions, { lr: 0.05, momentum: 0.9 });
  t.deepEqual(buildConfig({ lr: 0.01 }).optimizerOptions, { lr: 0.01, momentum: 0.9 }, 'a flag overrides one of the dataset\'s optimizer settings');
  t.deepEqual(buildConfig({ optimizer: 'rmsprop' }).optimizerOptions, { lr: 1e-3 }, 'another optimizer gets its suggested lr');
});
