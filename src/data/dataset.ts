/**
 * A dataset held as one tensor of features and either integer labels (classification) or a
 * tensor of targets (regression). Everything is checked once here: shapes, finiteness (with
 * row and column), and labels (integer, in range, with row and value).
 */
import { DataError, optionError, ShapeError } from '../errors.js';
import { toLabels, toTensor, type MatrixInput } from '../tensor/convert.js';
import type { DType } from '../tensor/dtype.js';
import { Tensor } from '../tensor/tensor.js';
import type { Target } from '../losses/loss.js';

export interface Dataset {
  readonly x: Tensor;
  readonly y: Target;
  /** Number of classes for classification (accuracy is reported); undefined for regression. */
  readonly classes?: number;
  readonly size: number;
}

export interface DatasetInput {
  x: MatrixInput;
  /** Integer class labels, one per row. */
  labels?: ArrayLike<number>;
  /** Number of classes (default: largest label + 1). */
  classes?: number;
  /** Regression (or one-hot) targets, one row per sample. */
  targets?: MatrixInput;
}

export function makeDataset(input: DatasetInput, dtype: DType = 'float32'): Dataset {
  if (!input || typeof input !== 'object') throw optionError('dataset', 'an object {x, labels | targets}', input);
  const x = toTensor(input.x, dtype, 'x');
  if ((input.labels === undefined) === (input.targets === undefined)) {
    throw new TypeError('dataset needs exactly one of labels (classification) or targets (regression)');
  }
  if (input.labels !== undefined) {
    const raw = input.labels;
    if (raw.length !== x.rows) throw new ShapeError('labels', `${x.rows} labels (one per row of x)`, `${raw.length}`);
    let classes = input.classes;
    if (classes === undefined) {
      classes = 0;
      for (let i = 0; i < raw.length; i++) if (Number.isFinite(raw[i])) classes = Math.max(classes, Math.floor(raw[i]) + 1);
      // Labels are stored as 32-bit integers.
      if (classes > 0x7fffffff) throw new DataError(`labels: a label of ${classes - 1} is past the largest class index a label can hold (2147483646); give labels from 0 to the number of classes - 1`);
    } else if (!Number.isInteger(classes) || classes < 1 || classes > 0x7fffffff) {
      throw optionError('dataset classes', 'an integer in [1, 2147483647]', classes);
    }
    return { x, y: toLabels(raw, classes), classes, size: x.rows };
  }
  const y = toTensor(input.targets!, dtype, 'targets');
  if (y.rows !== x.rows) throw new ShapeError('targets', `${x.rows} rows (as x)`, `${y.rows} rows`);
  // `classes` with targets marks thresholded binary/one-hot classification (XOR with MSE).
  if (input.classes !== undefined && (!Number.isInteger(input.classes) || input.classes < 1)) throw optionError('dataset classes', 'a positive integer', input.classes);
  return { x, y, classes: input.classes, size: x.rows };
}

/** Output width a model needs for this dataset. */
export function outputWidth(ds: Dataset): number {
  return ds.y instanceof Int32Array ? ds.classes! : ds.y.cols;
}

/** Copy rows `indices[start..end)` of `ds` into reusable batch buffers. */
export class BatchGatherer {
  private xBuf: Tensor | null = null;
  private yBuf: Tensor | Int32Array | null = null;

  constructor(private readonly ds: Dataset) {}

  gather(indices: ArrayLike<number>, start: number, end: number): { x: Tensor; y: Target } {
    const n = end - start;
    const { x, y } = this.ds;
    if (!this.xBuf || this.xBuf.data.length < n * x.cols) {
      this.xBuf = Tensor.zeros(x.dtype, n, x.cols);
      this.yBuf = y instanceof Int32Array ? new Int32Array(n) : Tensor.zeros(y.dtype, n, y.cols);
    }
    const bx = new Tensor(this.xBuf.data, n, x.cols);
    for (let i = 0; i < n; i++) {
      const r = indices[start + i];
      bx.data.set(x.data.subarray(r * x.cols, (r + 1) * x.cols), i * x.cols);
    }
    if (y instanceof Int32Array) {
      const labels = (this.yBuf as Int32Array).subarray(0, n);
      for (let i = 0; i < n; i++) labels[i] = y[indices[start + i]];
      return { x: bx, y: labels };
    }
    const ty = this.yBuf as Tensor;
    const by = new Tensor(ty.data, n, y.cols);
    for (let i = 0; i < n; i++) {
      const r = indices[start + i];
      by.data.set(y.data.subarray(r * y.cols, (r + 1) * y.cols), i * y.cols);
    }
    return { x: bx, y: by };
  }
}
