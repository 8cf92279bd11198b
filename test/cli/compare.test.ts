import test from 'ava';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compareConfigs } from '../../src/cli/compareConfigs.js';
import { Progress } from '../../src/cli/progress.js';
import { buildConfig, type RunConfig } from '../../src/cli/config.js';
import { cli, cliSpawn, readJson, scratch } from './helpers.js';

test('--optimizers: names, SGD\'s momentum variants, per-optimizer settings, shared flags where they apply', (t) => {
  const c = compareConfigs({ dataset: 'iris', optimizers: ['sgd', 'momentum', 'nesterov', 'adam:lr=0.001:beta2=0.99', 'rmsprop:alpha=0.9:centered'], 'weight-decay': 0.01 });
  t.deepEqual(c.map((x) => x.label), ['sgd', 'momentum', 'nesterov', 'adam:lr=0.001:beta2=0.99', 'rmsprop:alpha=0.9:centered']);
  t.deepEqual(c.map((x) => x.config.optimizer), ['sgd', 'sgd', 'sgd', 'adam', 'rmsprop']);
  t.deepEqual(c[0].config.optimizerOptions, { lr: 0.1, weightDecay: 0.01 });
  t.deepEqual(c[1].config.optimizerOptions, { lr: 0.1, momentum: 0.9, weightDecay: 0.01 });
  t.deepEqual(c[2].config.optimizerOptions, { lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.01 });
  t.deepEqual(c[3].config.optimizerOptions, { lr: 0.001, weightDecay: 0.01, betas: [0.9, 0.99] });
  t.deepEqual(c[4].config.optimizerOptions, { lr: 0.001, weightDecay: 0.01, alpha: 0.9, centered: true });
  const rest = (x: RunConfig) => ({ ...x, optimizer: null, optimizerOptions: null });
  t.true(c.every((x) => JSON.stringify(rest(x.config)) === JSON.stringify(rest(c[0].config))), 'only the optimizer differs');
});

test('--optimizers start from the settings train uses for each optimizer on the dataset; flags and settings override them', (t) => {
  const train = (dataset: string, optimizer: string) => buildConfig({ dataset, optimizer }).optimizerOptions;
  const iris = compareConfigs({ dataset: 'iris', optimizers: ['adam', 'adamw', 'sgd'] });
  t.deepEqual(iris.map((x) => x.config.optimizerOptions), [{ lr: 0.01 }, { lr: 0.001 }, { lr: 0.1 }]);
  t.deepEqual(iris.map((x) => x.config.optimizerOptions), [train('iris', 'adam'), train('iris', 'adamw'), train('iris', 'sgd')]);
  // mnist's SGD is lr 0.05 with momentum 0.9 (train's): `momentum` is that, `sgd` the same without momentum.
  const mnist = compareConfigs({ dataset: 'mnist', optimizers: ['sgd', 'momentum', 'nesterov', 'adam'] });
  t.deepEqual(mnist.map((x) => x.config.optimizerOptions), [{ lr: 0.05 }, { lr: 0.05, momentum: 0.9 }, { lr: 0.05, momentum: 0.9, nesterov: true }, { lr: 0.001 }]);
  t.deepEqual(mnist[1].config.optimizerOptions, train('mnist', 'sgd'));
  t.deepEqual(compareConfigs({ dataset: 'iris', optimizers: ['adam', 'sgd:lr=0.2'], lr: 0.03 }).map((x) => x.config.optimizerOptions), [{ lr: 0.03 }, { lr: 0.2 }], '--lr for all, lr= for one');
});

