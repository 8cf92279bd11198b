/**
 * Binary cross-entropy on logits (PyTorch's BCEWithLogitsLoss, mean over every element), in the
 * stable form max(z, 0) − z·t + log(1 + e^(−|z|)); gradient (σ(z) − t)/cols per element.
 */
import type { Tensor } from '../tensor/tensor.js';
import { checkProbabilities, targetTensor, type Loss, type Target } from './loss.js';

export const binaryCrossEntropy: Loss = Object.freeze({
  name: 'binary-cross-entropy',
  decision: 'logit',
  checkTargets: (target: Target, what: string) => checkProbabilities('binary-cross-entropy', target, what),
  sumAndGrad(pred: Tensor, target: Target, grad: Tensor | null): number {
    const t = targetTensor('binary-cross-entropy', pred, target);
    const inv = 1 / pred.cols;
    let sum = 0;
    for (let i = 0, n = pred.rows * pred.cols; i < n; i++) {
      const z = pred.data[i];
      const ti = t.data[i];
      sum += Math.max(z, 0) - z * ti + Math.log1p(Math.exp(-Math.abs(z)));
      if (grad) grad.data[i] = (1 / (1 + Math.exp(-z)) - ti) * inv;
    }
    return sum * inv;
  },
} as const);
