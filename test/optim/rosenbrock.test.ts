/**
 * Every step of every Rosenbrock trajectory computed with PyTorch 1.13 in float64
 * (test/fixtures/torch-optim-rosenbrock.json) to a relative error of 1e-9.
 *
 * PyTorch 1.13's single-tensor NAdam multiplies μ_t into ∏μ twice (fixed in PyTorch 2.0,
 * pytorch/pytorch#92699), so its case runs with `legacyMuProduct: true`; the default, documented
 * formula is checked against PyTorch's multi-tensor NAdam (torch-nadam-rosenbrock.json).
 */
import test from 'ava';
import { createOptimizer } from '../../src/optim/registry.js';
import type { OptimizerName } from '../../src/optim/rule.js';
import { camelOptions, fixture, maxRelError, paramSet, rosenbrockGrad } from './helpers.js';

interface Case {
  optimizer: OptimizerName;
  hyperparameters: Record<string, unknown>;
  params_after_each_step: number[][];
}

const { cases } = fixture<{ cases: Case[] }>('torch-optim-rosenbrock.json');
const nadamCases = fixture<{ cases: Case[] }>('torch-nadam-rosenbrock.json').cases;

/** Run `c` from (1.5, 1.5) and check every step; returns the worst relative error. */
function follow(c: Case, extra: Record<string, unknown> = {}): { worst: number; failures: string[]; steps: number } {
  const params = paramSet([1.5, 1.5]);
  const opt = createOptimizer(c.optimizer, params, { ...camelOptions(c.hyperparameters), ...extra });
  let worst = 0;
  const failures: string[] = [];
  c.params_after_each_step.forEach((expected, step) => {
    rosenbrockGrad(params.values, params.grads as Float64Array);
    opt.step();
    const err = maxRelError(params.values, expected);
    if (!(err <= 1e-9)) failures.push(`step ${step + 1}: got [${[...params.values]}], PyTorch [${expected}], relative error ${err}`);
    worst = Math.max(worst, err);
  });
  return { worst, failures, steps: opt.stepCount };
}

test('the fixtures hold 13 and 2 configurations of 100 steps', (t) => {
  t.is(cases.length, 13);
  t.is(nadamCases.length, 2);
  for (const c of [...cases, ...nadamCases]) t.is(c.params_after_each_step.length, 100);
});

for (const [k, c] of cases.entries()) {
  test(`rosenbrock #${k} ${c.optimizer} ${JSON.stringify(c.hyperparameters)}`, (t) => {
    const { worst, failures, steps } = follow(c, c.optimizer === 'nadam' ? { legacyMuProduct: true } : {});
    t.deepEqual(failures, []);
    t.is(steps, 100);
    t.true(worst <= 1e-9, `worst relative error ${worst}`);
  });
}

for (const [k, c] of nadamCases.entries()) {
  test(`rosenbrock nadam (documented mu_product) #${k} ${JSON.stringify(c.hyperparameters)}`, (t) => {
    const { worst, failures } = follow(c);
    t.deepEqual(failures, []);
    t.true(worst <= 1e-9, `worst relative error ${worst}`);
  });
}

test('the 1.13 NAdam trajectory differs from the documented one', (t) => {
  const legacy = cases.find((c) => c.optimizer === 'nadam')!;
  t.true(follow(legacy).worst > 1e-6);
});
