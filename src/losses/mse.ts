/** Mean squared error: PyTorch's MSELoss(reduction='mean'), the mean over every element. */
import type { Tensor } from '../tensor/tensor.js';
import { checkValues, targetTensor, type Loss, type Target } from './loss.js';

export const mse: Loss = Object.freeze({
  name: 'mse',
  decision: 'probability',
  checkTargets: (target: Target, what: string) => checkValues('mse', target, what),
  /** Per sample: Σⱼ (pⱼ − tⱼ)² / cols; gradient 2(pⱼ − tⱼ)/cols. */
  sumAndGrad(pred: Tensor, target: Target, grad: Tensor | null): number {
    const t = targetTensor('mse', pred, target);
    const n = pred.rows * pred.cols;
    const inv = 1 / pred.cols;
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const d = pred.data[i] - t.data[i];
      sum += d * d;
      if (grad) grad.data[i] = 2 * d * inv;
    }
    return sum * inv;
  },
} as const);