test('--json and the report record each configuration\'s optimizer with every setting', (t) => {
  const dir = scratch();
  const r = cli(['compare', '--dataset', 'iris', '--optimizers', 'adam,adamw:lr=0.005', '--epochs', '1', '--threads', '1', '--quiet', '--json', 'c.json', '--report', 'c.html'], dir);
  t.is(r.code, 0, r.stderr);
  const doc = readJson<{ entries: { optimizer: unknown }[] }>(join(dir, 'c.json'));
  t.deepEqual(doc.entries.map((e) => e.optimizer), [
    { name: 'adam', options: { lr: 0.01, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false } },
    { name: 'adamw', options: { lr: 0.005, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0.01, amsgrad: false, maximize: false } },
  ]);
  const html = readFileSync(join(dir, 'c.html'), 'utf8');
  t.regex(html, /<th>configuration<\/th><th>optimizer<\/th>/);
  t.regex(html, /<td class="optimizer">adam lr=0\.01 betas=0\.9,0\.999 eps=1e-8 weightDecay=0 amsgrad=false maximize=false<\/td>/);
  t.regex(html, /<td class="optimizer">adamw lr=0\.005 betas=0\.9,0\.999 eps=1e-8 weightDecay=0\.01 amsgrad=false maximize=false<\/td>/);
});

test('--lrs, --depths, --activations and the presets', (t) => {
  t.deepEqual(compareConfigs({ preset: 'learning-rates' }).map((x) => [x.label, x.config.dataset, x.config.optimizerOptions.lr]), [
    ['lr=0.001', 'xor', 0.001], ['lr=0.01', 'xor', 0.01], ['lr=0.1', 'xor', 0.1], ['lr=1', 'xor', 1],
  ]);
  t.true(compareConfigs({ preset: 'learning-rates' }).every((x) => x.config.optimizer === 'sgd'));
  t.deepEqual(compareConfigs({ preset: 'learning-rates', dataset: 'iris' }).map((x) => [x.config.optimizer, x.config.optimizerOptions.lr]), [
    ['sgd', 0.001], ['sgd', 0.01], ['sgd', 0.1], ['sgd', 1],
  ], 'SGD on another dataset too, as its help says (iris alone trains with adam)');
  t.deepEqual(compareConfigs({ preset: 'depth' }).map((x) => x.config.model), [[0, 64, 0], [0, 64, 64, 0], [0, 64, 64, 64, 0]]);
  t.deepEqual(compareConfigs({ preset: 'activations' }).map((x) => x.config.activation), ['sigmoid', 'relu', 'tanh']);
  const opt = compareConfigs({ preset: 'optimizers', epochs: 2 });
  t.deepEqual(opt.map((x) => x.label), ['sgd', 'momentum', 'nesterov', 'adagrad', 'rmsprop', 'adam', 'adamw']);
  t.true(opt.every((x) => x.config.dataset === 'mnist' && x.config.epochs === 2), 'the user\'s flags apply over the preset');
  t.deepEqual(compareConfigs({ dataset: 'iris', depths: [0, 2], model: '4-8-3' }).map((x) => x.config.model), [[4, 3], [4, 8, 8, 3]]);
});

