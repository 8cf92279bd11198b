/**
 * How an output path is written. A new file or a regular file is replaced atomically
 * (atomicWrite.ts). Anything else that is there cannot be replaced without destroying it (a
 * rename over /dev/null would make it a regular file), so it is written in place: a character
 * device (/dev/null, a terminal) or a FIFO is opened for writing, and a link to one of this
 * process's file descriptors (/dev/stdout, /dev/fd/63 from the shell's `>(…)`) is written
 * through that descriptor, where the shell's redirection points it, whatever it is (a pipe, a
 * socket, a file at its offset). What cannot be written as a file is refused.
 *
 * Only metadata is read here (stat, readlink): nothing is opened, so a FIFO cannot block.
 */
import { closeSync, constants, fstatSync, lstatSync, openSync, readlinkSync, realpathSync, statSync, writeSync, type Stats } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';

export type WriteTarget =
  /** No such file, or a regular file (or a folder, which the rename then refuses, naming it). */
  | { readonly how: 'replace' }
  /** Written where it is: `fd`, a descriptor of this process, or else the path opened for writing. */
  | { readonly how: 'in place'; readonly what: string; readonly fd: number | null }
  /** Cannot be an output; `what` says what it is. */
  | { readonly how: 'refused'; readonly what: string };

/** `a regular file`, `a FIFO (named pipe)`, …: what `s` describes; null for none of these (an epoll or event descriptor). */
export function kindOfNode(s: Stats): string | null {
  if (s.isFile()) return 'a regular file';
  if (s.isDirectory()) return 'a folder';
  if (s.isCharacterDevice()) return 'a character device';
  if (s.isFIFO()) return 'a FIFO (named pipe)';
  if (s.isSocket()) return 'a socket';
  if (s.isBlockDevice()) return 'a block device (a disk)';
  return null;
}

/**
 * The descriptor that `file` names, if it is a link into this process's descriptor table
 * (/dev/fd/N, /proc/self/fd/N, or a link to one: /dev/stdout), followed link by link without
 * opening anything; else null.
 */
export function descriptorOf(file: string): number | null {
  let path = resolve(file);
  const table = [`/proc/${process.pid}/fd`, '/proc/self/fd'];
  for (let links = 0; links < 40; links++) {
    try {
      if (/^\d+$/.test(basename(path)) && table.includes(realpathSync(dirname(path)))) return Number(basename(path));
      if (!lstatSync(path).isSymbolicLink()) return null;
      path = resolve(dirname(path), readlinkSync(path));
    } catch {
      return null;
    }
  }
  return null;
}

/** How `file` would be written now (see WriteTarget); nothing is opened. */
export function writeTarget(file: string): WriteTarget {
  const fd = descriptorOf(file);
  if (fd !== null) {
    let s: Stats;
    try {
      s = fstatSync(fd);
    } catch {
      return { how: 'refused', what: `file descriptor ${fd}, which is not open` };
    }
    const what = kindOfNode(s);
    if (s.isDirectory() || s.isBlockDevice() || what === null) return { how: 'refused', what: `file descriptor ${fd}, ${what === null ? 'not a file, device, pipe or socket' : `open on ${what}`}` };
    return { how: 'in place', what: `file descriptor ${fd} (${what})`, fd };
  }
  let s: Stats | undefined;
  try {
    s = statSync(file, { throwIfNoEntry: false });
  } catch {
    s = undefined; // e.g. a path through a file: the write then fails, naming it
  }
  if (s === undefined || s.isFile() || s.isDirectory()) return { how: 'replace' };
  if (s.isCharacterDevice() || s.isFIFO()) return { how: 'in place', what: kindOfNode(s)!, fd: null };
  return { how: 'refused', what: `${kindOfNode(s)}, which cannot be written as a file` };
}

/** A pause for a full non-blocking pipe (stdout, once Node has used it) to drain. */
function pause(): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
}

/** Write all of `bytes` to `fd`, waiting while a non-blocking pipe is full. */
export function writeAll(fd: number, bytes: Uint8Array): void {
  let written = 0;
  while (written < bytes.length) {
    try {
      written += writeSync(fd, bytes, written, bytes.length - written);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
      pause();
    }
  }
}

/**
 * Write `bytes` to an 'in place' target: through its descriptor, or opened for writing without
 * creating or truncating anything (a FIFO waits here for its reader, as a shell's `>` does).
 */
export function writeInPlace(file: string, target: WriteTarget & { how: 'in place' }, bytes: Uint8Array): void {
  if (target.fd !== null) {
    writeAll(target.fd, bytes);
    return;
  }
  const fd = openSync(file, constants.O_WRONLY | constants.O_NOCTTY);
  try {
    // Replaced by a regular file since it was looked at: writing over its start would tear it.
    if (fstatSync(fd).isFile()) throw new Error('it became a regular file while being written; write again');
    writeAll(fd, bytes);
  } finally {
    closeSync(fd);
  }
}
