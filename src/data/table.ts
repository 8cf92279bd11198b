/**
 * A dataset before it becomes tensors: float64 features plus class labels, binary targets or
 * regression targets. Splitting, standardizing and fingerprinting happen at this level, once,
 * and `toDataset` then builds the trainer's `Dataset` in the run's dtype.
 */
import { createHash } from 'node:crypto';
import type { DType } from '../tensor/dtype.js';
import { makeDataset, type Dataset } from './dataset.js';
import { DataError } from '../errors.js';

/**
 * - classification: integer labels 0..classes-1 (softmax cross-entropy over `classes` outputs)
 * - binary: targets 0 or 1 in one output, accuracy by thresholding (the tutorial's XOR)
 * - regression: real-valued targets, no accuracy
 */
export type Task = 'classification' | 'binary' | 'regression';

export interface Table {
  readonly name: string;
  readonly task: Task;
  readonly featureNames: readonly string[];
  /** Row-major, rows × featureNames.length. */
  readonly x: Float64Array;
  readonly rows: number;
  /** Class labels (classification). */
  readonly labels?: Int32Array;
  readonly classes?: number;
  /** Row-major targets, rows × outputs (binary and regression). */
  readonly targets?: Float64Array;
  /** The file line of each row (CSV files), for errors found after the rows were split. */
  readonly lines?: Int32Array;
}

export function featureCount(t: Table): number {
  return t.featureNames.length;
}

/** Width of the model's output layer for this table. */
export function outputCount(t: Table): number {
  return t.task === 'classification' ? t.classes! : t.targets!.length / t.rows;
}

/**
 * Two-class labels as one 0/1 target (class 1 is 1): the form a binary loss trains on, one
 * output whose logit is class 1's, as PyTorch's BCEWithLogitsLoss takes labels as float targets.
 */
export function asBinary(t: Table): Table {
  if (t.task !== 'classification' || t.classes !== 2) throw new DataError(`${t.name}: only 2-class labels become a 0/1 target, this table has ${t.task === 'classification' ? `${t.classes} classes` : `a ${t.task} task`}`);
  const { labels: _labels, classes: _classes, ...rest } = t;
  return { ...rest, task: 'binary', targets: Float64Array.from(t.labels!) };
}

/** The rows `indices` of `t`, in that order. */
export function subset(t: Table, indices: ArrayLike<number>): Table {
  const d = featureCount(t);
  const k = t.targets ? t.targets.length / t.rows : 0;
  const x = new Float64Array(indices.length * d);
  const labels = t.labels ? new Int32Array(indices.length) : undefined;
  const targets = t.targets ? new Float64Array(indices.length * k) : undefined;
  const lines = t.lines ? new Int32Array(indices.length) : undefined;
  for (let i = 0; i < indices.length; i++) {
    const r = indices[i];
    x.set(t.x.subarray(r * d, (r + 1) * d), i * d);
    if (labels) labels[i] = t.labels![r];
    if (targets) targets.set(t.targets!.subarray(r * k, (r + 1) * k), i * k);
    if (lines) lines[i] = t.lines![r];
  }
  return { ...t, x, rows: indices.length, labels, targets, lines };
}

export interface Standardization {
  mean: number[];
  std: number[];
}

/**
 * Per-feature mean and population standard deviation (divide by n, as numpy's default and the
 * iris fixture use) of `train`. A constant feature (all its values equal) gets its value as mean
 * and std 1, so it maps to exactly 0: summed, 0.3 twenty times has a mean 1 ulp off and a std of
 * 5.6e-17, which would map the training rows to 1 and 0.3000001 to 1.8e9.
 */
export function standardization(train: Table): Standardization {
  const d = featureCount(train);
  const mean = new Array<number>(d).fill(0);
  const std = new Array<number>(d).fill(0);
  // Each column is summed divided by a power of 2 near its largest magnitude, so that sums and
  // squares of values up to 1.8e308 do not overflow; a power of 2 scales exactly, so ordinary
  // columns give the same bits as unscaled.
  const scale = new Array<number>(d).fill(0);
  const constant = new Array<boolean>(d).fill(true);
  for (let r = 0; r < train.rows; r++) {
    for (let j = 0; j < d; j++) {
      scale[j] = Math.max(scale[j], Math.abs(train.x[r * d + j]));
      if (train.x[r * d + j] !== train.x[j]) constant[j] = false;
    }
  }
  for (let j = 0; j < d; j++) scale[j] = scale[j] > 0 ? 2 ** Math.min(1023, Math.ceil(Math.log2(scale[j]))) : 1;
  for (let r = 0; r < train.rows; r++) for (let j = 0; j < d; j++) mean[j] += train.x[r * d + j] / scale[j];
  for (let j = 0; j < d; j++) mean[j] /= train.rows;
  for (let r = 0; r < train.rows; r++) {
    for (let j = 0; j < d; j++) {
      const e = train.x[r * d + j] / scale[j] - mean[j];
      std[j] += e * e;
    }
  }
  for (let j = 0; j < d; j++) {
    std[j] = constant[j] && train.rows > 0 ? 1 : Math.sqrt(std[j] / train.rows) * scale[j];
    mean[j] = constant[j] && train.rows > 0 ? train.x[j] : mean[j] * scale[j];
  }
  return { mean, std };
}

/** `t` with every feature mapped to (x − mean) / std. */
export function standardize(t: Table, s: Standardization): Table {
  const d = featureCount(t);
  const x = new Float64Array(t.x.length);
  for (let r = 0; r < t.rows; r++) for (let j = 0; j < d; j++) x[r * d + j] = (t.x[r * d + j] - s.mean[j]) / s.std[j];
  return { ...t, x };
}

/** The trainer's Dataset in `dtype`; a value it cannot hold is reported with its file line where known. */
export function toDataset(t: Table, dtype: DType): Dataset {
  try {
    return makeTableDataset(t, dtype);
  } catch (e) {
    const at = e instanceof DataError ? /^(x|targets) row (\d+), column (\d+): (.*)$/s.exec(e.message) : null;
    if (!at) throw e;
    const [, what, row, col, rest] = at;
    const where = t.lines ? `line ${t.lines[Number(row)]}` : `row ${row}`;
    const name = what === 'x' ? t.featureNames[Number(col)] : `target ${col}`;
    throw new DataError(`${t.name}, ${where}, ${name === undefined ? `column ${col}` : `"${name}"`}: ${rest}`);
  }
}

function makeTableDataset(t: Table, dtype: DType): Dataset {
  const x = { data: t.x, shape: [t.rows, featureCount(t)] as [number, number] };
  if (t.task === 'classification') return makeDataset({ x, labels: t.labels!, classes: t.classes }, dtype);
  const k = outputCount(t);
  const targets = { data: t.targets!, shape: [t.rows, k] as [number, number] };
  return makeDataset({ x, targets, classes: t.task === 'binary' ? 2 : undefined }, dtype);
}

/** SHA-256 of the table's values, in order: a checkpoint records it so a resume on other data is refused. */
export function fingerprint(t: Table): string {
  const h = createHash('sha256');
  h.update(`${t.task}:${t.rows}:${featureCount(t)}:`);
  h.update(new Uint8Array(t.x.buffer, t.x.byteOffset, t.x.byteLength));
  if (t.labels) h.update(new Uint8Array(t.labels.buffer, t.labels.byteOffset, t.labels.byteLength));
  if (t.targets) h.update(new Uint8Array(t.targets.buffer, t.targets.byteOffset, t.targets.byteLength));
  return h.digest('hex');
}
