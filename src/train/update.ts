/** A gradient that is NaN or infinite is never applied: the error names the step and the parameter. */
import type { Model } from '../nn/model.js';

export class NonFiniteGradientError extends RangeError {
  constructor(readonly step: number, readonly parameter: string, readonly value: number) {
    super(`step ${step}: gradient of ${parameter} is ${value}; the update was not applied`);
    this.name = 'NonFiniteGradientError';
  }
}

/** NonFiniteGradientError for the first parameter tensor of `model` whose gradient is not finite. */
export function nonFiniteError(model: Model, step: number): NonFiniteGradientError {
  const g = model.grads;
  for (const e of model.entries) {
    for (let i = e.offset; i < e.offset + e.size; i++) {
      if (!Number.isFinite(g[i])) return new NonFiniteGradientError(step, e.name, g[i]);
    }
  }
  return new NonFiniteGradientError(step, 'the whole model (the global norm overflowed)', Infinity);
}

/** Throw nonFiniteError(model, step). */
export function throwNonFinite(model: Model, step: number): never {
  throw nonFiniteError(model, step);
}
