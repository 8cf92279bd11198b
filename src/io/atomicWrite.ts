/**
 * Atomic file replacement: write a temp file in the same folder, fsync it, rename it over the
 * target, then fsync the folder. A crash at any point leaves either the old file or the new
 * one, never a torn mix, so what was saved before is never lost. An existing device, FIFO or
 * descriptor link (/dev/null, /dev/stdout, `>(…)`) is not replaced but written in place
 * (writeTarget.ts).
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fchmodSync, fsyncSync, lstatSync, openSync, readlinkSync, realpathSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { writeInPlace, writeTarget } from './writeTarget.js';

/**
 * The file a write replaces: a symbolic link's target (the link stays a link, as with an ordinary
 * write), else `file` itself, existing or not.
 */
function target(file: string): string {
  try {
    return realpathSync(file);
  } catch {
    // A link whose target does not exist yet: write the target (one level of link).
    try {
      if (lstatSync(file).isSymbolicLink()) return resolve(dirname(file), readlinkSync(file));
    } catch {
      // no such file: a new one
    }
    return file;
  }
}

/** The permission bits of the file being replaced, so that replacing it keeps them; null for a new file. */
function modeOf(file: string): number | null {
  try {
    return statSync(file).mode & 0o7777;
  } catch {
    return null;
  }
}

/**
 * Replace `file` with `data` (or write it in place: see the top). A failure (no such folder, a
 * full disk, the target a folder, a socket) throws an error that names `file`, leaves no temp
 * file behind, and leaves the old file as it was.
 */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  const how = writeTarget(file);
  if (how.how !== 'replace') {
    try {
      if (how.how === 'refused') throw new Error(`it is ${how.what}`);
      writeInPlace(file, how, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
    } catch (e) {
      throw new Error(`${file}: cannot write: ${(e as Error).message}`, { cause: e });
    }
    return;
  }
  const path = target(file);
  // Unique across processes and threads (which share a pid): created with 'wx', so two writers
  // never share a temp file. Short, so a target name near the 255-byte limit still fits.
  const tmp = join(dirname(path), `.gradpool-${randomBytes(8).toString('hex')}.tmp`);
  let fd = -1;
  try {
    // A new file gets 0644 under the umask, as any write; a replaced one keeps its mode exactly
    // (open's mode would be masked by the umask).
    const mode = modeOf(path);
    fd = openSync(tmp, 'wx', mode ?? 0o644);
    if (mode !== null) fchmodSync(fd, mode);
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    let written = 0;
    while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
    fsyncSync(fd);
    closeSync(fd);
    fd = -1;
    renameSync(tmp, path);
  } catch (e) {
    if (fd >= 0) closeSync(fd);
    rmSync(tmp, { force: true });
    throw new Error(`${file}: cannot write: ${(e as Error).message}`, { cause: e });
  }
  try {
    const dir = openSync(dirname(path), 'r');
    fsyncSync(dir);
    closeSync(dir);
  } catch {
    // Some file systems refuse fsync on a directory; the rename itself is still atomic.
  }
}
