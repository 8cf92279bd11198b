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
    if (!l || !Array.isArray(l.W) || l.W.length !== d.inputs || l.W.some((row) => !Array.isArray(row) || row.length !== d.units)) {
      fail(file, `layers[${i}].W must be ${d.inputs} rows of ${d.units} numbers ([in][out]; transpose PyTorch's Linear.weight)`);
    }
    l.W.forEach((row, r) => row.forEach((v, c) => {
      if (typeof v !== 'number' || !Number.isFinite(v)) fail(file, `layers[${i}].W[${r}][${c}] must be a finite number, got ${JSON.stringify(v)}`);
    }));
    if (!Array.isArray(l.b) || l.b.length !== d.units) fail(file, `layers[${i}].b must be ${d.units} numbers`);
    l.b.forEach((v, j) => {
      if (typeof v !== 'number' || !Number.isFinite(v)) fail(file, `layers[${i}].b[${j}] must be a finite number, got ${JSON.stringify(v)}`);
    });
  });
  model.setWeights(layers.map((l) => ({ W: l.W, b: l.b })));
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
