/**
 * writeTarget (src/io/writeTarget.ts) and writeFileAtomic on what is not a regular file: a
 * device, a FIFO or a descriptor link is written in place and stays what it was; what cannot be
 * written as a file is refused. Nothing here opens a FIFO without a reader, so nothing can hang.
 */
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { closeSync, constants, lstatSync, mkdtempSync, openSync, readFileSync, readSync, statSync, symlinkSync, writeFileSync, writeSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic } from '../../src/io/atomicWrite.js';
import { descriptorOf, writeTarget } from '../../src/io/writeTarget.js';

const scratch = () => mkdtempSync(join(tmpdir(), 'gradpool-target-'));

test('a new file and a regular file are replaced; a folder too (the rename then refuses it)', (t) => {
  const dir = scratch();
  writeFileSync(join(dir, 'old.json'), 'old');
  t.deepEqual(writeTarget(join(dir, 'new.json')), { how: 'replace' });
  t.deepEqual(writeTarget(join(dir, 'old.json')), { how: 'replace' });
  t.deepEqual(writeTarget(dir), { how: 'replace' });
});

test('/dev/null through a link is written in place: it stays a character device, the link a link', (t) => {
  const dir = scratch();
  const link = join(dir, 'out.json');
  symlinkSync('/dev/null', link);
  t.like(writeTarget(link), { how: 'in place', what: 'a character device', fd: null });
  writeFileAtomic(link, '{"a": 1}\n');
  t.true(statSync('/dev/null').isCharacterDevice(), '/dev/null is still a device');
  t.true(lstatSync(link).isSymbolicLink());
});

test('a FIFO is written in place (its reader gets the data) and stays a FIFO', (t) => {
  const dir = scratch();
  const fifo = join(dir, 'ff');
  execFileSync('mkfifo', [fifo]);
  t.like(writeTarget(fifo), { how: 'in place', what: 'a FIFO (named pipe)' });
  // A reader first, so that opening the FIFO to write does not wait.
  const reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    writeFileAtomic(fifo, 'configuration,epoch\n');
    const buf = Buffer.alloc(100);
    t.is(buf.subarray(0, readSync(reader, buf)).toString(), 'configuration,epoch\n');
  } finally {
    closeSync(reader);
  }
  t.true(statSync(fifo).isFIFO());
});

test('a descriptor link (/dev/fd/N, as /dev/stdout and `>(…)` are) is written through the descriptor, at its offset', (t) => {
  const dir = scratch();
  const file = join(dir, 'stdout.txt');
  const fd = openSync(file, 'w');
  try {
    writeSync(fd, 'summary\n');
    t.is(descriptorOf(`/dev/fd/${fd}`), fd);
    t.is(descriptorOf(`/proc/self/fd/${fd}`), fd);
    const link = join(dir, 'link');
    symlinkSync(`/dev/fd/${fd}`, link);
    t.is(descriptorOf(link), fd, 'a link to a descriptor link, as /dev/stdout');
    const inode = statSync(file).ino;
    writeFileAtomic(link, '{"json": true}\n');
    t.is(readFileSync(file, 'utf8'), 'summary\n{"json": true}\n', 'after what the descriptor wrote before, not over it');
    t.is(statSync(file).ino, inode, 'the same file, not replaced');
  } finally {
    closeSync(fd);
  }
  t.is(descriptorOf(file), null);
  t.is(descriptorOf(join(dir, '3')), null, 'a file named by a number is no descriptor');
});

test('refused: a descriptor that is not open, a socket', async (t) => {
  const dir = scratch();
  const fd = 2_000_000_000; // above any descriptor limit (Linux's nr_open is at most 2^30): never open
  t.deepEqual(writeTarget(`/dev/fd/${fd}`), { how: 'refused', what: `file descriptor ${fd}, which is not open` });
  t.throws(() => writeFileAtomic(`/dev/fd/${fd}`, 'x'), { message: `/dev/fd/${fd}: cannot write: it is file descriptor ${fd}, which is not open` });
  const sock = join(dir, 'sock');
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(sock, resolve));
  try {
    t.deepEqual(writeTarget(sock), { how: 'refused', what: 'a socket, which cannot be written as a file' });
  } finally {
    server.close();
  }
});
