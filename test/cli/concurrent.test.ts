import test from 'ava';
import { join } from 'node:path';
import { compareConfigs } from '../../src/cli/compareConfigs.js';
import { fitToData, loadTables } from '../../src/cli/build.js';
import { CONCURRENT_PARAMS, CONCURRENT_STEP_WORK, denseParamCount, planRuns, runConcurrently } from '../../src/cli/concurrentRuns.js';
import { cli, readJson, scratch } from './helpers.js';

interface ComparisonDoc {
  entries: { label: string; paramsSha256: string; epochs: { epoch: number }[] }[];
}

/** Run `compare` with `--concurrent mode` and return its stdout and JSON document. */
function compare(args: string[], mode: string | null): { stdout: string; doc: ComparisonDoc } {
  const dir = scratch();
  const r = cli(['compare', ...args, ...(mode === null ? [] : ['--concurrent', mode]), '--json', 'c.json'], dir);
  if (r.code !== 0) throw new Error(`gradpool compare exited with ${r.code}: ${r.stderr}`);
  return { stdout: r.stdout, doc: readJson<ComparisonDoc>(join(dir, 'c.json')) };
}

const shas = (doc: ComparisonDoc) => doc.entries.map((e) => [e.label, e.paramsSha256]);

test('--preset learning-rates: at once in worker threads and one after another end with the same paramsSha256 per configuration', (t) => {
  const args = ['--preset', 'learning-rates', '--epochs', '100', '--threads', '2'];
  const at = compare(args, 'yes');
  const seq = compare(args, 'no');
  t.deepEqual(at.doc.entries.map((e) => e.label), ['lr=0.001', 'lr=0.01', 'lr=0.1', 'lr=1'], 'entries keep the order of the configurations');
  t.deepEqual(shas(at.doc), shas(seq.doc));
  t.is(new Set(at.doc.entries.map((e) => e.paramsSha256)).size, 4, 'the four learning rates end in four different places');
  t.true(at.doc.entries.every((e) => e.epochs.length === 100));
  t.is(at.stdout.split('\n')[0], '4 configurations, 2 at a time in worker threads (1 thread each)');
  t.is(seq.stdout.split('\n')[0], '4 configurations, one after another (2 threads each, data-parallel)');
  // Progress: one line per finished epoch, each prefixed by its configuration's label.
  for (const { stdout } of [at, seq]) {
    for (const label of ['lr=0.001', 'lr=0.01', 'lr=0.1', 'lr=1']) {
      const lines = stdout.split('\n').filter((l) => l.startsWith(`${label.padEnd(8)}  epoch `));
      t.is(lines.length, 100, label);
      t.regex(lines[99], /epoch 100\/100 +train loss /);
    }
  }
});

test('--optimizers sgd,momentum,adam on iris: the same paramsSha256 at once, one after another and with auto', (t) => {
  const args = ['--dataset', 'iris', '--optimizers', 'sgd,momentum,adam', '--epochs', '5', '--threads', '2', '--quiet'];
  const at = compare(args, 'yes');
  const seq = compare(args, 'no');
  const auto = compare(args, null);
  t.deepEqual(shas(at.doc), shas(seq.doc));
  t.deepEqual(shas(auto.doc), shas(seq.doc));
  t.is(new Set(seq.doc.entries.map((e) => e.paramsSha256)).size, 3);
  t.false(at.stdout.includes('worker threads'), '--quiet prints only the table');
});

test('auto runs a small model\'s configurations at once, up to --threads at a time', (t) => {
  const r = cli(['compare', '--dataset', 'iris', '--lrs', '0.01,0.02,0.05', '--epochs', '2', '--threads', '2']);
  t.is(r.code, 0, r.stderr);
  t.is(r.stdout.split('\n')[0], '3 configurations, 2 at a time in worker threads (1 thread each)');
  const one = cli(['compare', '--dataset', 'iris', '--lrs', '0.01,0.02', '--epochs', '2', '--threads', '1']);
  t.is(one.code, 0, one.stderr);
  t.is(one.stdout.split('\n')[0], '2 configurations, one after another (1 thread each, data-parallel)', 'one thread: nothing to share out');
});

