/** Half the sum of squared errors per sample, the tutorial's E = ½·error²; its gradient is the error itself. */
import type { Tensor } from '../tensor/tensor.js';
import { checkValues, targetTensor, type Loss, type Target } from './loss.js';

export const halfSquaredError: Loss = Object.freeze({
  name: 'half-sse',
  decision: 'probability',
  checkTargets: (target: Target, what: string) => checkValues('half-sse', target, what),
  /** Per sample: ½ Σⱼ (pⱼ − tⱼ)²; gradient pⱼ − tⱼ. */
  sumAndGrad(pred: Tensor, target: Target, grad: Tensor | null): number {
    const t = targetTensor('half-sse', pred, target);
    let sum = 0;
    for (let i = 0, n = pred.rows * pred.cols; i < n; i++) {
      const d = pred.data[i] - t.data[i];
      sum += d * d;
      if (grad) grad.data[i] = d;
    }
    return 0.5 * sum;
  },
} as const);
