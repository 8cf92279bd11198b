/** Accuracy counting: how a row of outputs is turned into a decision and compared with the target. */
import type { Dataset } from '../data/dataset.js';
import type { Decision, Target } from '../losses/loss.js';
import type { Tensor } from '../tensor/tensor.js';

function argmax(data: ArrayLike<number>, offset: number, n: number): number {
  let best = 0;
  for (let j = 1; j < n; j++) if (data[offset + j] > data[offset + best]) best = j;
  return best;
}

/** Number of rows classified correctly; single-output rows are thresholded (logit 0 or probability 0.5). */
export function countCorrect(pred: Tensor, target: Target, decision: Decision): number {
  const { rows, cols } = pred;
  let correct = 0;
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    if (target instanceof Int32Array) {
      if (argmax(pred.data, o, cols) === target[r]) correct++;
    } else if (cols === 1 || decision === 'logit') {
      const threshold = decision === 'logit' ? 0 : 0.5;
      let all = true;
      for (let j = 0; j < cols; j++) if (pred.data[o + j] > threshold !== target.data[o + j] > 0.5) all = false;
      if (all) correct++;
    } else if (argmax(pred.data, o, cols) === argmax(target.data, o, cols)) {
      correct++;
    }
  }
  return correct;
}

/** Whether accuracy means anything for this dataset and loss. */
export function isClassification(ds: Dataset): boolean {
  return ds.classes !== undefined;
}
