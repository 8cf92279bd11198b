/**
 * RMSprop: Hinton, Srivastava & Swersky, "Neural Networks for Machine Learning", lecture 6e
 * (2012); the centered form from Graves, "Generating Sequences With Recurrent Neural Networks"
 * (2013). PyTorch's `torch.optim.RMSprop` (ε is added after the square root):
 *
 *   g_t ← ∇f(θ_{t-1});  if λ ≠ 0: g_t ← g_t + λ θ_{t-1}
 *   v_t ← α v_{t-1} + (1 − α) g_t²;   ṽ_t ← v_t
 *   if centered:  gᵃᵛᵉ_t ← α gᵃᵛᵉ_{t-1} + (1 − α) g_t;   ṽ_t ← ṽ_t − (gᵃᵛᵉ_t)²
 *   if μ > 0:  b_t ← μ b_{t-1} + g_t / (√ṽ_t + ε);   θ_t ← θ_{t-1} − γ b_t
 *   else       θ_t ← θ_{t-1} − γ g_t / (√ṽ_t + ε)
 *
 * Defaults: lr 1e-2, alpha 0.99, eps 1e-8, weight_decay 0, momentum 0, centered false.
 */
import type { ParamSet } from '../nn/params.js';
import type { Allocator } from '../tensor/dtype.js';
import type { OptimizerOptions } from './groups.js';
import { Optimizer, setupOptimizer } from './optimizer.js';
import { defineRule } from './rule.js';
import { checkEps, checkFlag, checkLr, checkNonNegative } from './validate.js';

export interface RMSpropHyper {
  lr: number;
  alpha: number;
  eps: number;
  weightDecay: number;
  momentum: number;
  centered: boolean;
  /** Ascend instead of descend (PyTorch's maximize). */
  maximize: boolean;
}

export const RMSPROP_DEFAULTS: Readonly<RMSpropHyper> = Object.freeze({ lr: 1e-2, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false, maximize: false });

export const rmspropRule = defineRule<RMSpropHyper>({
  name: 'rmsprop',
  defaults: RMSPROP_DEFAULTS,
  validate(h: RMSpropHyper): void {
    checkLr(h.lr);
    checkEps(h.eps);
    checkNonNegative('momentum', h.momentum);
    checkNonNegative('weightDecay', h.weightDecay);
    checkNonNegative('alpha', h.alpha);
    checkFlag('centered', h.centered);
  },
  stateNames(h: Readonly<RMSpropHyper>): string[] {
    const names = ['squareAvg'];
    if (h.centered) names.push('gradAvg');
    if (h.momentum > 0) names.push('momentumBuffer');
    return names;
  },
  initialValue: () => 0,
  initialScalars: () => [],
  coefCount: 1,
  coefficients(_h: Readonly<RMSpropHyper>, lr: number, _step: number, _s: Float64Array, out: Float64Array): void {
    out[0] = lr;
  },
  update(p, g, s, start, end, h, c): void {
    const lr = c[0];
    const { alpha, eps, weightDecay, momentum, centered } = h;
    const sq = s.squareAvg;
    const ga = s.gradAvg;
    const buf = s.momentumBuffer;
    for (let i = start; i < end; i++) {
      let gi = g[i];
      if (weightDecay !== 0) gi = gi + weightDecay * p[i];
      sq[i] = sq[i] * alpha + (1 - alpha) * gi * gi;
      let avg: number;
      if (centered) {
        ga[i] = ga[i] * alpha + (1 - alpha) * gi;
        avg = Math.sqrt(sq[i] + -1 * ga[i] * ga[i]);
      } else {
        avg = Math.sqrt(sq[i]);
      }
      avg = avg + eps;
      if (momentum > 0) {
        buf[i] = buf[i] * momentum + gi / avg;
        p[i] = p[i] + -lr * buf[i];
      } else {
        p[i] = p[i] + (-lr * gi) / avg;
      }
    }
  },
});

/** `new RMSprop(model.parameters(), { lr: 1e-2, centered: true })`, as `torch.optim.RMSprop`. */
export class RMSprop extends Optimizer<RMSpropHyper> {
  constructor(params: ParamSet, options?: OptimizerOptions<RMSpropHyper>, allocator?: Allocator) {
    super(rmspropRule, params, setupOptimizer(rmspropRule, params, options, allocator));
  }
}