test('compare flag errors name the flags', (t) => {
  t.throws(() => compareConfigs({ dataset: 'iris' }), { message: /compare needs one of --optimizers, --lrs, --depths, --activations or --preset/ });
  t.throws(() => compareConfigs({ lrs: [0.1], depths: [1] }), { message: 'compare varies one thing at a time; got --lrs and --depths' });
  t.throws(() => compareConfigs({ preset: 'depth', lrs: [0.1] }), { message: '--preset depth varies --depths; it cannot be combined with --lrs' });
  t.throws(() => compareConfigs({ optimizers: ['adam:momentum=0.9'] }), { message: /--optimizers adam:momentum=0.9: momentum does not apply to adam/ });
  t.throws(() => compareConfigs({ optimizers: ['adam:lr=fast'] }), { message: '--optimizers adam:lr=fast: lr must be a number, got "fast"' });
  t.throws(() => compareConfigs({ optimizers: ['adam:lr=0x10'] }), { message: '--optimizers adam:lr=0x10: lr must be a number, got "0x10"' });
  t.throws(() => compareConfigs({ optimizers: ['adam:lr'] }), { message: '--optimizers adam:lr: lr needs a value (lr=…)' });
  t.throws(() => compareConfigs({ optimizers: ['adam:lr=0.1:lr=0.2'] }), { message: '--optimizers adam:lr=0.1:lr=0.2: lr is given twice' });
  t.throws(() => compareConfigs({ optimizers: ['adam:toString=1'] }), { message: /--optimizers adam:toString=1: unknown setting "toString"/ });
  t.throws(() => compareConfigs({ optimizers: ['adam:speed=1'] }), { message: /--optimizers adam:speed=1: unknown setting "speed"/ });
  t.throws(() => compareConfigs({ optimizers: ['adam'], optimizer: 'sgd' }), { message: '--optimizer and --optimizers cannot be combined' });
  t.throws(() => compareConfigs({ lrs: [0] }), { message: '--lrs must be learning rates > 0, got 0' });
  t.throws(() => compareConfigs({ dataset: 'iris', lrs: [0.01, 0.1], lr: 0.5 }), { message: '--lr and --lrs cannot be combined: --lrs gives each configuration its learning rate' });
  // A configuration given twice would be two identical rows and curves, and one CSV key twice.
  t.throws(() => compareConfigs({ dataset: 'iris', lrs: [0.1, 0.01, 0.1] }), { message: '--lrs lists 0.1 twice (items 1 and 3); give each once' });
  t.throws(() => compareConfigs({ dataset: 'iris', activations: ['relu', 'relu'] }), { message: '--activations lists relu twice (items 1 and 2); give each once' });
  t.throws(() => compareConfigs({ dataset: 'iris', depths: [2, 1, 2] }), { message: '--depths lists 2 twice (items 1 and 3); give each once' });
  t.throws(() => compareConfigs({ dataset: 'iris', optimizers: ['adam', 'adam'] }), { message: '--optimizers lists adam twice (items 1 and 2); give each once' });
  t.throws(() => compareConfigs({ dataset: 'iris', optimizers: ['sgd:lr=0.1', 'momentum:lr=0.1:momentum=0'] }), {
    message: '--optimizers: sgd:lr=0.1 and momentum:lr=0.1:momentum=0 (items 1 and 2) are the same configuration, sgd {"lr":0.1,"momentum":0,"dampening":0,"weightDecay":0,"nesterov":false,"maximize":false}; give each once',
  });
  t.throws(() => compareConfigs({ dataset: 'iris', optimizers: ['adam', 'adam:lr=0.01'] }), { message: /--optimizers: adam and adam:lr=0\.01 \(items 1 and 2\) are the same configuration/ });
  const dup = cli(['compare', '--dataset', 'iris', '--lrs', '0.1,0.10']);
  t.is(dup.code, 2);
  t.regex(dup.stderr, /^gradpool compare: --lrs lists 0\.1 twice \(items 1 and 2\); give each once\n/);
  const r = cli(['compare', '--optimizers', 'sgd,adamx']);
  t.is(r.code, 2);
  t.regex(r.stderr, /--optimizers must be one of .*got "adamx"/);
});

test('configurations start from the same weights and see the same data order: dampening without momentum changes nothing, bit for bit', (t) => {
  const dir = scratch();
  const r = cli(['compare', '--dataset', 'iris', '--epochs', '5', '--optimizers', 'sgd:lr=0.1,sgd:lr=0.1:dampening=0.5,adam', '--json', 'c.json', '--csv', 'c.csv', '--target', '90', '--quiet'], dir);
  t.is(r.code, 0, r.stderr);
  const c = readJson<{ target: number; entries: { label: string; paramsSha256: string; epochs: unknown[]; epochsToTarget: number | null }[] }>(join(dir, 'c.json'));
  t.is(c.target, 0.9);
  t.deepEqual(c.entries.map((e) => e.label), ['sgd:lr=0.1', 'sgd:lr=0.1:dampening=0.5', 'adam']);
  t.is(c.entries[1].paramsSha256, c.entries[0].paramsSha256);
  t.not(c.entries[2].paramsSha256, c.entries[0].paramsSha256);
  t.true(c.entries.every((e) => e.epochs.length === 5));
  const lines = r.stdout.trim().split('\n');
  t.regex(lines[0], /^configuration +final test loss +final test acc +best test loss +best test acc +epochs to 90\.00% +time$/);
  t.is(lines.length, 5, 'header, rule, one row per configuration');
  const csv = readFileSync(join(dir, 'c.csv'), 'utf8').trim().split('\n');
  t.is(csv[0], 'configuration,epoch,trainLoss,trainAccuracy,testLoss,testAccuracy,seconds');
  t.is(csv.length, 1 + 3 * 5);
  t.regex(csv[1], /^sgd:lr=0\.1,1,[\d.e-]+,[\d.]+,[\d.e-]+,[\d.]+,[\d.e-]+$/);
});

