/**
 * NAdam: Dozat, "Incorporating Nesterov Momentum into Adam", ICLR 2016 workshop. PyTorch's
 * `torch.optim.NAdam`, with its momentum schedule and running product μ_product:
 *
 *   g_t ← ∇f(θ_{t-1});  if λ ≠ 0: g_t ← g_t + λ θ_{t-1}
 *   μ_t ← β1 (1 − ½ · 0.96^(t ψ)),   μ_{t+1} ← β1 (1 − ½ · 0.96^((t+1) ψ))     (ψ: momentum_decay)
 *   m_t ← β1 m_{t-1} + (1 − β1) g_t
 *   v_t ← β2 v_{t-1} + (1 − β2) g_t²
 *   m̂_t ← μ_{t+1} m_t / (1 − ∏_{i≤t+1} μ_i) + (1 − μ_t) g_t / (1 − ∏_{i≤t} μ_i)
 *   θ_t ← θ_{t-1} − γ m̂_t / (√(v_t / (1 − β2^t)) + ε)
 *
 * ∏ μ_i is carried from step to step (a per-group scalar, saved in the state dict).
 * Defaults: lr 2e-3, betas (0.9, 0.999), eps 1e-8, weight_decay 0, momentum_decay 4e-3.
 *
 * `legacyMuProduct: true` reproduces PyTorch < 2.0's single-tensor NAdam, which computed
 * ∏_{i≤t+1} μ_i as (∏_{i≤t} μ_i)·μ_t·μ_{t+1}, multiplying μ_t in twice; PyTorch 2.0 fixed it
 * (pytorch/pytorch#92699), and 1.13's own multi-tensor path never had it. The default is the
 * documented formula. Not a PyTorch option: it exists to check against PyTorch 1.13 trajectories.
 */
import type { ParamSet } from '../nn/params.js';
import type { Allocator } from '../tensor/dtype.js';
import { validateAdamLike } from './adam.js';
import type { OptimizerOptions } from './groups.js';
import { Optimizer, setupOptimizer } from './optimizer.js';
import { defineRule } from './rule.js';
import { checkFlag, checkNonNegative } from './validate.js';

export interface NAdamHyper {
  lr: number;
  betas: [number, number];
  eps: number;
  weightDecay: number;
  momentumDecay: number;
  legacyMuProduct: boolean;
  /** Ascend instead of descend (PyTorch's maximize). */
  maximize: boolean;
}

export const NADAM_DEFAULTS: Readonly<NAdamHyper> = Object.freeze({
  lr: 2e-3, betas: Object.freeze([0.9, 0.999]) as unknown as [number, number], eps: 1e-8, weightDecay: 0, momentumDecay: 4e-3, legacyMuProduct: false, maximize: false,
});

export const nadamRule = defineRule<NAdamHyper>({
  name: 'nadam',
  defaults: NADAM_DEFAULTS,
  validate(h: NAdamHyper): void {
    validateAdamLike(h);
    checkNonNegative('momentumDecay', h.momentumDecay);
    checkFlag('legacyMuProduct', h.legacyMuProduct);
  },
  stateNames: () => ['expAvg', 'expAvgSq'],
  initialValue: () => 0,
  initialScalars: () => [1],
  coefCount: 3,
  coefficients(h: Readonly<NAdamHyper>, lr: number, step: number, scalars: Float64Array, out: Float64Array): void {
    const [beta1, beta2] = h.betas;
    const mu = beta1 * (1 - 0.5 * 0.96 ** (step * h.momentumDecay));
    const muNext = beta1 * (1 - 0.5 * 0.96 ** ((step + 1) * h.momentumDecay));
    scalars[0] = scalars[0] * mu;
    const muProduct = scalars[0];
    const muProductNext = h.legacyMuProduct ? muProduct * mu * muNext : muProduct * muNext;
    out[0] = 1 - beta2 ** step;
    out[1] = (-lr * (1 - mu)) / (1 - muProduct);
    out[2] = (-lr * muNext) / (1 - muProductNext);
  },
  update(p, g, s, start, end, h, c): void {
    const [bc2, cGrad, cAvg] = [c[0], c[1], c[2]];
    const [beta1, beta2] = h.betas;
    const { eps, weightDecay } = h;
    const m = s.expAvg;
    const v = s.expAvgSq;
    for (let i = start; i < end; i++) {
      let gi = g[i];
      if (weightDecay !== 0) gi = gi + weightDecay * p[i];
      m[i] = m[i] * beta1 + (1 - beta1) * gi;
      v[i] = v[i] * beta2 + (1 - beta2) * gi * gi;
      const denom = Math.sqrt(v[i] / bc2) + eps;
      p[i] = p[i] + (cGrad * gi) / denom;
      p[i] = p[i] + (cAvg * m[i]) / denom;
    }
  },
});

/** `new NAdam(model.parameters())`, as `torch.optim.NAdam`. */
export class NAdam extends Optimizer<NAdamHyper> {
  constructor(params: ParamSet, options?: OptimizerOptions<NAdamHyper>, allocator?: Allocator) {
    super(nadamRule, params, setupOptimizer(nadamRule, params, options, allocator));
  }
}
