/**
 * Adadelta: Zeiler, "ADADELTA: An Adaptive Learning Rate Method", arXiv:1212.5701 (2012).
 * PyTorch's `torch.optim.Adadelta` (with a learning rate scaling the step, default 1):
 *
 *   g_t ← ∇f(θ_{t-1});  if λ ≠ 0: g_t ← g_t + λ θ_{t-1}
 *   v_t ← ρ v_{t-1} + (1 − ρ) g_t²
 *   Δx_t ← √(u_{t-1} + ε) / √(v_t + ε) · g_t
 *   u_t ← ρ u_{t-1} + (1 − ρ) Δx_t²
 *   θ_t ← θ_{t-1} − γ Δx_t
 *
 * Defaults: lr 1.0, rho 0.9, eps 1e-6, weight_decay 0.
 */
import type { ParamSet } from '../nn/params.js';
import type { Allocator } from '../tensor/dtype.js';
import type { OptimizerOptions } from './groups.js';
import { Optimizer, setupOptimizer } from './optimizer.js';
import { defineRule } from './rule.js';
import { checkEps, checkLr, checkNonNegative, checkUnitClosed } from './validate.js';

export interface AdadeltaHyper {
  lr: number;
  rho: number;
  eps: number;
  weightDecay: number;
  /** Ascend instead of descend (PyTorch's maximize). */
  maximize: boolean;
}

export const ADADELTA_DEFAULTS: Readonly<AdadeltaHyper> = Object.freeze({ lr: 1.0, rho: 0.9, eps: 1e-6, weightDecay: 0, maximize: false });

export const adadeltaRule = defineRule<AdadeltaHyper>({
  name: 'adadelta',
  defaults: ADADELTA_DEFAULTS,
  validate(h: AdadeltaHyper): void {
    checkLr(h.lr);
    checkUnitClosed('rho', h.rho);
    checkEps(h.eps);
    checkNonNegative('weightDecay', h.weightDecay);
  },
  stateNames: () => ['squareAvg', 'accDelta'],
  initialValue: () => 0,
  initialScalars: () => [],
  coefCount: 1,
  coefficients(_h: Readonly<AdadeltaHyper>, lr: number, _step: number, _s: Float64Array, out: Float64Array): void {
    out[0] = lr;
  },
  update(p, g, s, start, end, h, c): void {
    const lr = c[0];
    const { rho, eps, weightDecay } = h;
    const sq = s.squareAvg;
    const acc = s.accDelta;
    for (let i = start; i < end; i++) {
      let gi = g[i];
      if (weightDecay !== 0) gi = gi + weightDecay * p[i];
      sq[i] = sq[i] * rho + (1 - rho) * gi * gi;
      const std = Math.sqrt(sq[i] + eps);
      const delta = (Math.sqrt(acc[i] + eps) / std) * gi;
      acc[i] = acc[i] * rho + (1 - rho) * delta * delta;
      p[i] = p[i] + -lr * delta;
    }
  },
});

/** `new Adadelta(model.parameters())`, as `torch.optim.Adadelta`. */
export class Adadelta extends Optimizer<AdadeltaHyper> {
  constructor(params: ParamSet, options?: OptimizerOptions<AdadeltaHyper>, allocator?: Allocator) {
    super(adadeltaRule, params, setupOptimizer(adadeltaRule, params, options, allocator));
  }
}
