/** The README's library example runs as written (imported as `gradpool`, the package's own name). */
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

test('the README library example runs as written and learns', (t) => {
  const readme = readFileSync(`${root}README.md`, 'utf8');
  const block = /```js\n(\/\/ example\.mjs[\s\S]*?)```/.exec(readme);
  t.truthy(block, 'the README has the example.mjs block');
  // Inside the package folder, so `import … from 'gradpool'` resolves to this package (self-reference).
  const file = `${root}dist/readme-example.mjs`;
  writeFileSync(file, block![1]);
  const r = spawnSync(process.execPath, [file], { cwd: root, encoding: 'utf8', timeout: 120_000 });
  t.is(r.status, 0, r.stderr);
  const accuracy = Number(/last epoch's test accuracy ([\d.]+)/.exec(r.stdout)?.[1]);
  t.true(accuracy >= 0.9, r.stdout);
  t.regex(r.stdout, /^\[ \[ -?[\d.e-]+, -?[\d.e-]+ \] \]$/m);
});
