/**
 * Model files: architecture, parameters and running statistics in one JSON document, with a
 * format version and a SHA-256 checksum over everything else. Parameters are stored as the raw
 * little-endian bytes (base64), so predictions are bit-identical after a round trip.
 * Checks run before anything is built: a torn or altered file is refused by its checksum, and
 * a file of another architecture is refused with the value counts or the differing layer.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { FileFormatError } from '../errors.js';
import { Model, type ModelConfig, type ModelOptions } from '../nn/model.js';
import type { FloatArray } from '../tensor/dtype.js';
import { writeFileAtomic } from './atomicWrite.js';

export const MODEL_FORMAT = 'gradpool-model';
export const MODEL_VERSION = 1;

interface Body {
  format: string;
  version: number;
  config: ModelConfig;
  params: string;
  state: string;
}

export function sha256(text: string | Uint8Array): string {
  return createHash('sha256').update(text).digest('hex');
}

export function encodeArray(a: FloatArray): string {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
}

/** Decode base64 bytes into `target`, which must have exactly the encoded length. */
export function decodeInto(file: string, what: string, text: string, target: FloatArray): void {
  copyBytes(target, decodedBytes(file, what, text, target));
}

function copyBytes(target: FloatArray, bytes: Uint8Array): void {
  new Uint8Array(target.buffer, target.byteOffset, target.byteLength).set(bytes);
}

/** The bytes of base64 `text`, checked to fill `target` exactly (nothing is copied yet). */
function decodedBytes(file: string, what: string, text: unknown, target: FloatArray): Buffer {
  if (typeof text !== 'string') throw new FileFormatError(file, `${what}: expected base64 text, got ${typeof text}`);
  const bytes = Buffer.from(text, 'base64');
  const got = bytes.byteLength / target.BYTES_PER_ELEMENT;
  if (got !== target.length) throw new FileFormatError(file, `${what}: expected ${target.length} values, got ${got}`);
  return bytes;
}

export function saveModel(model: Model, file: string): void {
  const body: Body = { format: MODEL_FORMAT, version: MODEL_VERSION, config: model.config(), params: encodeArray(model.params), state: encodeArray(model.state) };
  const text = JSON.stringify(body);
  writeFileAtomic(file, JSON.stringify({ ...body, sha256: sha256(text) }) + '\n');
}

/** Read and verify a file written by saveModel or a checkpoint: JSON, format, version, checksum. */
export function readVerified<T extends { format: string; version: number }>(file: string, format: string, version: number): T {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new FileFormatError(file, `cannot read: ${(e as Error).message}`);
  }
  let doc: T & { sha256?: string };
  try {
    doc = JSON.parse(text);
  } catch {
    throw new FileFormatError(file, `not valid JSON (truncated or altered?); its sha256 checksum cannot be verified`);
  }
  if (!doc || typeof doc !== 'object' || doc.format !== format) throw new FileFormatError(file, `not a ${format} file (format: ${JSON.stringify(doc?.format)})`);
  if (doc.version !== version) throw new FileFormatError(file, `${format} version ${doc.version} is not supported (this build reads version ${version})`);
  const { sha256: stored, ...body } = doc;
  const actual = sha256(JSON.stringify(body));
  if (stored !== actual) throw new FileFormatError(file, `sha256 checksum mismatch: the file records ${stored}, its contents hash to ${actual}`);
  return body as T;
}

/** Compare two architectures; returns a sentence naming the first difference, or null. */
export function architectureDifference(expected: ModelConfig, actual: ModelConfig): string | null {
  if (expected.dtype !== actual.dtype) return `dtype differs: the model is ${expected.dtype}, the file ${actual.dtype}`;
  if (expected.inputs !== actual.inputs) return `inputs differ: the model takes ${expected.inputs}, the file ${actual.inputs}`;
  const n = Math.max(expected.layers.length, actual.layers.length);
  for (let i = 0; i < n; i++) {
    const a = JSON.stringify(expected.layers[i] ?? null);
    const b = JSON.stringify(actual.layers[i] ?? null);
    if (a !== b) return `layer ${i} differs: the model has ${a}, the file has ${b}`;
  }
  return null;
}

/** Build the model a file describes, with its parameters and running statistics. */
export function loadModel(file: string, options?: Omit<ModelOptions, 'dtype' | 'inputs'>): Model {
  const body = readVerified<Body>(file, MODEL_FORMAT, MODEL_VERSION);
  let model: Model;
  try {
    model = Model.fromConfig(body.config, options);
  } catch (e) {
    throw new FileFormatError(file, `bad architecture: ${(e as Error).message}`);
  }
  decodeInto(file, 'parameters', body.params, model.params);
  decodeInto(file, 'running statistics', body.state, model.state);
  return model;
}

/** Load a file's parameters into an existing model of the same architecture. Nothing is changed on failure. */
export function loadWeights(model: Model, file: string): void {
  const body = readVerified<Body>(file, MODEL_FORMAT, MODEL_VERSION);
  if (typeof body.params !== 'string') throw new FileFormatError(file, `parameters: expected base64 text, got ${typeof body.params}`);
  const stored = Buffer.from(body.params, 'base64').byteLength / model.params.BYTES_PER_ELEMENT;
  if (stored !== model.params.length && body.config.dtype === model.dtype) {
    throw new FileFormatError(file, `expected ${model.params.length} values, got ${stored}`);
  }
  const diff = architectureDifference(model.config(), body.config);
  if (diff) throw new FileFormatError(file, diff);
  // Both checked before either is copied: nothing changes on failure.
  const params = decodedBytes(file, 'parameters', body.params, model.params);
  const state = decodedBytes(file, 'running statistics', body.state, model.state);
  copyBytes(model.params, params);
  copyBytes(model.state, state);
}
