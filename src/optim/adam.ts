/**
 * Adam: Kingma & Ba, "Adam: A Method for Stochastic Optimization", ICLR 2015; AMSGrad: Reddi,
 * Kale & Kumar, "On the Convergence of Adam and Beyond", ICLR 2018. PyTorch's `torch.optim.Adam`
 * (weight decay is coupled L2, added to the gradient):
 *
 *   g_t ← ∇f(θ_{t-1});  if λ ≠ 0: g_t ← g_t + λ θ_{t-1}
 *   m_t ← β1 m_{t-1} + (1 − β1) g_t
 *   v_t ← β2 v_{t-1} + (1 − β2) g_t²
 *   if amsgrad: v̂max_t ← max(v̂max_{t-1}, v_t), and v_t is replaced by it below
 *   θ_t ← θ_{t-1} − (γ / (1 − β1^t)) · m_t / (√v_t / √(1 − β2^t) + ε)
 *
 * The last line is PyTorch's implementation (step_size = lr / bias_correction1, denom =
 * sqrt(v) / sqrt(bias_correction2) + eps), which places ε differently from the paper's box.
 * Defaults: lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight_decay 0, amsgrad false.
 */
import type { ParamSet } from '../nn/params.js';
import type { Allocator, FloatArray } from '../tensor/dtype.js';
import type { OptimizerOptions } from './groups.js';
import { Optimizer, setupOptimizer } from './optimizer.js';
import { defineRule, type StateArrays } from './rule.js';
import { checkBetas, checkEps, checkFlag, checkLr, checkNonNegative } from './validate.js';

export interface AdamHyper {
  lr: number;
  betas: [number, number];
  eps: number;
  weightDecay: number;
  amsgrad: boolean;
  /** Ascend instead of descend (PyTorch's maximize). */
  maximize: boolean;
}

export const ADAM_DEFAULTS: Readonly<AdamHyper> = Object.freeze({
  lr: 1e-3, betas: Object.freeze([0.9, 0.999]) as unknown as [number, number], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false,
});

/** Checks shared by Adam, AdamW, Adamax and NAdam, in PyTorch's order. */
export function validateAdamLike(h: { lr: number; betas: [number, number]; eps: number; weightDecay: number }): void {
  checkLr(h.lr);
  checkEps(h.eps);
  checkBetas(h.betas);
  checkNonNegative('weightDecay', h.weightDecay);
}

/** Step-size and √(bias correction 2) of step t. */
export function adamCoefficients(h: Readonly<AdamHyper>, lr: number, step: number, out: Float64Array): void {
  const [beta1, beta2] = h.betas;
  out[0] = lr / (1 - beta1 ** step);
  out[1] = Math.sqrt(1 - beta2 ** step);
}

/** The Adam update of [start, end) with coupled decay `l2` (0 for AdamW, which decays beforehand). */
export function adamRange(p: FloatArray, g: FloatArray, s: StateArrays, start: number, end: number, h: Readonly<AdamHyper>, l2: number, stepSize: number, bc2Sqrt: number): void {
  const [beta1, beta2] = h.betas;
  const { eps, amsgrad } = h;
  const m = s.expAvg;
  const v = s.expAvgSq;
  const vMax = s.maxExpAvgSq;
  for (let i = start; i < end; i++) {
    let gi = g[i];
    if (l2 !== 0) gi = gi + l2 * p[i];
    m[i] = m[i] * beta1 + (1 - beta1) * gi;
    v[i] = v[i] * beta2 + (1 - beta2) * gi * gi;
    let vi = v[i];
    if (amsgrad) {
      vMax[i] = Math.max(vMax[i], vi);
      vi = vMax[i];
    }
    const denom = Math.sqrt(vi) / bc2Sqrt + eps;
    p[i] = p[i] + (-stepSize * m[i]) / denom;
  }
}

export const adamRule = defineRule<AdamHyper>({
  name: 'adam',
  defaults: ADAM_DEFAULTS,
  validate(h: AdamHyper): void {
    validateAdamLike(h);
    checkFlag('amsgrad', h.amsgrad);
  },
  stateNames: (h: Readonly<AdamHyper>) => (h.amsgrad ? ['expAvg', 'expAvgSq', 'maxExpAvgSq'] : ['expAvg', 'expAvgSq']),
  initialValue: () => 0,
  initialScalars: () => [],
  coefCount: 2,
  coefficients(h: Readonly<AdamHyper>, lr: number, step: number, _s: Float64Array, out: Float64Array): void {
    adamCoefficients(h, lr, step, out);
  },
  update(p, g, s, start, end, h, c): void {
    adamRange(p, g, s, start, end, h, h.weightDecay, c[0], c[1]);
  },
});

/** `new Adam(model.parameters(), { lr: 1e-3 })`, as `torch.optim.Adam`. */
export class Adam extends Optimizer<AdamHyper> {
  constructor(params: ParamSet, options?: OptimizerOptions<AdamHyper>, allocator?: Allocator) {
    super(adamRule, params, setupOptimizer(adamRule, params, options, allocator));
  }
}
