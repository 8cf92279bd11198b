/**
 * AdamW: Loshchilov & Hutter, "Decoupled Weight Decay Regularization", ICLR 2019. PyTorch's
 * `torch.optim.AdamW`: the decay is applied to the parameters, not added to the gradient,
 * before the Adam step:
 *
 *   θ_{t-1} ← θ_{t-1} − γ λ θ_{t-1}        (PyTorch: param.mul_(1 − lr·weight_decay))
 *   then Adam without L2 (adam.ts), including amsgrad.
 *
 * Defaults: lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight_decay 1e-2, amsgrad false.
 */
import type { ParamSet } from '../nn/params.js';
import type { Allocator } from '../tensor/dtype.js';
import { adamCoefficients, adamRange, adamRule, type AdamHyper } from './adam.js';
import type { OptimizerOptions } from './groups.js';
import { Optimizer, setupOptimizer } from './optimizer.js';
import { defineRule } from './rule.js';

export type AdamWHyper = AdamHyper;

export const ADAMW_DEFAULTS: Readonly<AdamWHyper> = Object.freeze({ ...adamRule.defaults, weightDecay: 1e-2 });

export const adamwRule = defineRule<AdamWHyper>({
  ...adamRule,
  name: 'adamw',
  defaults: ADAMW_DEFAULTS,
  coefCount: 3,
  coefficients(h: Readonly<AdamWHyper>, lr: number, step: number, _s: Float64Array, out: Float64Array): void {
    adamCoefficients(h, lr, step, out);
    out[2] = 1 - lr * h.weightDecay;
  },
  update(p, g, s, start, end, h, c): void {
    const keep = c[2];
    for (let i = start; i < end; i++) p[i] = p[i] * keep;
    adamRange(p, g, s, start, end, h, 0, c[0], c[1]);
  },
});

/** `new AdamW(model.parameters(), { lr: 1e-3, weightDecay: 0.01 })`, as `torch.optim.AdamW`. */
export class AdamW extends Optimizer<AdamWHyper> {
  constructor(params: ParamSet, options?: OptimizerOptions<AdamWHyper>, allocator?: Allocator) {
    super(adamwRule, params, setupOptimizer(adamwRule, params, options, allocator));
  }
}
