/**
 * Adam's first two steps worked out by hand (tfjs `adam_optimizer_test.ts` style), for one
 * parameter θ₀ = 1 with lr 0.1 and PyTorch's defaults β1 0.9, β2 0.999, ε 1e-8.
 *
 * Step 1, g₁ = 0.5:
 *   m₁ = 0.9·0 + 0.1·0.5            = 0.05
 *   v₁ = 0.999·0 + 0.001·0.25       = 0.00025
 *   step size = 0.1 / (1 − 0.9)     = 1
 *   denom = √0.00025 / √0.001 + ε   = 0.5 + 1e-8
 *   θ₁ = 1 − 1·0.05 / 0.50000001    = 0.900000001999999960…
 *
 * Step 2, g₂ = −0.25:
 *   m₂ = 0.9·0.05 + 0.1·(−0.25)     = 0.02
 *   v₂ = 0.999·0.00025 + 0.001·0.0625 = 0.00031225
 *   step size = 0.1 / (1 − 0.81)    = 0.526315789473684210…
 *   denom = √0.00031225 / √0.001999 + ε = 0.395225390701664183…
 *   θ₂ = θ₁ − 0.5263157894736842·0.02 / 0.3952253907016642 = 0.873366298707846162…
 *
 * These are exact decimal values; float64 rounds 1 − β (1 − 0.999 = 0.0010000000000000009) and
 * loses digits in 1 − β2² = 1 − 0.998001, so they are asserted to a relative 1e-13.
 */
import test from 'ava';
import { Adam } from '../../src/optim/adam.js';
import { paramSet } from './helpers.js';

function near(t: { true(c: boolean, m?: string): void }, actual: number, expected: number): void {
  t.true(Math.abs(actual - expected) <= 1e-13 * Math.abs(expected), `${actual} vs ${expected}`);
}

test('Adam, step 1 and step 2 by hand', (t) => {
  const params = paramSet([1]);
  const opt = new Adam(params, { lr: 0.1 });
  params.grads[0] = 0.5;
  opt.step();
  near(t, opt.state.expAvg[0], 0.05);
  near(t, opt.state.expAvgSq[0], 0.00025);
  near(t, params.values[0], 0.90000000199999996);
  params.grads[0] = -0.25;
  opt.step();
  near(t, opt.state.expAvg[0], 0.02);
  near(t, opt.state.expAvgSq[0], 0.00031225);
  near(t, params.values[0], 0.87336629870784616);
  t.is(opt.stepCount, 2);
});

test('Adam plan: step size and √(bias correction 2) of step 2', (t) => {
  const opt = new Adam(paramSet([1]), { lr: 0.1 });
  opt.beginStep();
  const plan = opt.beginStep();
  near(t, plan[0], 0.52631578947368421);
  near(t, plan[1], Math.sqrt(0.001999));
});