test('progress on a terminal: a bar redrawn in place with samples/s, loss and ETA, replaced by the epoch line', (t) => {
  let text = '';
  const p = new Progress({ write: (s: string) => (text += s), isTTY: true, columns: 200 }, false);
  const config = { dataset: 'toy', model: [2, 3, 1], activation: 'relu', dtype: 'float32', optimizer: 'sgd', optimizerOptions: { lr: 0.1 }, threads: 2, epochs: 2 } as unknown as RunConfig;
  p.start({ config, startEpoch: 0, startRow: 0, trainSize: 4, testSize: 0, batchSize: 2, paramCount: 13, layers: [] });
  p.progress({ epoch: 1, batches: 1, rows: 2, step: 1, lossSum: 1 });
  p.progress({ epoch: 1, batches: 2, rows: 4, step: 2, lossSum: 1.5 });
  p.epoch({ epoch: 1, trainLoss: 0.375, trainAccuracy: null, testLoss: null, testAccuracy: null, seconds: 0.5, samplesPerSecond: 8 });
  t.regex(text, /\repoch 1\/2 █{12}░{12} 50% {2}ETA \S+ {2}[\d,]+ samples\/s {2}loss 0\.5000\x1b\[K/);
  t.regex(text, /\repoch 1\/2 █{24} 100% {2}ETA 0\.0s {2}[\d,]+ samples\/s {2}loss 0\.3750\x1b\[K/);
  t.true(text.endsWith('\r\x1b[Kepoch 1/2  train loss 0.3750  0.5s  8 samples/s\n'));
  let quiet = '';
  const q = new Progress({ write: (s: string) => (quiet += s), isTTY: true }, true);
  q.progress({ epoch: 1, batches: 1, rows: 2, step: 1, lossSum: 1 });
  q.epoch({ epoch: 1, trainLoss: 0.375, trainAccuracy: null, testLoss: null, testAccuracy: null, seconds: 0.5, samplesPerSecond: 8 });
  t.is(quiet, '', '--quiet draws nothing until the summary');
  // A terminal that reports 0 columns gets 80; a resumed epoch says where it resumes and goes on
  // from there, its running loss that of the whole epoch so far.
  let resumed = '';
  const r = new Progress({ write: (s: string) => (resumed += s), isTTY: true, columns: 0 }, false);
  r.start({ config, startEpoch: 0, startRow: 2, trainSize: 4, testSize: 0, batchSize: 2, paramCount: 13, layers: [] });
  r.progress({ epoch: 1, batches: 2, rows: 4, step: 2, lossSum: 1.5 });
  t.regex(resumed, /resuming epoch 1 at row 2 of 4\n/);
  t.regex(resumed, /\repoch 1\/2 █{20} 100% {2}ETA 0\.0s {2}[\d,]+ samples\/s {2}loss 0\.3750\x1b\[K/);
  t.true(resumed.split('\r').slice(1).every((line) => line.replace('\x1b[K', '').length < 80), 'each redraw fits 80 columns');
});

test('--target is refused, naming it and its value, where there is no held-out accuracy: a regression, or --test-split 0', (t) => {
  const dir = scratch();
  const regression = cli(['compare', '--dataset', 'addition', '--lrs', '0.01,0.02', '--target', '0.9', '--threads', '1', '--json', 'a.json'], dir);
  t.is(regression.code, 2);
  t.regex(regression.stderr, /^gradpool compare: --target 0\.9: addition is a regression task, which has no accuracy to reach; drop --target/);
  t.is(regression.stdout, '', 'no training started');
  const noTest = cli(['compare', '--dataset', 'iris', '--lrs', '0.01,0.02', '--test-split', '0', '--target', '90', '--threads', '1'], dir);
  t.is(noTest.code, 2);
  t.regex(noTest.stderr, /^gradpool compare: --target 90: the epochs to a test accuracy need a test set, and --test-split 0 holds out none of iris/);
  // Without a test set the table compares the training metrics (every test cell would be empty).
  const trainOnly = cli(['compare', '--dataset', 'iris', '--lrs', '0.01,0.1', '--epochs', '2', '--test-split', '0', '--threads', '1', '--quiet'], dir);
  t.is(trainOnly.code, 0, trainOnly.stderr);
  t.regex(trainOnly.stdout, /^configuration +last train loss +last train acc +best train loss +best train acc +time\n/);
  t.regex(trainOnly.stdout, /\nlr=0\.01 +\d\.\d{4} +\d+\.\d\d% +\d\.\d{4} +\d+\.\d\d% /);
  // xor's 0/1 target has an accuracy: --target applies.
  const xor = cli(['compare', '--dataset', 'xor', '--lrs', '1,2', '--epochs', '2', '--target', '0.5', '--threads', '1', '--quiet'], dir);
  t.is(xor.code, 0, xor.stderr);
  t.regex(xor.stdout, /epochs to 50\.00%/);
});

test('Ctrl-C during compare ends every run; the table and files hold the configurations that had finished, and it exits with 130 saying so', async (t) => {
  // One after another: xor's short run finishes, spiral's long one is cut short.
  const ctrlC = async (args: string[], dir: string, when: RegExp) => {
    const child = cliSpawn(['compare', ...args, '--threads', '1', '--concurrent', 'no', '--report', 'r.html', '--json', 'c.json', '--csv', 'c.csv'], dir);
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (s: string) => (err += s));
    let sent = false;
    child.stdout.on('data', (s: string) => {
      out += s;
      if (!sent && when.test(out)) {
        sent = true;
        child.kill('SIGINT');
      }
    });
    const [code] = await once(child, 'exit');
    return { code, out, err };
  };
  const none = scratch();
  const first = await ctrlC(['--dataset', 'spiral', '--lrs', '0.001,0.01,0.1', '--epochs', '400'], none, /epoch +2\//);
  t.is(first.code, 130, `${first.out}\n${first.err}`);
  t.regex(first.err, /gradpool compare: interrupted \(Ctrl-C\): every run stopped after its step in flight/);
  t.regex(first.out, /interrupted: 0 of 3 configurations had finished; no file was written/);
  t.false(existsSync(join(none, 'r.html')));
  t.false(existsSync(join(none, 'c.json')));

  const some = scratch();
  // Three learning rates, 400 epochs each on spiral (~0.4 s a run): Ctrl-C once the second has begun.
  const second = await ctrlC(['--dataset', 'spiral', '--lrs', '0.3,0.01,0.001', '--epochs', '400'], some, /lr=0\.01 +epoch +2\//);
  t.is(second.code, 130, `${second.out}\n${second.err}`);
  t.regex(second.out, /interrupted: 1 of 3 configurations had finished; the table and --report, --csv, --json hold it/);
  t.regex(second.out, /\nlr=0\.3 +\d/);
  t.notRegex(second.out, /\nlr=0\.01 +\d\.\d{4} /, 'the run cut short is not in the table');
  const doc = readJson<{ interrupted: { finished: number; configurations: number }; entries: Array<{ label: string; epochs: unknown[] }> }>(join(some, 'c.json'));
  t.deepEqual(doc.interrupted, { finished: 1, configurations: 3 });
  t.deepEqual(doc.entries.map((e) => e.label), ['lr=0.3']);
  t.is(doc.entries[0].epochs.length, 400);
  t.regex(readFileSync(join(some, 'r.html'), 'utf8'), /interrupted: 1 of 3 configurations finished/);
  t.is(readFileSync(join(some, 'c.csv'), 'utf8').trim().split('\n').length, 1 + 400);
});
