/**
 * What happens between the averaged gradients and new parameters: a finiteness check (a NaN
 * gradient is never applied; the error names the step and the parameter), optional clipping,
 * then the optimizer's step.
 */
import type { Model } from '../nn/model.js';

/** The optimizer as the trainer sees it: anything that updates the model's ParamSet in place. */
export interface OptimizerLike {
  step(): void;
  stateDict?(): unknown;
  loadStateDict?(state: unknown): void;
}

/** Gradient clipping applied to the model's averaged gradients before the update. */
export type Clipper = (grads: Model['grads']) => void;

export interface UpdatePlan {
  readonly optimizer: OptimizerLike;
  readonly clip: Clipper | null;
}

export class NonFiniteGradientError extends RangeError {
  constructor(readonly step: number, readonly parameter: string, readonly value: number) {
    super(`step ${step}: gradient of ${parameter} is ${value}; the update was not applied`);
    this.name = 'NonFiniteGradientError';
  }
}

/** Throws NonFiniteGradientError naming the first parameter tensor with a NaN or ±Infinity gradient. */
export function checkGradients(model: Model, step: number): void {
  const g = model.grads;
  let s = 0;
  for (let i = 0; i < g.length; i++) s += g[i] * 0;
  if (s === 0) return; // x·0 is 0 for every finite x, NaN otherwise: one cheap pass
  for (const e of model.entries) {
    for (let i = e.offset; i < e.offset + e.size; i++) {
      if (!Number.isFinite(g[i])) throw new NonFiniteGradientError(step, e.name, g[i]);
    }
  }
}

export function applyUpdate(plan: UpdatePlan, model: Model, step: number): void {
  checkGradients(model, step);
  plan.clip?.(model.grads);
  plan.optimizer.step();
}
