/**
 * The files a command reads and writes, checked before any work: no two flags write one file, no
 * flag writes a file another reads (the dataset, a params file), an output's folder exists, and a
 * checkpoint of another run is not overwritten. An error names the flags and the path, so nothing
 * saved before is lost to a typo found after an hour of training.
 */
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { CHECKPOINT_FORMAT } from '../train/checkpoint.js';
import { MODEL_FORMAT } from '../io/modelFile.js';
import { writeTarget } from '../io/writeTarget.js';
import { FlagError } from './flags.js';

type Paths = Readonly<Record<string, string | undefined>>;

/** The file that `--dataset csv:FILE` reads, if that is the dataset. */
export function datasetFile(flags: Readonly<Record<string, unknown>>): string | undefined {
  const d = flags.dataset;
  return typeof d === 'string' && d.startsWith('csv:') ? d.slice(4) : undefined;
}

/**
 * What saved state `file` holds, from the start of the document (both formats are JSON that
 * begins with their format): 'checkpoint', 'model', or null (anything else, or no such file).
 * A truncated checkpoint still counts: it may be all there is of a run.
 */
export function savedStateIn(file: string): 'checkpoint' | 'model' | null {
  let fd = -1;
  try {
    fd = openSync(file, 'r');
    const head = Buffer.alloc(256);
    const text = head.subarray(0, readSync(fd, head, 0, head.length, 0)).toString('utf8');
    const format = /^\uFEFF?\s*\{\s*"format"\s*:\s*"([^"]*)"/.exec(text)?.[1];
    return format === CHECKPOINT_FORMAT ? 'checkpoint' : format === MODEL_FORMAT ? 'model' : null;
  } catch {
    return null;
  } finally {
    if (fd >= 0) closeSync(fd);
  }
}

/**
 * `outputs` and `inputs` map a flag (`--save`) to its path, if given. `resume`: the checkpoint a
 * run continues, which its `--save` may (and should) overwrite; a new run's `--save` is checked
 * by checkSaveTarget, which refuses any file that is there. Any other output (`--json`,
 * `--report`, …) may replace an earlier file of its own kind, but not a checkpoint or a saved
 * model. A device, FIFO or descriptor link (/dev/null, /dev/stdout) is written in place, not
 * replaced (writeTarget.ts): it is not looked into, and several outputs may name it.
 */
export function checkPaths(outputs: Paths, inputs: Paths, resume?: { save: string; resume: string }): void {
  const seen = new Map<string, string>();
  for (const [flag, path] of Object.entries(inputs)) if (path !== undefined) seen.set(resolve(path), flag);
  for (const [flag, path] of Object.entries(outputs)) {
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
    const saved = flag === resume?.save || !node?.isFile() ? null : savedStateIn(full);
    if (saved !== null) {
      throw new FlagError(`${flag} ${path}: the file is a gradpool ${saved}${saved === 'checkpoint' ? ' (of another run?)' : ''}, which ${flag} would overwrite; choose another name, or remove the file`);
    }
  }
}

/** A new run's `--save FILE` would replace a checkpoint that is there: refused unless it is the one resumed. */
export function checkSaveTarget(save: string | undefined, resume: string | undefined): void {
  if (save === undefined || (resume !== undefined && resolve(save) === resolve(resume))) return;
  if (existsSync(save)) {
    throw new FlagError(`--save ${save}: the file exists (a checkpoint of an earlier run?) and a new run would overwrite it; continue that run with --resume ${save}, or remove the file or choose another name`);
  }
}
