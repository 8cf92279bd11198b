import test from 'ava';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** dist/examples/run.js (tests run from dist/test/examples/). */
const RUN = fileURLToPath(new URL('../../examples/run.js', import.meta.url));
const example = (...args: string[]) => {
  const r = spawnSync(process.execPath, [RUN, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

test('a flag that does not apply to the chosen example is an error naming the flag and the example', (t) => {
  const worked = example('worked', '--lr', '5');
  t.is(worked.code, 2);
  t.is(worked.stderr, 'error: --lr does not apply to the worked example; it takes no flags\n');
  t.is(worked.stdout, '', 'the example did not run');
  const addition = example('addition', '--optimizer', 'adam');
  t.is(addition.code, 2);
  t.is(addition.stderr, 'error: --optimizer does not apply to the addition example; it takes --lr, --seed, --epochs\n');
  t.is(addition.stdout, '');
  t.regex(example('xor', 'adam').stderr, /unexpected argument "adam" after the example's name; flags start with --/);
  t.regex(example('mnist').stderr, /unknown example "mnist"; choose worked, addition or xor/);
});

test('a bad value is an error naming the flag and the value (exit 2), before the example runs', (t) => {
  const cases: [string[], string][] = [
    [['xor', '--epochs', '0'], 'error: --epochs must be a positive integer, got 0\n'],
    [['xor', '--lr', '-1'], 'error: --lr must be >= 0, got -1\n'],
    [['addition', '--lr', '-0.5'], 'error: --lr must be >= 0, got -0.5\n'],
    [['addition', '--epochs', '-3'], 'error: --epochs must be a positive integer, got -3\n'],
    [['xor', '--seed', '-1'], 'error: --seed must be an integer in [0, 4294967295], got -1\n'],
  ];
  for (const [args, message] of cases) {
    const r = example(...args);
    t.is(r.code, 2, args.join(' '));
    t.is(r.stderr, message);
    t.is(r.stdout, '', 'the example did not run');
  }
});

test('the flags an example takes still work', (t) => {
  const add = example('addition', '--lr', '0.02', '--epochs', '3', '--seed', '1');
  t.is(add.code, 0, add.stderr);
  t.is(add.stdout.split('\n').filter((l) => l.startsWith('epoch')).length, 3);
  const x = example('xor', '--optimizer', 'adam', '--lr', '0.1', '--epochs', '500', '--seed', '3');
  t.is(x.code, 0, x.stderr);
  t.true(x.stdout.trim().endsWith('all four outputs are on the right side of 0.5'));
});
