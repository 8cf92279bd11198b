/**
 * ml-matrix interop and input checking. Data comes in as an ml-matrix `Matrix`, `number[][]`,
 * or a flat array with a shape; predictions and weights go out as `Matrix`.
 * Every value is checked once on the way in, so NaN or Infinity is reported with its row and
 * column instead of turning the loss into NaN three epochs later.
 */
import { Matrix } from 'ml-matrix';
import { DataError, optionError, ShapeError } from '../errors.js';
import type { DType } from './dtype.js';
import { allocate } from './dtype.js';
import { Tensor } from './tensor.js';

/** A flat row-major array with its shape. */
export interface FlatInput {
  readonly data: ArrayLike<number>;
  readonly shape: readonly [number, number];
}

export type MatrixInput = Matrix | readonly (readonly number[])[] | FlatInput | Tensor;

/** Copy `input` into a new tensor of `dtype`, checking shape and finiteness. `what` names it in errors. */
export function toTensor(input: MatrixInput, dtype: DType, what = 'input'): Tensor {
  let rows: number;
  let cols: number;
  let at: (r: number, c: number) => number;
  if (input instanceof Tensor) {
    ({ rows, cols } = input);
    at = (r, c) => input.data[r * cols + c];
  } else if (Matrix.isMatrix(input)) {
    const m = input as Matrix;
    ({ rows, columns: cols } = m);
    at = (r, c) => m.get(r, c);
  } else if (Array.isArray(input)) {
    const a = input as readonly (readonly number[])[];
    rows = a.length;
    cols = rows > 0 && Array.isArray(a[0]) ? a[0].length : 0;
    // A for loop, not forEach, which would skip a hole ([[1, 2], , [3, 4]]).
    for (let r = 0; r < rows; r++) {
      const row = a[r];
      if (!Array.isArray(row)) throw optionError(`${what} row ${r}`, 'an array of numbers', row);
      if (row.length !== cols) throw new ShapeError(`${what} row ${r}`, `${cols} columns (as row 0)`, `${row.length}`);
    }
    at = (r, c) => a[r][c];
  } else if (input && typeof input === 'object' && 'shape' in input && 'data' in input) {
    const f = input as FlatInput;
    if (!Array.isArray(f.shape) || f.shape.length !== 2) throw optionError(`${what}.shape`, '[rows, cols]', f.shape);
    [rows, cols] = f.shape;
    if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 0 || cols < 0) throw optionError(`${what}.shape`, 'two non-negative integers', f.shape);
    if (f.data.length !== rows * cols) throw new ShapeError(`${what}.data`, `${rows}×${cols} = ${rows * cols} values`, `${f.data.length} values`);
    at = (r, c) => f.data[r * cols + c];
  } else {
    throw optionError(what, 'a Matrix, number[][] or {data, shape}', input);
  }
  if (rows === 0 || cols === 0) throw new ShapeError(what, 'at least 1 row and 1 column', `${rows}×${cols}`);
  const data = allocate(dtype, rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const v = at(r, c);
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new DataError(`${what} row ${r}, column ${c}: expected a finite number, got ${String(v)}`);
      data[r * cols + c] = v;
      // Finite as a double, but past float32's range (±3.4e38): it would be ±Infinity.
      if (!Number.isFinite(data[r * cols + c])) throw new DataError(`${what} row ${r}, column ${c}: ${v} does not fit in float32 (at most ±3.4e38): rescale it, or use float64`);
    }
  }
  return new Tensor(data, rows, cols);
}

/** A tensor's values as a new ml-matrix Matrix. */
export function toMatrix(t: Tensor): Matrix {
  return matrixFrom(t.data, t.rows, t.cols);
}

export function matrixFrom(data: ArrayLike<number>, rows: number, cols: number): Matrix {
  const m = new Matrix(rows, cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) m.set(r, c, data[r * cols + c]);
  return m;
}

/** Integer class labels, checked against the number of classes; errors name the row and value. */
export function toLabels(labels: ArrayLike<number>, classes: number, what = 'labels'): Int32Array {
  // Stored as 32-bit integers: a class count past 2³¹ − 1 would let labels wrap.
  if (!Number.isInteger(classes) || classes < 1 || classes > 0x7fffffff) throw optionError(`${what}: classes`, 'an integer in [1, 2147483647]', classes);
  const out = new Int32Array(labels.length);
  for (let r = 0; r < labels.length; r++) {
    const v = labels[r];
    if (!Number.isInteger(v) || v < 0 || v >= classes) {
      throw new DataError(`${what} row ${r}: expected an integer class in [0, ${classes - 1}], got ${String(v)}`);
    }
    out[r] = v;
  }
  return out;
}

/**
 * A vector given as numbers or as a 1×n (or n×1) matrix, such as a bias as `Model.weights()`
 * returns it: a checked 1×n tensor, or null for null/undefined. `what` names it in errors.
 */
export function toVector(input: readonly number[] | MatrixInput | null | undefined, dtype: DType, what: string): Tensor | null {
  if (input == null) return null;
  if (Array.isArray(input) && input.length === 0) return new Tensor(allocate(dtype, 0), 1, 0);
  if (Array.isArray(input) && input.every((v) => typeof v === 'number')) return toTensor({ data: input as readonly number[], shape: [1, input.length] }, dtype, what);
  const t = toTensor(input as MatrixInput, dtype, what);
  if (t.rows !== 1 && t.cols !== 1) throw new ShapeError(what, 'a vector (1×n or n×1)', t.shape);
  return new Tensor(t.data, 1, t.data.length);
}
