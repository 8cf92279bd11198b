/**
 * The loss contract. A loss returns the SUM of its per-sample losses over the rows and writes
 * the gradient of that sum. The caller divides by the number of samples once: the parallel
 * runtime adds micro-shard sums first, so the mean is taken after the sum, as PyTorch's
 * reduction='mean' takes it over the whole batch.
 */
import { DataError, ShapeError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';

/** Integer class labels, one per row, or a tensor of targets of the prediction's shape. */
export type Target = Int32Array | Tensor;

/** How a row of outputs becomes a class decision, for accuracy. */
export type Decision = 'argmax' | 'logit' | 'probability';

export interface Loss {
  readonly name: string;
  readonly decision: Decision;
  /** Σ over rows of the per-sample loss; writes ∂(Σ)/∂pred into `grad` when given. */
  sumAndGrad(pred: Tensor, target: Target, grad: Tensor | null): number;
  /** Refuse targets this loss cannot mean anything on, naming the row, column and value (checked once per dataset). */
  checkTargets?(target: Target, what: string): void;
}

/** Every value of a target tensor in [0, 1] (probabilities), else a DataError naming where. */
export function checkProbabilities(loss: string, target: Target, what: string): void {
  if (target instanceof Int32Array) return;
  for (let r = 0; r < target.rows; r++) {
    for (let c = 0; c < target.cols; c++) {
      const v = target.data[r * target.cols + c];
      if (!(v >= 0 && v <= 1)) throw new DataError(`${what} row ${r}, column ${c}: ${loss} needs targets in [0, 1], got ${v}`);
    }
  }
}

/** A regression loss takes a tensor of target values: class labels are refused before training, naming the loss. */
export function checkValues(loss: string, target: Target, what: string): void {
  if (target instanceof Int32Array) {
    throw new DataError(`${what}: ${loss} needs target values (a dataset made with targets, one-hot rows for classes), got integer class labels; for labels use softmax-cross-entropy`);
  }
}

/** The target as a tensor of pred's shape (labels are rejected with the loss named). */
export function targetTensor(loss: string, pred: Tensor, target: Target): Tensor {
  if (target instanceof Int32Array) throw new ShapeError(`${loss} target`, `a ${pred.shape} tensor of values`, 'integer class labels');
  if (target.rows !== pred.rows || target.cols !== pred.cols) throw new ShapeError(`${loss} target`, pred.shape, target.shape);
  return target;
}

export function checkLabels(loss: string, pred: Tensor, labels: Int32Array): void {
  if (labels.length !== pred.rows) throw new ShapeError(`${loss} labels`, `${pred.rows} labels (one per row)`, `${labels.length}`);
  // As PyTorch's "Target N is out of bounds": a label past the outputs would read (and write the
  // gradient of) another row.
  for (let r = 0; r < labels.length; r++) {
    const l = labels[r];
    if (!(l >= 0 && l < pred.cols)) throw new DataError(`${loss} label of row ${r}: expected a class in 0..${pred.cols - 1} (one per output), got ${l}`);
  }
}
