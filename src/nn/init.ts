/**
 * Weight initializers, all drawn from the model's seeded stream.
 * Bounds follow torch.nn.init: xavier_uniform_ (gain 1), kaiming_uniform_/kaiming_normal_
 * (nonlinearity 'relu', fan_in mode), and nn.Linear's own default U(-1/√fan_in, 1/√fan_in).
 */
import { checkOneOf } from '../errors.js';
import type { Rng } from '../rng.js';
import type { FloatArray } from '../tensor/dtype.js';

export const INITIALIZERS = Object.freeze(['xavier-uniform', 'he-uniform', 'he-normal', 'uniform', 'zeros'] as const);
export type Initializer = (typeof INITIALIZERS)[number];

export function checkInitializer(name: string, value: unknown): Initializer {
  return checkOneOf(name, value, INITIALIZERS);
}

export function initialize(kind: Initializer, w: FloatArray, fanIn: number, fanOut: number, rng: Rng): void {
  switch (kind) {
    case 'zeros':
      w.fill(0);
      return;
    case 'xavier-uniform':
      return fillUniform(w, Math.sqrt(6 / (fanIn + fanOut)), rng);
    case 'he-uniform':
      return fillUniform(w, Math.sqrt(6 / fanIn), rng);
    case 'uniform':
      return fillUniform(w, 1 / Math.sqrt(fanIn), rng);
    case 'he-normal': {
      const std = Math.sqrt(2 / fanIn);
      for (let i = 0; i < w.length; i++) w[i] = std * rng.normal();
      return;
    }
  }
}

function fillUniform(w: FloatArray, bound: number, rng: Rng): void {
  for (let i = 0; i < w.length; i++) w[i] = (2 * rng.uniform() - 1) * bound;
}
