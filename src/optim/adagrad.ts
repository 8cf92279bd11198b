/**
 * Adagrad: Duchi, Hazan & Singer, "Adaptive Subgradient Methods for Online Learning and
 * Stochastic Optimization", JMLR 2011. PyTorch's `torch.optim.Adagrad`:
 *
 *   state_sum_0 ← τ (initial_accumulator_value)
 *   g_t ← ∇f(θ_{t-1});   γ̃ ← γ / (1 + (t − 1) η)   (η: lr_decay)
 *   if λ ≠ 0: g_t ← g_t + λ θ_{t-1}
 *   state_sum_t ← state_sum_{t-1} + g_t²
 *   θ_t ← θ_{t-1} − γ̃ g_t / (√state_sum_t + ε)
 *
 * Defaults: lr 1e-2, lr_decay 0, weight_decay 0, initial_accumulator_value 0, eps 1e-10.
 */
import type { ParamSet } from '../nn/params.js';
import type { Allocator } from '../tensor/dtype.js';
import type { OptimizerOptions } from './groups.js';
import { Optimizer, setupOptimizer } from './optimizer.js';
import { defineRule } from './rule.js';
import { checkEps, checkLr, checkNonNegative } from './validate.js';

export interface AdagradHyper {
  lr: number;
  lrDecay: number;
  weightDecay: number;
  initialAccumulatorValue: number;
  eps: number;
  /** Ascend instead of descend (PyTorch's maximize). */
  maximize: boolean;
}

export const ADAGRAD_DEFAULTS: Readonly<AdagradHyper> = Object.freeze({ lr: 1e-2, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10, maximize: false });

export const adagradRule = defineRule<AdagradHyper>({
  name: 'adagrad',
  defaults: ADAGRAD_DEFAULTS,
  validate(h: AdagradHyper): void {
    checkLr(h.lr);
    checkNonNegative('lrDecay', h.lrDecay);
    checkNonNegative('weightDecay', h.weightDecay);
    checkNonNegative('initialAccumulatorValue', h.initialAccumulatorValue);
    checkEps(h.eps);
  },
  stateNames: () => ['sum'],
  initialValue: (_state: string, h: Readonly<AdagradHyper>) => h.initialAccumulatorValue,
  initialScalars: () => [],
  coefCount: 1,
  coefficients(h: Readonly<AdagradHyper>, lr: number, step: number, _s: Float64Array, out: Float64Array): void {
    out[0] = lr / (1 + (step - 1) * h.lrDecay);
  },
  update(p, g, s, start, end, h, c): void {
    const clr = c[0];
    const { weightDecay, eps } = h;
    const sum = s.sum;
    for (let i = start; i < end; i++) {
      let gi = g[i];
      if (weightDecay !== 0) gi = gi + weightDecay * p[i];
      sum[i] = sum[i] + gi * gi;
      const std = Math.sqrt(sum[i]) + eps;
      p[i] = p[i] + (-clr * gi) / std;
    }
  },
});

/** `new Adagrad(model.parameters(), { lr: 0.1 })`, as `torch.optim.Adagrad`. */
export class Adagrad extends Optimizer<AdagradHyper> {
  constructor(params: ParamSet, options?: OptimizerOptions<AdagradHyper>, allocator?: Allocator) {
    super(adagradRule, params, setupOptimizer(adagradRule, params, options, allocator));
  }
}
