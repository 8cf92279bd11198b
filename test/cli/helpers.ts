/** Running the built `gradpool` binary as a child process, and scratch folders, for the CLI tests. */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** dist/src/cli/main.js (tests run from dist/test/cli/). */
export const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run `gradpool ...args` to completion in `cwd`. */
export function cli(args: readonly string[], cwd = process.cwd()): CliResult {
  const r = spawnSync(process.execPath, [MAIN, ...args], { cwd, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Run `gradpool ...args` in the background (for killing it). */
export function cliSpawn(args: readonly string[], cwd = process.cwd()) {
  return spawn(process.execPath, [MAIN, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
}

export function scratch(prefix = 'gradpool-cli-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function readJson<T = unknown>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

/** Read `test/fixtures/<name>` (tests run from dist/test/cli/). */
export function fixture<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(`../../../test/fixtures/${name}`, import.meta.url), 'utf8')) as T;
}
