/**
 * A closed stdout (`gradpool train | head -1`) stops the run as Ctrl-C does and exits quietly
 * (src/cli/outputClosed.ts): no EPIPE stack trace, no training for nobody, the checkpoint kept.
 */
import test from 'ava';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readCheckpoint } from '../../src/train/checkpoint.js';
import { cliSpawn, scratch } from './helpers.js';

/** Run `gradpool ...args`, close its stdout after the first output, and wait for it to exit. */
function closeEarly(args: string[], cwd: string): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string; first: string }> {
  const child = cliSpawn(args, cwd);
  let stderr = '';
  let first = '';
  child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  child.stdout.setEncoding('utf8').once('data', (s: string) => {
    first = s;
    child.stdout.destroy();
  });
  return new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stderr, first })));
}

test('train: closing stdout early stops the run, writes the checkpoint as on stop and exits quietly with 141', async (t) => {
  const dir = scratch();
  // A million epochs: only a stop ends this run in the test's time.
  const r = await closeEarly(['train', '--dataset', 'xor', '--epochs', '1000000', '--threads', '1', '--save', 'x.ckpt'], dir);
  t.regex(r.first, /^xor: 4 training rows/);
  t.is(r.stderr, '', 'no EPIPE error, no stack trace');
  t.is(r.code, 141);
  t.true(existsSync(join(dir, 'x.ckpt')));
  const { epoch } = readCheckpoint(join(dir, 'x.ckpt')).trainer;
  t.true(epoch < 1_000_000, `the checkpoint is of the stop, after ${epoch} epochs`);
});

test('compare: closing stdout early ends every run (at once and one after another) and exits quietly; no file is written', async (t) => {
  for (const mode of ['yes', 'no']) {
    const dir = scratch();
    const r = await closeEarly(['compare', '--dataset', 'xor', '--lrs', '0.5,1', '--epochs', '1000000', '--threads', '2', '--concurrent', mode, '--json', 'c.json'], dir);
    t.regex(r.first, /^2 configurations/, mode);
    t.is(r.stderr, '', `${mode}: no EPIPE error, no stack trace`);
    t.is(r.code, 141, mode);
    t.false(existsSync(join(dir, 'c.json')), `${mode}: an unfinished comparison is not written`);
  }
});