test('the rule: small steps at once; larger models at once only when the configurations fill the threads; yes and no force either', (t) => {
  t.is(denseParamCount([784, 128, 64, 10]), 109_386);
  t.is(denseParamCount([4, 16, 3]), 131);
  const small = compareConfigs({ dataset: 'iris', model: '4-16-3', lrs: [0.01, 0.1], threads: 4 });
  const smallWork = { params: 131, stepWork: 131 * 16 };
  t.deepEqual(planRuns(small, 120), { concurrent: true, slots: 2, threadsEach: 1, ...smallWork }, 'fewer configurations than threads, but small');
  t.deepEqual(planRuns(small, 120, 'no'), { concurrent: false, slots: 1, threadsEach: 4, ...smallWork });
  t.deepEqual(planRuns(small.slice(0, 1), 120), { concurrent: false, slots: 1, threadsEach: 4, ...smallWork }, 'one configuration');
  const full = compareConfigs({ dataset: 'iris', model: '4-16-3', lrs: [0.01, 0.1], threads: 4, 'batch-size': 'full' });
  t.is(planRuns(full, 120).stepWork, 131 * 120, 'full batch: every training row per step');
  const edge = compareConfigs({ dataset: 'spiral', model: '255-256', 'batch-size': '64', lrs: [0.1, 0.2], threads: 4 });
  t.is(planRuns(edge, 1000).stepWork, CONCURRENT_STEP_WORK, '(255+1)·256 = 2^16 parameters × 64 rows = the step limit');
  t.true(planRuns(edge, 1000).concurrent, 'the limit itself runs at once');
  const over = compareConfigs({ dataset: 'spiral', model: '255-256', 'batch-size': '65', lrs: [0.1, 0.2], threads: 4 });
  t.false(planRuns(over, 1000).concurrent, 'one row more, and 2 configurations for 4 threads');
  // MNIST's 784-128-64-10 at batch 128: 14 million per step, 109,386 parameters.
  const mnist = (n: number, threads: number) => compareConfigs({ dataset: 'mnist', model: '784-128-64-10', lrs: [0.01, 0.02, 0.05, 0.1].slice(0, n), threads });
  const mnistWork = { params: 109_386, stepWork: 109_386 * 128 };
  t.deepEqual(planRuns(mnist(3, 4), 8000), { concurrent: false, slots: 1, threadsEach: 4, ...mnistWork }, 'fewer configurations than threads: data-parallel');
  t.deepEqual(planRuns(mnist(3, 4), 8000, 'yes'), { concurrent: true, slots: 3, threadsEach: 1, ...mnistWork });
  t.deepEqual(planRuns(mnist(2, 2), 8000), { concurrent: true, slots: 2, threadsEach: 1, ...mnistWork }, 'as many configurations as threads');
  t.deepEqual(planRuns(mnist(3, 2), 8000), { concurrent: true, slots: 2, threadsEach: 1, ...mnistWork });
  const big = compareConfigs({ dataset: 'mnist', model: '784-1024-256-10', lrs: [0.01, 0.02, 0.05], threads: 2 });
  t.true(planRuns(big, 8000).params > CONCURRENT_PARAMS);
  t.false(planRuns(big, 8000).concurrent, 'over 2^20 parameters: data-parallel even with configurations for every thread');
  const depths = compareConfigs({ dataset: 'spiral', model: '2-1024-3', depths: [1, 4], threads: 4 });
  t.false(planRuns(depths, 1000).concurrent, 'the largest configuration decides (4 hidden layers of 1024: 3.2 million parameters)');
});

test('an error in one configuration names it, at once and one after another, and the process ends', (t) => {
  for (const mode of ['yes', 'no']) {
    const r = cli(['compare', '--dataset', 'iris', '--optimizer', 'sgd', '--lrs', '0.1,1e38,0.2', '--epochs', '3', '--threads', '2', '--concurrent', mode]);
    t.is(r.code, 1, mode);
    t.regex(r.stderr, /^gradpool compare: configuration "lr=1e\+38": step \d+: gradient of \S+ is NaN/, mode);
    t.false(r.stdout.includes('configuration  final test loss'), `${mode}: no table`);
  }
});

test.serial('a failure inside a worker thread rejects naming its configuration, after every thread has ended', async (t) => {
  const configs = compareConfigs({ dataset: 'xor', lrs: [0.5, 1], epochs: 2000, threads: 1 });
  const loaded = loadTables(configs[0].config);
  for (const c of configs) fitToData(c.config, loaded);
  configs[1].config = { ...configs[1].config, dtype: 'float16' as never };
  const error = await t.throwsAsync(runConcurrently(configs, loaded, 2));
  t.regex(error!.message, /^configuration "lr=1": .*float16/);
  t.notRegex(error!.message, /exited/, 'the run\'s own error, not the thread\'s exit');
  t.deepEqual(process.getActiveResourcesInfo().filter((r) => r === 'MessagePort'), [], 'the other run\'s thread was stopped and has ended');
  const ok = await runConcurrently(configs.slice(0, 1), loaded, 2);
  t.is(ok.length, 1);
  t.is(ok[0]!.history.length, 2000);
  t.regex(ok[0]!.final.paramsSha256, /^[0-9a-f]{64}$/);
});

test('--concurrent takes auto, yes or no', (t) => {
  const bad = cli(['compare', '--preset', 'learning-rates', '--concurrent', 'maybe']);
  t.is(bad.code, 2);
  t.regex(bad.stderr, /--concurrent must be one of auto, yes, no, got "maybe"/);
  const help = cli(['compare', '--help']);
  t.regex(help.stdout, /--concurrent +yes: configurations at once, one thread each, up to --threads at a time; no: one after another/);
});

test.serial('Ctrl-C (interrupt) during runs at once: the runs that had finished come back, the others\' places are empty, and every thread ends', async (t) => {
  const configs = compareConfigs({ dataset: 'spiral', lrs: [0.5, 0.1], epochs: 3, threads: 1 });
  const loaded = loadTables(configs[0].config);
  for (const c of configs) fitToData(c.config, loaded);
  configs[1].config = { ...configs[1].config, epochs: 100_000 }; // runs until interrupted
  const interrupt = new AbortController();
  const results = await runConcurrently(configs, loaded, 2, (label, r) => {
    if (label === 'lr=0.1' && r.epoch === 300) interrupt.abort(new Error('Ctrl-C'));
  }, undefined, interrupt.signal);
  t.is(results.length, 2);
  t.is(results[0]!.history.length, 3, 'the short run had finished');
  t.is(results[1], undefined, 'the run cut short has no result');
  t.deepEqual(process.getActiveResourcesInfo().filter((r) => r === 'MessagePort'), [], 'every thread has ended');
});
