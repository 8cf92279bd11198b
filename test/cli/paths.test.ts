/**
 * The files a command reads and writes are checked before any training (src/cli/paths.ts): what
 * was saved before is never overwritten by a typo, an unset shell variable or a second run.
 */
import test from 'ava';
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, constants, existsSync, lstatSync, openSync, readdirSync, readFileSync, readSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { cli, MAIN, scratch } from './helpers.js';

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

test('a FIFO output is not opened before training (that waited forever for a writer): its reader gets the CSV after it', (t) => {
  const dir = scratch();
  execFileSync('mkfifo', [join(dir, 'ff')]);
  // The reader is there before gradpool starts, so its write does not wait; an open to read would.
  const reader = openSync(join(dir, 'ff'), constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    // The timeout (under ava's 2 minutes) only keeps a regression from hanging the suite; the run takes a second or two.
    const r = spawnSync(process.execPath, [MAIN, 'compare', '--dataset', 'iris', '--lrs', '0.01,0.1', '--epochs', '2', '--threads', '1', '--quiet', '--csv', 'ff'], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
    t.is(r.status, 0, `${r.signal ?? ''} ${r.stderr}`);
    const buf = Buffer.alloc(65536);
    const csv = buf.subarray(0, readSync(reader, buf)).toString();
    t.is(csv.split('\n')[0], 'configuration,epoch,trainLoss,trainAccuracy,testLoss,testAccuracy,seconds');
    t.is(csv.trimEnd().split('\n').length, 5, 'the header and 2 epochs of 2 configurations');
  } finally {
    closeSync(reader);
  }
  t.true(statSync(join(dir, 'ff')).isFIFO());
});

test('an output linked to /dev/null is written to the device, which stays a device; several outputs may name it', (t) => {
  const dir = scratch();
  symlinkSync('/dev/null', join(dir, 'null'));
  let r = cli(['train', ...quick, '--json', 'null'], dir);
  t.is(r.code, 0, r.stderr);
  r = cli(['compare', '--dataset', 'iris', '--lrs', '0.01,0.1', '--epochs', '2', '--threads', '1', '--quiet', '--csv', 'null', '--json', 'null', '--report', '/dev/null'], dir);
  t.is(r.code, 0, r.stderr);
  t.true(statSync('/dev/null').isCharacterDevice(), '/dev/null is still a device');
  t.true(lstatSync(join(dir, 'null')).isSymbolicLink());
  t.deepEqual(readdirSync(dir), ['null'], 'no temp file left');
});

test('--json /dev/stdout and a `>(…)` descriptor are written through the descriptor, after the summary', (t) => {
  const dir = scratch();
  const args = [MAIN, 'train', ...quick, '--json', '/dev/stdout', '--save-params', '/dev/fd/3'];
  const r = spawnSync(process.execPath, args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe', 'pipe'] });
  t.is(r.status, 0, r.stderr);
  const summary = r.stdout.indexOf('paramsSha256');
  t.true(summary >= 0, r.stdout);
  const json = JSON.parse(r.stdout.slice(r.stdout.indexOf('\n', summary) + 1)) as { final: { paramsSha256: string } };
  t.is(r.stdout.slice(summary, r.stdout.indexOf('\n', summary)), `paramsSha256 ${json.final.paramsSha256}`);
  t.is((JSON.parse(r.output[3] as string) as { layers: unknown[] }).layers.length, 2, 'the params through fd 3');
  // Standard output redirected to a file (`> out.txt`): the JSON follows the summary in it; the file is not replaced.
  const fd = openSync(join(dir, 'out.txt'), 'w');
  const inode = statSync(join(dir, 'out.txt')).ino;
  try {
    t.is(spawnSync(process.execPath, [MAIN, 'train', ...quick, '--json', '/dev/stdout'], { cwd: dir, stdio: ['ignore', fd, 'pipe'] }).status, 0);
  } finally {
    closeSync(fd);
  }
  const out = readFileSync(join(dir, 'out.txt'), 'utf8');
  t.regex(out, /paramsSha256 [0-9a-f]{64}\n\{\n {2}"config"/);
  t.is(statSync(join(dir, 'out.txt')).ino, inode);
});

test('an output that cannot be written as a file is refused before training: a socket, a descriptor not open', async (t) => {
  const dir = scratch();
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(join(dir, 'sock'), resolve));
  try {
    const r = cli(['train', ...quick, '--json', 'sock'], dir);
    t.is(r.code, 2);
    t.regex(r.stderr, /--json sock: that is a socket, which cannot be written as a file/);
    t.is(r.stdout, '');
  } finally {
    server.close();
  }
  const r = cli(['compare', '--dataset', 'iris', '--lrs', '0.01,0.1', '--epochs', '2', '--threads', '1', '--quiet', '--csv', '/dev/fd/2000000000'], dir);
  t.is(r.code, 2);
  t.regex(r.stderr, /--csv \/dev\/fd\/2000000000: that is file descriptor 2000000000, which is not open/);
  t.is(r.stdout, '');
});

test('an output replaces only an empty file or its own kind: not saved weights, notes or a dataset, refused before training', (t) => {
  const dir = scratch();
  t.is(cli(['train', ...quick, '--save-params', 'w.json'], dir).code, 0);
  writeFileSync(join(dir, 'notes.txt'), 'lr 0.1 diverged\n');
  writeFileSync(join(dir, 'reg.csv'), 'x,y\n1,2\n2,4\n3,6\n');
  const before = Object.fromEntries(['w.json', 'notes.txt', 'reg.csv'].map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
  let r = cli(['train', ...quick, '--json', 'w.json'], dir);
  t.is(r.code, 2);
  t.regex(r.stderr, /--json w\.json: the file is a parameters file \(the layout of --save-params and --init-params\), which --json would overwrite; choose another name, or remove the file \(--json replaces only an empty file or a run JSON\)/);
  t.is(r.stdout, '', 'no training started');
  r = cli(['train', ...quick, '--json', 'notes.txt'], dir);
  t.regex(r.stderr, /--json notes\.txt: the file is a text file \(16 bytes\), which --json would overwrite/);
  r = cli(['compare', '--dataset', 'iris', '--lrs', '0.01,0.1', '--epochs', '2', '--threads', '1', '--quiet', '--csv', 'reg.csv'], dir);
  t.is(r.code, 2);
  t.regex(r.stderr, /--csv reg\.csv: the file is a CSV file \(16 bytes; a dataset\?\), which --csv would overwrite; choose another name, or remove the file \(--csv replaces only an empty file or a curves CSV\)/);
  t.is(r.stdout, '');
  for (const [f, text] of Object.entries(before)) t.is(readFileSync(join(dir, f), 'utf8'), text, `${f} untouched`);
  // An empty file (touch out.json, mktemp) is replaced; so is the weights file by --save-params.
  writeFileSync(join(dir, 'out.json'), '');
  t.is(cli(['train', ...quick, '--json', 'out.json', '--save-params', 'w.json'], dir).code, 0);
  t.like(JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8')), { config: { dataset: 'xor' } });
});
