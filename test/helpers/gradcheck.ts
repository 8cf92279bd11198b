/**
 * Central-difference gradient checking in float64 (eps 1e-6, atol 1e-5, rtol 1e-3): the
 * analytic gradient of L = Σ (output ⊙ R) for a fixed random R, against (L(θ+ε) − L(θ−ε))/2ε
 * for every input value and every parameter.
 */
import type { ForwardContext } from '../../src/nn/layer.js';
import type { Model } from '../../src/nn/model.js';
import { Rng } from '../../src/rng.js';
import { Tensor } from '../../src/tensor/tensor.js';

export const EPS = 1e-6;
export const ATOL = 1e-5;
export const RTOL = 1e-3;

export interface Mismatch {
  what: string;
  index: number;
  analytic: number;
  numeric: number;
}

function close(a: number, n: number): boolean {
  return Math.abs(a - n) <= ATOL + RTOL * Math.abs(n);
}

/** Checks dL/dx and dL/dθ of `model` at `x`; returns every mismatch (empty when all agree). */
export function gradcheckModel(model: Model, x: Tensor, ctx: ForwardContext, seed = 1): Mismatch[] {
  if (model.dtype !== 'float64') throw new Error('gradcheck needs a float64 model');
  const rng = new Rng(seed);
  const out0 = model.forward(x, ctx);
  const r = Tensor.zeros('float64', out0.rows, out0.cols);
  for (let i = 0; i < r.data.length; i++) r.data[i] = rng.uniform() * 2 - 1;
  const lossAt = (): number => {
    const y = model.forward(x, ctx);
    let s = 0;
    for (let i = 0; i < r.data.length; i++) s += y.data[i] * r.data[i];
    return s;
  };
  lossAt();
  model.zeroGrad();
  const dx = Float64Array.from(model.backward(r, true).values());
  const dtheta = Float64Array.from(model.grads);
  const bad: Mismatch[] = [];
  const probe = (what: string, values: Float64Array | Float32Array, analytic: Float64Array) => {
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      values[i] = v + EPS;
      const plus = lossAt();
      values[i] = v - EPS;
      const minus = lossAt();
      values[i] = v;
      const numeric = (plus - minus) / (2 * EPS);
      if (!close(analytic[i], numeric)) bad.push({ what, index: i, analytic: analytic[i], numeric });
    }
  };
  probe('input', x.data, dx);
  probe('parameters', model.params, dtheta);
  return bad;
}

/** Random float64 inputs in [lo, hi), kept at least `margin` away from 0 (ReLU's kink) when asked. */
export function randomInput(rows: number, cols: number, seed: number, lo = -1, hi = 1, margin = 0): Tensor {
  const rng = new Rng(seed);
  const t = Tensor.zeros('float64', rows, cols);
  for (let i = 0; i < t.data.length; i++) {
    let v = lo + (hi - lo) * rng.uniform();
    if (Math.abs(v) < margin) v = v < 0 ? v - margin : v + margin;
    t.data[i] = v;
  }
  return t;
}
