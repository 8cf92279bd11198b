/** Properties every optimizer shares: zero gradients, range splits, worker rebuilds from the spec. */
import test from 'ava';
import { createOptimizer, optimizerFromSpec } from '../../src/optim/registry.js';
import type { OptimizerName } from '../../src/optim/rule.js';
import { CONFIGS, mixedParams, testGrad } from './helpers.js';

const NAMES: OptimizerName[] = ['sgd', 'adam', 'adamw', 'rmsprop', 'adagrad', 'adadelta', 'adamax', 'nadam'];
const EXTRA: Record<string, Record<string, unknown>> = {
  sgd: { momentum: 0.9, nesterov: true },
  adam: { amsgrad: true },
  adamw: { weightDecay: 0 },
  rmsprop: { centered: true, momentum: 0.9 },
};

for (const name of NAMES) {
  test(`${name}: a zero gradient leaves the parameters unchanged (no weight decay)`, (t) => {
    const params = mixedParams();
    const before = params.values.slice();
    const opt = createOptimizer(name, params, EXTRA[name] ?? {});
    for (let k = 0; k < 3; k++) opt.step();
    t.deepEqual(params.values, before);
  });
}

test('with weight decay a zero gradient does move the parameters (adamw default 0.01)', (t) => {
  const params = mixedParams();
  const before = params.values.slice();
  createOptimizer('adamw', params, { lr: 0.1 }).step();
  params.values.forEach((v, i) => t.is(v, before[i] * (1 - 0.1 * 0.01)));
});

for (const [name, options] of CONFIGS) {
  test(`${name} ${JSON.stringify(options)}: updating 3 disjoint ranges equals one whole update, bit for bit`, (t) => {
    const groups: Record<string, unknown> = { ...options, noDecayOn: ['bias', 'norm'], groups: [{ layers: [2], lr: 0.003 }] };
    const whole = mixedParams();
    const split = mixedParams();
    const a = createOptimizer(name as OptimizerName, whole, groups);
    const b = createOptimizer(name as OptimizerName, split, groups);
    const ranges: Array<[number, number]> = [[15, 23], [0, 7], [7, 15]];
    for (let k = 0; k < 6; k++) {
      testGrad(whole.values, whole.grads as Float64Array);
      testGrad(split.values, split.grads as Float64Array);
      a.step();
      const plan = b.beginStep();
      for (const [s, e] of ranges) b.updateRange(s, e, plan);
      t.deepEqual(split.values, whole.values);
      for (const key of Object.keys(a.state)) t.deepEqual(b.state[key], a.state[key]);
    }
  });

  test(`${name} ${JSON.stringify(options)}: a worker rebuilt from toSpec() over the same arrays updates its range identically`, (t) => {
    const serial = mixedParams();
    const shared = mixedParams();
    const a = createOptimizer(name as OptimizerName, serial, options);
    const coordinator = createOptimizer(name as OptimizerName, shared, options);
    const spec = JSON.parse(JSON.stringify(coordinator.toSpec()));
    const workers = [0, 1].map(() => optimizerFromSpec(spec, { ...shared }, { ...coordinator.state }));
    for (let k = 0; k < 6; k++) {
      testGrad(serial.values, serial.grads as Float64Array);
      testGrad(shared.values, shared.grads as Float64Array);
      a.step();
      const plan = coordinator.beginStep();
      workers[1].updateRange(11, 23, plan);
      workers[0].updateRange(0, 11, plan);
      t.deepEqual(shared.values, serial.values);
    }
    t.is(workers[0].stepCount, 0, 'workers do not count steps; the coordinator does');
  });
}

test('updateRange without a plan is refused', (t) => {
  const opt = createOptimizer('adam', mixedParams());
  t.throws(() => opt.updateRange(0, 5), { instanceOf: RangeError, message: 'updateRange needs the plan of beginStep()' });
});

test('updateRange rejects a range outside the parameters', (t) => {
  const opt = createOptimizer('adam', mixedParams());
  const plan = opt.beginStep();
  t.throws(() => opt.updateRange(5, 24, plan), { instanceOf: RangeError, message: 'updateRange(5, 24): need integers with 0 <= start <= end <= 23' });
});

test('beginStep writes the plan into a caller-supplied (e.g. shared) array', (t) => {
  const opt = createOptimizer('nadam', mixedParams());
  const out = new Float64Array(new SharedArrayBuffer(8 * opt.planLength));
  t.is(opt.beginStep(out), out);
  t.is(opt.planLength, 3);
  t.true(out.every((x) => Number.isFinite(x) && x !== 0));
});
