/**
 * writeFileAtomic (src/io/atomicWrite.ts): a failed write names the file, leaves the old one as
 * it was, and leaves no temp file, whether the write or the rename fails.
 */
import test from 'ava';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
