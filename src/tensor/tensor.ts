/**
 * A row-major 2-D block of numbers: a batch of rows, one feature per column. Every layer
 * in gradpool maps [batch × in] to [batch × out], so two dimensions are all a tensor needs.
 */
import { ShapeError } from '../errors.js';
import type { DType, FloatArray } from './dtype.js';
import { allocate, dtypeOf } from './dtype.js';

export class Tensor {
  constructor(readonly data: FloatArray, readonly rows: number, readonly cols: number) {
    if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 0 || cols < 0) {
      throw new ShapeError('Tensor', 'non-negative integer rows and columns', `${rows}×${cols}`);
    }
    if (data.length < rows * cols) {
      throw new ShapeError('Tensor', `${rows}×${cols} (${rows * cols} values)`, `${data.length} values`);
    }
  }

  static zeros(dtype: DType, rows: number, cols: number): Tensor {
    return new Tensor(allocate(dtype, rows * cols), rows, cols);
  }

  get dtype(): DType {
    return dtypeOf(this.data);
  }

  get shape(): string {
    return `${this.rows}×${this.cols}`;
  }

  get(r: number, c: number): number {
    return this.data[r * this.cols + c];
  }

  /** The first `rows * cols` values, as a view. */
  values(): FloatArray {
    return this.data.subarray(0, this.rows * this.cols);
  }

  toArray(): number[][] {
    const out: number[][] = [];
    for (let r = 0; r < this.rows; r++) out.push(Array.from(this.data.subarray(r * this.cols, (r + 1) * this.cols)));
    return out;
  }
}

/**
 * A reusable output buffer that grows to the largest batch seen, so the hot path allocates
 * only on the first call at a new maximum batch size.
 */
export class Buffer2D {
  private tensor: Tensor | null = null;

  constructor(private readonly alloc: (length: number) => FloatArray) {}

  take(rows: number, cols: number): Tensor {
    const t = this.tensor;
    if (t && t.data.length >= rows * cols) {
      return t.rows === rows && t.cols === cols ? t : (this.tensor = new Tensor(t.data, rows, cols));
    }
    return (this.tensor = new Tensor(this.alloc(rows * cols), rows, cols));
  }
}
