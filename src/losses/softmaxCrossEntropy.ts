/**
 * Softmax cross-entropy on logits (PyTorch's CrossEntropyLoss). Targets are integer labels or
 * one-hot / probability rows. log-softmax is computed with the max subtracted (log-sum-exp),
 * so large logits never overflow. Per sample: −Σⱼ tⱼ·log softmax(z)ⱼ; gradient softmax(z)·Σt − t.
 */
import type { Tensor } from '../tensor/tensor.js';
import { checkLabels, checkProbabilities, targetTensor, type Loss, type Target } from './loss.js';

export const softmaxCrossEntropy: Loss = Object.freeze({
  name: 'softmax-cross-entropy',
  decision: 'argmax',
  /** Soft targets are class probabilities, as PyTorch's CrossEntropyLoss expects. */
  checkTargets: (target: Target, what: string) => checkProbabilities('softmax-cross-entropy', target, what),
  sumAndGrad(pred: Tensor, target: Target, grad: Tensor | null): number {
    const { rows, cols } = pred;
    const labels = target instanceof Int32Array ? target : null;
    if (labels) checkLabels('softmax-cross-entropy', pred, labels);
    const t = labels ? null : targetTensor('softmax-cross-entropy', pred, target);
    let sum = 0;
    for (let r = 0; r < rows; r++) {
      const o = r * cols;
      let max = -Infinity;
      for (let j = 0; j < cols; j++) max = Math.max(max, pred.data[o + j]);
      let z = 0;
      for (let j = 0; j < cols; j++) z += Math.exp(pred.data[o + j] - max);
      const logZ = max + Math.log(z);
      if (labels) {
        sum += logZ - pred.data[o + labels[r]];
        if (grad) {
          for (let j = 0; j < cols; j++) grad.data[o + j] = Math.exp(pred.data[o + j] - logZ);
          grad.data[o + labels[r]] -= 1;
        }
      } else {
        let tSum = 0;
        for (let j = 0; j < cols; j++) {
          const tj = t!.data[o + j];
          tSum += tj;
          sum -= tj * (pred.data[o + j] - logZ);
        }
        if (grad) for (let j = 0; j < cols; j++) grad.data[o + j] = Math.exp(pred.data[o + j] - logZ) * tSum - t!.data[o + j];
      }
    }
    return sum;
  },
} as const);
