/**
 * The files a command reads and writes are checked before any training (src/cli/paths.ts): what
 * was saved before is never overwritten by a typo, an unset shell variable or a second run.
 */
import test from 'ava';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, scratch } from './helpers.js';

const quick = ['--dataset', 'xor', '--epochs', '2', '--quiet'];

test('an empty path (an unset variable) is refused, naming the flag, instead of meaning "not given"', (t) => {
  const dir = scratch();
  for (const flag of ['--save', '--resume', '--json', '--init-params', '--save-params']) {
    const r = cli(['train', ...quick, flag, ''], dir);
    t.is(r.code, 2, flag);
    t.regex(r.stderr, new RegExp(`${flag} needs a value, got ""`));
  }
  const r = cli(['train', ...quick, '--save='], dir);
  t.regex(r.stderr, /--save needs a value, got ""/);
});

test('a new run does not overwrite a checkpoint that is there; resuming it may', (t) => {
  const dir = scratch();
  t.is(cli(['train', ...quick, '--save', 'run.ckpt'], dir).code, 0);
  const saved = readFileSync(join(dir, 'run.ckpt'), 'utf8');
  const again = cli(['train', ...quick, '--save', 'run.ckpt'], dir);
  t.is(again.code, 2);
  t.regex(again.stderr, /--save run\.ckpt: the file exists \(a checkpoint of an earlier run\?\) and a new run would overwrite it; continue that run with --resume run\.ckpt/);
  t.is(readFileSync(join(dir, 'run.ckpt'), 'utf8'), saved, 'untouched');
  const resumed = cli(['train', ...quick, '--save', 'run.ckpt', '--resume', 'run.ckpt'], dir);
  t.is(resumed.code, 0, resumed.stderr);
  t.true(existsSync(join(dir, 'run.ckpt')));
});

test('two flags naming one file are refused before training: an output over the dataset, a params file or another output', (t) => {
  const dir = scratch();
  writeFileSync(join(dir, 'data.csv'), 'a,b,label\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n0,0,0\n0,1,1\n');
  const data = readFileSync(join(dir, 'data.csv'), 'utf8');
  const csv = ['--dataset', 'csv:data.csv', '--epochs', '1', '--quiet'];
  let r = cli(['train', ...csv, '--save', 'data.csv'], dir);
  t.is(r.code, 2);
  t.regex(r.stderr, /--save data\.csv: --dataset names the same file, which --save would overwrite/);
  t.is(readFileSync(join(dir, 'data.csv'), 'utf8'), data);
  r = cli(['train', ...csv, '--save', 'out.ckpt', '--json', 'out.ckpt'], dir);
  t.regex(r.stderr, /--json out\.ckpt: --save names the same file, which --json would overwrite/);
  t.false(existsSync(join(dir, 'out.ckpt')));
  r = cli(['compare', '--preset', 'learning-rates', '--epochs', '1', '--quiet', '--report', 'r.html', '--json', 'r.html'], dir);
  t.regex(r.stderr, /--json r\.html: --report names the same file/);
});

test('an output in a folder that does not exist is refused before training, not after it', (t) => {
  const dir = scratch();
  const r = cli(['train', ...quick, '--json', 'missing/run.json'], dir);
  t.is(r.code, 2);
  t.regex(r.stderr, /--json missing\/run\.json: the folder missing does not exist/);
  t.false(/epoch/.test(r.stdout), r.stdout);
});

test('no output flag overwrites a checkpoint of another run: --json, --save-params, compare\'s --report, --csv and --json', (t) => {
  const dir = scratch();
  t.is(cli(['train', ...quick, '--save', 'keep.ckpt'], dir).code, 0);
  const saved = readFileSync(join(dir, 'keep.ckpt'), 'utf8');
  for (const flag of ['--json', '--save-params']) {
    const r = cli(['train', ...quick, flag, 'keep.ckpt'], dir);
    t.is(r.code, 2, flag);
    t.regex(r.stderr, new RegExp(`${flag} keep\\.ckpt: the file is a gradpool checkpoint \\(of another run\\?\\), which ${flag} would overwrite; choose another name, or remove the file`));
    t.is(r.stdout, '', `${flag}: no training started`);
  }
  for (const flag of ['--report', '--csv', '--json']) {
    const r = cli(['compare', '--preset', 'learning-rates', '--epochs', '1', '--threads', '1', '--quiet', flag, 'keep.ckpt'], dir);
    t.is(r.code, 2, flag);
    t.regex(r.stderr, new RegExp(`${flag} keep\\.ckpt: the file is a gradpool checkpoint`));
  }
  t.is(readFileSync(join(dir, 'keep.ckpt'), 'utf8'), saved, 'untouched');
  // An earlier output of the same kind may be replaced, as before.
  t.is(cli(['train', ...quick, '--json', 'run.json'], dir).code, 0);
  t.is(cli(['train', ...quick, '--json', 'run.json'], dir).code, 0);
  // Resuming a run still overwrites its own checkpoint.
  t.is(cli(['train', ...quick, '--save', 'keep.ckpt', '--resume', 'keep.ckpt'], dir).code, 0);
});
