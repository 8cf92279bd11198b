/**
 * Atomic file replacement: write a temp file in the same folder, fsync it, rename it over the
 * target, then fsync the folder. A crash at any point leaves either the old file or the new
 * one, never a torn mix, so what was saved before is never lost.
 */
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/**
 * Replace `file` with `data`. A failure (no such folder, a full disk, the target a folder) throws
 * an error that names `file`, leaves no temp file behind, and leaves the old file as it was.
 */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  const tmp = join(dirname(file), `.${basename(file)}.${process.pid}.${Date.now()}.tmp`);
  let fd = -1;
  try {
    fd = openSync(tmp, 'w', 0o644);
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    let written = 0;
    while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
    fsyncSync(fd);
    closeSync(fd);
    fd = -1;
    renameSync(tmp, file);
  } catch (e) {
    if (fd >= 0) closeSync(fd);
    rmSync(tmp, { force: true });
    throw new Error(`${file}: cannot write: ${(e as Error).message}`, { cause: e });
  }
  try {
    const dir = openSync(dirname(file), 'r');
    fsyncSync(dir);
    closeSync(dir);
  } catch {
    // Some file systems refuse fsync on a directory; the rename itself is still atomic.
  }
}
