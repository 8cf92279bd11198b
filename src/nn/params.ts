/**
 * A model's parameters: one contiguous array of values and one of gradients with the same
 * layout, plus a table saying which range belongs to which layer. Optimizers update flat
 * ranges of these arrays; the parallel runtime puts them in shared memory and splits by range.
 */
import type { DType, FloatArray } from '../tensor/dtype.js';

/** What a parameter range is, for parameter groups ("no weight decay on biases and norms"). */
export type ParamRole = 'weight' | 'bias' | 'norm';

export interface ParamEntry {
  /** e.g. `0.dense.W`; stable across save and load. */
  readonly name: string;
  /** Index of the top-level layer that owns it. */
  readonly layer: number;
  readonly role: ParamRole;
  readonly offset: number;
  readonly size: number;
  /** Shape as [rows, cols] (W is [in][out]) or [n]. */
  readonly shape: readonly number[];
}

export interface ParamSet {
  readonly dtype: DType;
  readonly values: FloatArray;
  readonly grads: FloatArray;
  readonly entries: readonly ParamEntry[];
}
