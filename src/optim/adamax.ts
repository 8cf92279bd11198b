/**
 * Adamax: Kingma & Ba, "Adam: A Method for Stochastic Optimization", ICLR 2015, section 7.1
 * (Adam with the infinity norm). PyTorch's `torch.optim.Adamax`:
 *
 *   g_t ← ∇f(θ_{t-1});  if λ ≠ 0: g_t ← g_t + λ θ_{t-1}
 *   m_t ← β1 m_{t-1} + (1 − β1) g_t
 *   u_t ← max(β2 u_{t-1}, |g_t| + ε)
 *   θ_t ← θ_{t-1} − γ m_t / ((1 − β1^t) u_t)
 *
 * Defaults: lr 2e-3, betas (0.9, 0.999), eps 1e-8, weight_decay 0.
 */
import type { ParamSet } from '../nn/params.js';
import type { Allocator } from '../tensor/dtype.js';
import { validateAdamLike } from './adam.js';
import type { OptimizerOptions } from './groups.js';
import { Optimizer, setupOptimizer } from './optimizer.js';
import { defineRule } from './rule.js';

export interface AdamaxHyper {
  lr: number;
  betas: [number, number];
  eps: number;
  weightDecay: number;
  /** Ascend instead of descend (PyTorch's maximize). */
  maximize: boolean;
}

export const ADAMAX_DEFAULTS: Readonly<AdamaxHyper> = Object.freeze({
  lr: 2e-3, betas: Object.freeze([0.9, 0.999]) as unknown as [number, number], eps: 1e-8, weightDecay: 0, maximize: false,
});

export const adamaxRule = defineRule<AdamaxHyper>({
  name: 'adamax',
  defaults: ADAMAX_DEFAULTS,
  validate: validateAdamLike,
  stateNames: () => ['expAvg', 'expInf'],
  initialValue: () => 0,
  initialScalars: () => [],
  coefCount: 1,
  coefficients(h: Readonly<AdamaxHyper>, lr: number, step: number, _s: Float64Array, out: Float64Array): void {
    out[0] = lr / (1 - h.betas[0] ** step);
  },
  update(p, g, s, start, end, h, c): void {
    const clr = c[0];
    const [beta1, beta2] = h.betas;
    const { eps, weightDecay } = h;
    const m = s.expAvg;
    const u = s.expInf;
    for (let i = start; i < end; i++) {
      let gi = g[i];
      if (weightDecay !== 0) gi = gi + weightDecay * p[i];
      m[i] = m[i] * beta1 + (1 - beta1) * gi;
      u[i] = Math.max(u[i] * beta2, Math.abs(gi) + eps);
      p[i] = p[i] + (-clr * m[i]) / u[i];
    }
  },
});

/** `new Adamax(model.parameters())`, as `torch.optim.Adamax`. */
export class Adamax extends Optimizer<AdamaxHyper> {
  constructor(params: ParamSet, options?: OptimizerOptions<AdamaxHyper>, allocator?: Allocator) {
    super(adamaxRule, params, setupOptimizer(adamaxRule, params, options, allocator));
  }
}
