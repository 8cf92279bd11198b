/**
 * What an existing file holds (src/cli/outputKinds.ts), for an output that would replace it:
 * each output flag replaces an empty file or a file of its own kind, as gradpool wrote it, and
 * refuses every other kind and any file of the user's, saying what the file appears to be.
 */
import test from 'ava';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkReplaceable, contentOf, OUTPUT_KINDS, type OutputKind } from '../../src/cli/outputKinds.js';
import { REPORT_MARKER } from '../../src/report/html.js';
import { cli, scratch } from './helpers.js';

let made: { dir: string; files: Record<OutputKind, string> } | undefined;

/** One file of each kind, written by gradpool itself (two tiny runs, once), in a scratch folder. */
function written(): { dir: string; files: Record<OutputKind, string> } {
  made ??= make();
  return made;
}

function make(): { dir: string; files: Record<OutputKind, string> } {
  const dir = scratch();
  const quick = ['--dataset', 'iris', '--epochs', '2', '--threads', '1', '--quiet'];
  let r = cli(['train', ...quick, '--json', 'run.json', '--save-params', 'w.json', '--save', 'c.ckpt'], dir);
  if (r.code !== 0) throw new Error(r.stderr);
  r = cli(['compare', ...quick, '--lrs', '0.01,0.1', '--json', 'cmp.json', '--csv', 'curves.csv', '--report', 'r.html'], dir);
  if (r.code !== 0) throw new Error(r.stderr);
  // A model file (the library's saveModel) is recognized by its head, as a checkpoint is.
  writeFileSync(join(dir, 'm.model'), '{"format":"gradpool-model","version":1,"config":{}}\n');
  const files = { checkpoint: 'c.ckpt', model: 'm.model', params: 'w.json', run: 'run.json', comparison: 'cmp.json', curves: 'curves.csv', report: 'r.html' };
  return { dir, files: Object.fromEntries(Object.entries(files).map(([k, f]) => [k, join(dir, f)])) as Record<OutputKind, string> };
}

test('every file gradpool writes is recognized as its kind; each output replaces its own kind and refuses the others', (t) => {
  const { files } = written();
  const kinds = Object.keys(OUTPUT_KINDS) as OutputKind[];
  t.is(kinds.length, 7);
  for (const kind of kinds) t.is(contentOf(files[kind]), kind, files[kind]);
  for (const own of kinds) {
    for (const kind of kinds) {
      if (kind === own) {
        t.notThrows(() => checkReplaceable('--out', files[kind], own), `${own} over ${kind}`);
      } else {
        const error = t.throws(() => checkReplaceable('--out', files[kind], own), { name: 'FlagError' }, `${own} over ${kind}`);
        t.is(error?.message, `--out ${files[kind]}: the file is ${OUTPUT_KINDS[kind].is}, which --out would overwrite; choose another name, or remove the file (--out replaces only an empty file or ${OUTPUT_KINDS[own].short})`);
      }
    }
  }
});

test('an empty file may be replaced by any output', (t) => {
  const dir = scratch();
  writeFileSync(join(dir, 'empty'), '');
  t.is(contentOf(join(dir, 'empty')), 'empty');
  for (const own of Object.keys(OUTPUT_KINDS) as OutputKind[]) t.notThrows(() => checkReplaceable('--out', join(dir, 'empty'), own));
});

test('the user\'s files are refused, saying what they appear to be: notes, a dataset, JSON, an HTML page, binary data', (t) => {
  const dir = scratch();
  const cases: [string, string | Buffer, string][] = [
    ['notes.txt', 'call Bob\n', 'a text file (9 bytes)'],
    ['data.csv', 'x,y,label\n0,1,0\n', 'a CSV file (16 bytes; a dataset?)'],
    ['config.json', '{"lr": 0.1}', 'a JSON file (11 bytes)'],
    ['page.html', '<!doctype html><p>hi</p>', 'an HTML page (24 bytes)'],
    ['blob', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1]), 'a binary file (6 bytes)'],
    ['one', 'x', 'a text file (1 byte)'],
  ];
  for (const [name, content, is] of cases) {
    writeFileSync(join(dir, name), content);
    t.deepEqual(contentOf(join(dir, name)), { other: is }, name);
    t.throws(() => checkReplaceable('--json', join(dir, name), 'run'), { message: new RegExp(`: the file is ${is.replace(/[()?]/g, '\\$&')}, which --json would overwrite`) });
  }
});

test('kinds are recognized however they were saved: a BOM, CRLF lines, pretty-printed params, a report from before the marker', (t) => {
  const { dir, files } = written();
  const params = JSON.parse(readFileSync(files.params, 'utf8')) as unknown;
  writeFileSync(join(dir, 'pretty.json'), '\uFEFF' + JSON.stringify(params, null, 2));
  t.is(contentOf(join(dir, 'pretty.json')), 'params', 'as a script writes it for --init-params');
  writeFileSync(join(dir, 'crlf.csv'), readFileSync(files.curves, 'utf8').replace(/\n/g, '\r\n'));
  t.is(contentOf(join(dir, 'crlf.csv')), 'curves');
  const report = readFileSync(files.report, 'utf8');
  t.true(report.includes(`\n${REPORT_MARKER}\n`));
  writeFileSync(join(dir, 'old.html'), report.replace(`${REPORT_MARKER}\n`, ''));
  t.is(contentOf(join(dir, 'old.html')), 'report', 'written before the marker: <title>gradpool compare: …');
  writeFileSync(join(dir, 'other.html'), report.replace(`${REPORT_MARKER}\n`, '').replace('<title>gradpool compare: ', '<title>my page: '));
  t.regex((contentOf(join(dir, 'other.html')) as { other: string }).other, /^an HTML page \(\d+ bytes\)$/, 'another page of the same layout is not a report');
  // Truncated after its first bytes (a crash), a checkpoint is still one.
  writeFileSync(join(dir, 'cut.ckpt'), readFileSync(files.checkpoint).subarray(0, 40));
  t.is(contentOf(join(dir, 'cut.ckpt')), 'checkpoint');
});
