/**
 * Stochastic gradient descent with momentum, dampening, Nesterov momentum and L2 weight decay.
 *
 * Nesterov momentum: Sutskever, Martens, Dahl & Hinton, "On the importance of initialization and
 * momentum in deep learning", ICML 2013. The formula is PyTorch's `torch.optim.SGD`:
 *
 *   g_t ← ∇f(θ_{t-1})
 *   if λ ≠ 0:  g_t ← g_t + λ θ_{t-1}
 *   if μ ≠ 0:  b_t ← g_t                         if t = 1   (the first step takes the raw gradient)
 *              b_t ← μ b_{t-1} + (1 − τ) g_t     otherwise
 *              g_t ← g_t + μ b_t  if nesterov,  else  g_t ← b_t
 *   θ_t ← θ_{t-1} − γ g_t
 *
 * Defaults: lr 1e-3 (PyTorch ≥ 2.2; earlier versions require lr), momentum 0, dampening 0,
 * weight_decay 0, nesterov false. Nesterov requires momentum > 0 and dampening 0.
 */
import type { ParamSet } from '../nn/params.js';
import type { Allocator } from '../tensor/dtype.js';
import type { OptimizerOptions } from './groups.js';
import { Optimizer, setupOptimizer } from './optimizer.js';
import { defineRule } from './rule.js';
import { checkFiniteOption, checkFlag, checkLr, checkNonNegative } from './validate.js';

export interface SGDHyper {
  lr: number;
  momentum: number;
  dampening: number;
  weightDecay: number;
  nesterov: boolean;
  /** Ascend instead of descend (PyTorch's maximize). */
  maximize: boolean;
}

export const SGD_DEFAULTS: Readonly<SGDHyper> = Object.freeze({ lr: 1e-3, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false });

export const sgdRule = defineRule<SGDHyper>({
  name: 'sgd',
  defaults: SGD_DEFAULTS,
  validate(h: SGDHyper): void {
    checkLr(h.lr);
    checkNonNegative('momentum', h.momentum);
    checkFiniteOption('dampening', h.dampening);
    checkNonNegative('weightDecay', h.weightDecay);
    checkFlag('nesterov', h.nesterov);
    if (h.nesterov && (h.momentum <= 0 || h.dampening !== 0)) throw new RangeError('Nesterov momentum requires a momentum and zero dampening');
  },
  stateNames: (h: Readonly<SGDHyper>) => (h.momentum !== 0 ? ['momentumBuffer'] : []),
  initialValue: () => 0,
  initialScalars: () => [],
  coefCount: 2,
  coefficients(h: Readonly<SGDHyper>, lr: number, step: number, _s: Float64Array, out: Float64Array): void {
    out[0] = lr;
    out[1] = step === 1 ? 1 : 0;
  },
  update(p, g, s, start, end, h, c): void {
    const lr = c[0];
    const first = c[1] === 1;
    const { momentum, dampening, weightDecay, nesterov } = h;
    const buf = s.momentumBuffer;
    for (let i = start; i < end; i++) {
      let d = g[i];
      if (weightDecay !== 0) d = d + weightDecay * p[i];
      if (momentum !== 0) {
        const b = first ? d : buf[i] * momentum + (1 - dampening) * d;
        buf[i] = b;
        d = nesterov ? d + momentum * buf[i] : buf[i];
      }
      p[i] = p[i] + -lr * d;
    }
  },
});

/** `new SGD(model.parameters(), { lr: 0.05, momentum: 0.9 })`, as `torch.optim.SGD`. */
export class SGD extends Optimizer<SGDHyper> {
  constructor(params: ParamSet, options?: OptimizerOptions<SGDHyper>, allocator?: Allocator) {
    super(sgdRule, params, setupOptimizer(sgdRule, params, options, allocator));
  }
}
