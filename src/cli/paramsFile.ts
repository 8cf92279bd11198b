/**
 * The parameters JSON layout of --init-params and --save-params, how weights move to and from
 * PyTorch:
 *
 *   {"layers": [{"W": [[…], …], "b": […]}, …]}
 *
 * one entry per Dense layer in order, W as [in][out] (y = xW + b; PyTorch's Linear.weight is
 * its transpose) and b with one value per output. Batch-norm parameters have no place in it.
 */
import { readFileSync } from 'node:fs';
import { FileFormatError } from '../errors.js';
import { writeFileAtomic } from '../io/atomicWrite.js';
import type { Model } from '../nn/model.js';

export interface ParamsFile {
  layers: { W: number[][]; b: number[] }[];
}

function fail(file: string, reason: string): never {
  throw new FileFormatError(file, reason);
}

/** What a JSON value is, for errors: `"abc" (string)`, `null`, `an object`, `3 numbers`. */
function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (typeof v === 'object') return 'an object';
  return JSON.stringify(v);
}

/** The shape of a received W: `4 rows of 3`, `3 rows of 16, but row 2 has 15 numbers`, `0 rows`. */
function shapeOf(W: unknown[]): string {
  const rows = `${W.length} row${W.length === 1 ? '' : 's'}`;
  if (W.length === 0) return rows;
  if (!Array.isArray(W[0])) return `${rows}, but row 0 is ${describe(W[0])}`;
  const width = W[0].length;
  const odd = W.findIndex((row) => !Array.isArray(row) || row.length !== width);
  if (odd < 0) return `${rows} of ${width}`;
  const row = W[odd];
  return `${rows} of ${width}, but row ${odd} ${Array.isArray(row) ? `has ${row.length} number${row.length === 1 ? '' : 's'}` : `is ${describe(row)}`}`;
}

/**
 * A weight must be a finite number. JSON has no NaN or Infinity, but a literal too large for a
 * double (1e400) parses to ±Infinity: report it as written, found in `text` by position.
 */
function checkNumber(file: string, where: string, v: unknown, text: string, ...path: (number | string)[]): void {
  if (typeof v === 'number' && Number.isFinite(v)) return;
  if (typeof v === 'number') {
    const literal = literalAt(text, path);
    fail(file, `${where} must be a finite number, got ${literal ?? String(v)}${literal ? `, which is ${v} as a double` : ''}`);
  }
  fail(file, `${where} must be a finite number, got ${describe(v)}`);
}

/** The source text of the number at `path` (layer, "W"/"b", indices) in the JSON document, if it can be found. */
function literalAt(text: string, path: (number | string)[]): string | undefined {
  // Re-parse with a reviver that sees the source text: JSON.parse's reviver gets no source in Node 20,
  // so walk the text: replace every number literal by a string of itself and parse again.
  try {
    const quoted = text.replace(/("(?:[^"\\]|\\.)*")|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/g, (m, str: string | undefined) => (str !== undefined ? str : `"${m}"`));
    let node: unknown = (JSON.parse(quoted) as { layers: unknown[] }).layers;
    for (const key of path) node = (node as Record<string | number, unknown>)[key];
    return typeof node === 'string' ? node : undefined;
  } catch {
    return undefined;
  }
}

/** Read `file` and set the Dense layers of `model` from it; errors name the file, the layer and the shape. */
export function readParamsFile(file: string, model: Model): void {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    fail(file, `cannot read: ${(e as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    fail(file, `not valid JSON: ${(e as Error).message}`);
  }
  const layers = (doc as ParamsFile | null)?.layers;
  if (!Array.isArray(layers)) fail(file, 'expected {"layers": [{"W": [[…]], "b": […]}, …]}');
  const dense = model.denseLayers();
  if (layers.length !== dense.length) fail(file, `${layers.length} layers, but the model has ${dense.length} Dense layers (${dense.map((d) => `${d.inputs}×${d.units}`).join(', ')})`);
  layers.forEach((l, i) => {
    const d = dense[i];
    if (!l || typeof l !== 'object' || Array.isArray(l)) fail(file, `layers[${i}] must be {"W": [[…]], "b": […]}, got ${describe(l)}`);
    const shape = `${d.inputs} rows of ${d.units} numbers ([in][out]; transpose PyTorch's Linear.weight)`;
    if (!Array.isArray(l.W)) fail(file, `layers[${i}].W must be ${shape}, got ${describe(l.W)}`);
    const bad = l.W.length !== d.inputs || l.W.some((row) => !Array.isArray(row) || row.length !== d.units);
    if (bad) fail(file, `layers[${i}].W must be ${shape}, got ${shapeOf(l.W)}`);
    l.W.forEach((row, r) => row.forEach((v, c) => checkNumber(file, `layers[${i}].W[${r}][${c}]`, v, text, i, 'W', r, c)));
    if (!Array.isArray(l.b)) fail(file, `layers[${i}].b must be ${d.units} numbers, got ${describe(l.b)}`);
    if (l.b.length !== d.units) fail(file, `layers[${i}].b must be ${d.units} numbers, got ${l.b.length}`);
    l.b.forEach((v, j) => checkNumber(file, `layers[${i}].b[${j}]`, v, text, i, 'b', j));
  });
  try {
    model.setWeights(layers.map((l) => ({ W: l.W, b: l.b })));
  } catch (e) {
    // What only the model's dtype refuses (a value past float32's range), with the file named.
    fail(file, (e as Error).message);
  }
}

/** The model's Dense weights in the params layout. */
export function paramsOf(model: Model): ParamsFile {
  return {
    layers: model.weights().map(({ W, b }) => ({ W: W.to2DArray(), b: b ? b.getRow(0) : [] })),
  };
}

/** Write the model's Dense weights to `file` atomically. Refused for models with other parameters (batch norm). */
export function writeParamsFile(file: string, model: Model): void {
  const other = model.entries.filter((e) => e.role === 'norm');
  if (other.length > 0) {
    throw new FileFormatError(file, `the model has parameters outside Dense layers (${other.map((e) => e.name).join(', ')}), which the params layout cannot hold; use --save CKPT`);
  }
  writeFileAtomic(file, JSON.stringify(paramsOf(model)) + '\n');
}
