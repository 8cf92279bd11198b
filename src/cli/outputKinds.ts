/**
 * What an existing regular file holds, from its first bytes, so that an output replaces only an
 * empty file or a file of its own kind (`train --json` an earlier run JSON, `compare --csv` an
 * earlier curves CSV) and never the user's notes, a dataset, saved weights or a checkpoint.
 * Only regular files are opened here (paths.ts stats first; O_NONBLOCK as well, so that not even
 * a FIFO swapped in meanwhile could block).
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { CHECKPOINT_FORMAT } from '../train/checkpoint.js';
import { MODEL_FORMAT } from '../io/modelFile.js';
import { REPORT_MARKER } from '../report/html.js';
import { CSV_COLUMNS } from '../report/curves.js';
import { FlagError } from './flags.js';

/** The files gradpool writes: what `is` says such a file appears to be, `short` names it in a hint. */
export const OUTPUT_KINDS = Object.freeze({
  checkpoint: Object.freeze({ is: 'a gradpool checkpoint (of another run?)', short: 'a checkpoint' }),
  model: Object.freeze({ is: 'a gradpool model', short: 'a model' }),
  params: Object.freeze({ is: 'a parameters file (the layout of --save-params and --init-params)', short: 'a parameters file' }),
  run: Object.freeze({ is: 'the JSON of a training run (train --json)', short: 'a run JSON' }),
  comparison: Object.freeze({ is: 'the JSON of a comparison (compare --json)', short: 'a comparison JSON' }),
  curves: Object.freeze({ is: 'the curves CSV of a comparison (compare --csv)', short: 'a curves CSV' }),
  report: Object.freeze({ is: 'a gradpool HTML report (compare --report)', short: 'a report' }),
});

export type OutputKind = keyof typeof OUTPUT_KINDS;

/** How many bytes are read: every kind shows itself in its first line or first few keys. */
const HEAD = 4096;

const JSON_KEY = (key: string, value: string) => new RegExp(`^\\s*\\{\\s*"${key}"\\s*:\\s*${value}`);
/** Each kind, recognized from the start of the text (BOM removed). */
const RECOGNIZE: readonly (readonly [OutputKind, (text: string) => boolean])[] = Object.freeze([
  ['checkpoint', (t) => JSON_KEY('format', `"${CHECKPOINT_FORMAT}"`).test(t)],
  ['model', (t) => JSON_KEY('format', `"${MODEL_FORMAT}"`).test(t)],
  ['params', (t) => JSON_KEY('layers', '\\[').test(t)],
  ['run', (t) => JSON_KEY('config', '\\{\\s*"dataset"\\s*:').test(t)],
  ['comparison', (t) => JSON_KEY('title', '"gradpool compare: ').test(t)],
  ['curves', (t) => t.split(/\r?\n|\r/, 1)[0] === CSV_COLUMNS.join(',')],
  // The marker; or a report written before it was added (its title is `gradpool compare: …`).
  ['report', (t) => t.includes(REPORT_MARKER) || /^<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>gradpool compare: /.test(t)],
]);

/** What a file of no known kind appears to be, from its first bytes and its size. */
function describe(head: Buffer, text: string, size: number): string {
  const bytes = `${size} byte${size === 1 ? '' : 's'}`;
  // U+FFFD before the last (possibly cut) character: not UTF-8.
  if (head.includes(0) || text.slice(0, -3).includes('\uFFFD')) return `a binary file (${bytes})`;
  const start = text.trimStart();
  if (/^<(!doctype html|html)/i.test(start)) return `an HTML page (${bytes})`;
  if (/^[{[]/.test(start)) return `a JSON file (${bytes})`;
  if (start.split(/\r?\n|\r/, 1)[0].includes(',')) return `a CSV file (${bytes}; a dataset?)`;
  return `a text file (${bytes})`;
}

/**
 * What the regular file `file` holds: 'empty', one of the OUTPUT_KINDS, or a description of
 * anything else (`a text file (12 bytes)`). Throws when it cannot be read.
 */
export function contentOf(file: string): 'empty' | OutputKind | { other: string } {
  const fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) return { other: 'not a regular file' };
    if (stat.size === 0) return 'empty';
    const head = Buffer.alloc(Math.min(HEAD, stat.size));
    const read = head.subarray(0, readSync(fd, head, 0, head.length, 0));
    const text = read.toString('utf8').replace(/^\uFEFF/, '');
    return RECOGNIZE.find(([, test]) => test(text))?.[0] ?? { other: describe(read, text, stat.size) };
  } finally {
    closeSync(fd);
  }
}

/**
 * `flag` (which writes a file of kind `own`) may replace the existing regular file at `path`:
 * refused, naming the flag, the path and what the file appears to be, unless it is empty or
 * of kind `own`.
 */
export function checkReplaceable(flag: string, path: string, own: OutputKind): void {
  let found: ReturnType<typeof contentOf>;
  try {
    found = contentOf(path);
  } catch (e) {
    throw new FlagError(`${flag} ${path}: the file is there but cannot be read (${(e as Error).message}), so what ${flag} would overwrite is unknown; choose another name, or remove the file`);
  }
  if (found === 'empty' || found === own) return;
  const is = typeof found === 'string' ? OUTPUT_KINDS[found].is : found.other;
  throw new FlagError(`${flag} ${path}: the file is ${is}, which ${flag} would overwrite; choose another name, or remove the file (${flag} replaces only an empty file or ${OUTPUT_KINDS[own].short})`);
}
