/**
 * `npm run bench [-- --quick] [-- --json FILE]`: runs every registered suite in turn and prints
 * their tables; `--json FILE` writes every figure as
 * `{ kernels: [{op, dtype, impl, m, k, n, gflops}], training: [{threads, batchSize, samplesPerSecond, speedup, stepMs, …}] }`.
 * To add a suite, write a module that calls `registerSuite` and import it below.
 */
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { registeredSuites, type BenchResults } from './registry.js';
import './kernels-suite.js';
import './training-suite.js';
import './long-run-suite.js';
import './steady-state-suite.js';

function parseArgs(argv: readonly string[]): { quick: boolean; json: string | null } {
  let quick = false;
  let json: string | null = null;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--quick') quick = true;
    else if (a === '--json') {
      json = argv[++i] ?? null;
      if (json === null || json.startsWith('--')) throw new TypeError('--json needs a file name: --json FILE');
    } else if (a.startsWith('--json=')) json = a.slice('--json='.length);
    else throw new TypeError(`unknown argument "${a}"; known: --quick, --json FILE`);
  }
  return { quick, json };
}

async function main(): Promise<void> {
  const { quick, json } = parseArgs(process.argv.slice(2));
  const log = (line: string) => console.log(line);
  const started = Date.now();
  log(`gradpool bench${quick ? ' --quick' : ''}: Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${new Date().toISOString()}`);
  const results: BenchResults = { kernels: [], training: [] };
  for (const suite of registeredSuites()) {
    log(`\n## ${suite.name}\n`);
    await suite.run({ quick, log }, results);
  }
  if (json) {
    writeFileSync(json, `${JSON.stringify(results, null, 2)}\n`);
    log(`\nwrote ${json}`);
  }
  log(`\ndone in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
