/**
 * The files a command reads and writes, checked before any work: no two flags write one file, no
 * flag writes a file another reads (the dataset, a params file), an output's folder exists, and
 * an output replaces only an empty file or one of its own kind (outputKinds.ts), never a
 * checkpoint of another run or the user's own file. An error names the flags and the path, so
 * nothing saved before is lost to a typo found after an hour of training.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { writeTarget } from '../io/writeTarget.js';
import { FlagError } from './flags.js';
import { checkReplaceable, type OutputKind } from './outputKinds.js';

type Paths = Readonly<Record<string, string | undefined>>;

/** An output flag's path, if given, and the kind of file it writes; null: checked elsewhere (--save: checkSaveTarget). */
export interface Output {
  readonly path: string | undefined;
  readonly kind: OutputKind | null;
}

/** The file that `--dataset csv:FILE` reads, if that is the dataset. */
export function datasetFile(flags: Readonly<Record<string, unknown>>): string | undefined {
  const d = flags.dataset;
  return typeof d === 'string' && d.startsWith('csv:') ? d.slice(4) : undefined;
}

/**
 * `outputs` map a flag (`--json`) to its path and kind, `inputs` a flag (`--dataset`) to its
 * path. `resume`: the checkpoint a run continues, which its `--save` may (and should) overwrite;
 * a new run's `--save` is checked by checkSaveTarget, which refuses any file that is there. Any
 * other output (`--json`, `--report`, …) may replace an empty file or an earlier file of its own
 * kind, nothing else. A device, FIFO or descriptor link (/dev/null, /dev/stdout) is written in
 * place, not replaced (writeTarget.ts): it is not looked into, and several outputs may name it.
 */
export function checkPaths(outputs: Readonly<Record<string, Output>>, inputs: Paths, resume?: { save: string; resume: string }): void {
  const seen = new Map<string, string>();
  for (const [flag, path] of Object.entries(inputs)) if (path !== undefined) seen.set(resolve(path), flag);
  for (const [flag, { path, kind }] of Object.entries(outputs)) {
    if (path === undefined) continue;
    const full = resolve(path);
    // Metadata only: a FIFO is never opened here (opening it to read would wait for a writer).
    const how = writeTarget(full);
    if (how.how === 'refused') throw new FlagError(`${flag} ${path}: that is ${how.what}; choose another name`);
    const other = seen.get(full);
    const continued = resume && flag === resume.save && other === resume.resume;
    // Several outputs may go to one device or pipe (/dev/null, /dev/stdout): each is written in turn, none replaced.
    const shared = how.how === 'in place' && other !== undefined && inputs[other] === undefined;
    if (other !== undefined && !continued && !shared) throw new FlagError(`${flag} ${path}: ${other} names the same file, which ${flag} would overwrite`);
    seen.set(full, flag);
    if (how.how === 'in place') continue;
    const folder = dirname(full);
    if (!existsSync(folder) || !statSync(folder).isDirectory()) throw new FlagError(`${flag} ${path}: the folder ${dirname(path)} does not exist`);
    const node = statSync(full, { throwIfNoEntry: false });
    if (node?.isDirectory()) throw new FlagError(`${flag} ${path}: that is a folder, not a file`);
    // Only a regular file is opened to see what it holds.
    if (kind !== null && node?.isFile()) checkReplaceable(flag, path, kind);
  }
}

/** A new run's `--save FILE` would replace a checkpoint that is there: refused unless it is the one resumed. */
export function checkSaveTarget(save: string | undefined, resume: string | undefined): void {
  if (save === undefined || (resume !== undefined && resolve(save) === resolve(resume))) return;
  if (existsSync(save)) {
    throw new FlagError(`--save ${save}: the file exists (a checkpoint of an earlier run?) and a new run would overwrite it; continue that run with --resume ${save}, or remove the file or choose another name`);
  }
}
