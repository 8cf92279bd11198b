/**
 * writeFileAtomic (src/io/atomicWrite.ts): a failed write names the file, leaves the old one as
 * it was, and leaves no temp file, whether the write or the rename fails.
 */
import test from 'ava';
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { writeFileAtomic } from '../../src/io/atomicWrite.js';

test('replaces the file, and leaves nothing else in the folder', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'gradpool-atomicw-'));
  const file = join(dir, 'a.json');
  writeFileSync(file, 'old');
  writeFileAtomic(file, 'new');
  t.is(readFileSync(file, 'utf8'), 'new');
  t.deepEqual(readdirSync(dir), ['a.json']);
});

test('a missing folder: the error names the file', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'gradpool-atomicw-'));
  const file = join(dir, 'missing', 'a.json');
  t.throws(() => writeFileAtomic(file, 'x'), { message: new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: cannot write: ENOENT`) });
});

test('a rename that fails (the target is a folder): the error names it, the temp file is removed', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'gradpool-atomicw-'));
  const target = join(dir, 'taken');
  mkdirSync(target);
  writeFileSync(join(target, 'inside'), 'kept');
  t.throws(() => writeFileAtomic(target, 'x'), { message: /taken: cannot write: / });
  t.deepEqual(readdirSync(dir), ['taken'], 'no .tmp left beside it');
  t.is(readFileSync(join(target, 'inside'), 'utf8'), 'kept');
});

test('two threads writing one file at once: every read sees one whole version, never a torn mix', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'gradpool-atomicw-'));
  const file = join(dir, 'shared.json');
  const size = 256 * 1024;
  writeFileSync(file, 'a'.repeat(size));
  // [threads done, threads whose writes failed]
  const done = new Int32Array(new SharedArrayBuffer(8));
  const url = new URL('../../src/io/atomicWrite.js', import.meta.url).href;
  const code = `const { workerData: w } = require('node:worker_threads');
import(w.url).then(({ writeFileAtomic }) => {
  try {
    const text = w.letter.repeat(w.size);
    for (let i = 0; i < 150; i++) writeFileAtomic(w.file, text);
  } catch {
    Atomics.add(w.done, 1, 1);
  } finally {
    Atomics.add(w.done, 0, 1);
  }
});`;
  const workers = ['a', 'b'].map((letter) => new Worker(code, { eval: true, workerData: { url, file, size, letter, done } }));
  let reads = 0;
  let readsOfB = 0;
  const bad: string[] = [];
  while (Atomics.load(done, 0) < 2) {
    const text = readFileSync(file, 'utf8');
    reads++;
    if (text === 'b'.repeat(size)) readsOfB++;
    else if (text !== 'a'.repeat(size)) bad.push(`${text.length} chars, starting ${text.slice(0, 1)}`);
  }
  await Promise.all(workers.map((w) => new Promise((resolve) => w.once('exit', resolve))));
  t.is(Atomics.load(done, 1), 0, 'no write failed');
  t.deepEqual(bad, [], `${bad.length} torn reads of ${reads}`);
  // The file starts as 'a's: a read of 'b's shows the reads overlapped the writes.
  t.true(readsOfB > 0, `${readsOfB} of ${reads} reads saw the new version`);
  t.deepEqual(readdirSync(dir), ['shared.json'], 'no temp file left');
});

test('the replaced file keeps its permissions, a symbolic link stays a link to the rewritten file, a long name fits', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'gradpool-atomicw-'));
  const secret = join(dir, 'secret.json');
  writeFileSync(secret, 'old');
  for (const mode of [0o600, 0o664]) {
    chmodSync(secret, mode);
    writeFileAtomic(secret, 'new');
    t.is(statSync(secret).mode & 0o777, mode, `mode ${mode.toString(8)} kept, whatever the umask`);
  }
  const link = join(dir, 'link.json');
  symlinkSync(secret, link);
  writeFileAtomic(link, 'through the link');
  t.true(lstatSync(link).isSymbolicLink());
  t.is(readFileSync(secret, 'utf8'), 'through the link');
  const dangling = join(dir, 'dangling.json');
  symlinkSync(join(dir, 'not-yet.json'), dangling);
  writeFileAtomic(dangling, 'created through the link');
  t.true(lstatSync(dangling).isSymbolicLink(), 'a link whose target does not exist yet stays a link');
  t.is(readFileSync(join(dir, 'not-yet.json'), 'utf8'), 'created through the link');
  const long = join(dir, `${'x'.repeat(245)}.json`);
  writeFileAtomic(long, 'fits');
  t.is(readFileSync(long, 'utf8'), 'fits');
});
