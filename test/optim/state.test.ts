/** stateDict / loadStateDict: resuming is exact, and the saved state is neither mutated nor aliased. */
import test from 'ava';
import { createOptimizer } from '../../src/optim/registry.js';
import type { OptimizerName } from '../../src/optim/rule.js';
import { SGD } from '../../src/optim/sgd.js';
import { CONFIGS, mixedParams, testGrad } from './helpers.js';

for (const [name, options] of CONFIGS) {
  test(`${name} ${JSON.stringify(options)}: 20 steps, save, load into a fresh optimizer, 20 more side by side`, (t) => {
    const groups: Record<string, unknown> = { ...options, noDecayOn: ['bias'], groups: [{ layers: [0], lr: 0.002 }] };
    const pa = mixedParams();
    const a = createOptimizer(name as OptimizerName, pa, groups);
    for (let k = 0; k < 20; k++) {
      testGrad(pa.values, pa.grads as Float64Array);
      a.step();
    }
    const saved = a.stateDict();
    const copy = structuredClone(saved);
    const pb = mixedParams();
    pb.values.set(pa.values);
    const b = createOptimizer(name as OptimizerName, pb, groups);
    b.loadStateDict(saved);
    t.is(b.stepCount, 20);
    t.deepEqual(b.stateDict(), saved);
    for (let k = 0; k < 20; k++) {
      testGrad(pa.values, pa.grads as Float64Array);
      testGrad(pb.values, pb.grads as Float64Array);
      a.step();
      b.step();
      t.deepEqual(pb.values, pa.values, `step ${21 + k}`);
    }
    t.is(b.stepCount, 40);
    t.deepEqual(saved, copy, 'loading and stepping did not change the saved state');
  });
}

test('a fresh optimizer differs from a resumed one (the round trip is not vacuous)', (t) => {
  const pa = mixedParams();
  const a = createOptimizer('adam', pa, { lr: 0.01 });
  for (let k = 0; k < 20; k++) {
    testGrad(pa.values, pa.grads as Float64Array);
    a.step();
  }
  const pb = mixedParams();
  pb.values.set(pa.values);
  const b = createOptimizer('adam', pb, { lr: 0.01 });
  testGrad(pa.values, pa.grads as Float64Array);
  testGrad(pb.values, pb.grads as Float64Array);
  a.step();
  b.step();
  t.notDeepEqual(pb.values, pa.values);
});

test('the state dict holds the step count, group hyperparameters and NAdam\'s μ product', (t) => {
  const p = mixedParams();
  const opt = createOptimizer('nadam', p, { lr: 0.01 });
  testGrad(p.values, p.grads as Float64Array);
  opt.step();
  opt.step();
  const sd = opt.stateDict();
  t.is(sd.rule, 'nadam');
  t.is(sd.step, 2);
  t.is(sd.groups[0].hyper.lr, 0.01);
  const mu = (s: number) => 0.9 * (1 - 0.5 * 0.96 ** (s * 4e-3));
  t.is(sd.scalars[0][0], mu(1) * mu(2));
  t.deepEqual(Object.keys(sd.state).sort(), ['expAvg', 'expAvgSq']);
});

test('the state dict is a copy: stepping afterwards does not change it', (t) => {
  const p = mixedParams();
  const opt = createOptimizer('adam', p);
  testGrad(p.values, p.grads as Float64Array);
  opt.step();
  const sd = opt.stateDict();
  const before = structuredClone(sd);
  opt.step();
  t.deepEqual(sd, before);
});

test('loaded state is copied in, not aliased: mutating the saved arrays later changes nothing', (t) => {
  const p = mixedParams();
  const opt = createOptimizer('adam', p);
  testGrad(p.values, p.grads as Float64Array);
  opt.step();
  const sd = opt.stateDict();
  const fresh = createOptimizer('adam', mixedParams());
  fresh.loadStateDict(sd);
  sd.state.expAvg.fill(99);
  sd.groups[0].hyper.lr = 5;
  t.not(fresh.state.expAvg[0], 99);
  t.is(fresh.getLr(0), 1e-3);
});

test('SGD without lr uses 1e-3, as the README states (PyTorch 2.2 and later)', (t) => {
  const p = mixedParams();
  const before = Float64Array.from(p.values);
  const opt = new SGD(p);
  t.deepEqual(Array.from({ length: opt.groupCount }, (_, i) => opt.getLr(i)), new Array(opt.groupCount).fill(1e-3));
  testGrad(p.values, p.grads as Float64Array);
  opt.step();
  t.deepEqual(p.values, before.map((v, i) => v - 1e-3 * p.grads[i]), 'p ← p − 1e-3·g');
});

test('loading restores the learning rates a schedule had set', (t) => {
  const a = createOptimizer('sgd', mixedParams(), { lr: 0.1 });
  a.setLr(0, 0.025);
  const b = createOptimizer('sgd', mixedParams(), { lr: 0.1 });
  b.loadStateDict(a.stateDict());
  t.is(b.getLr(0), 0.025);
});

test('loading the state of another optimizer is refused', (t) => {
  const adam = createOptimizer('adam', mixedParams());
  const sgd = createOptimizer('sgd', mixedParams(), { momentum: 0.9 });
  t.throws(() => sgd.loadStateDict(adam.stateDict() as never), { instanceOf: TypeError, message: 'loadStateDict: state of "adam" cannot be loaded into sgd' });
});

test('loading a state with other groups is refused', (t) => {
  const one = createOptimizer('adam', mixedParams());
  const two = createOptimizer('adam', mixedParams(), { noDecayOn: ['bias'] });
  t.throws(() => two.loadStateDict(one.stateDict()), { instanceOf: RangeError, message: 'loadStateDict: expected 2 parameter groups, got 1' });
});

test('loading a state with invalid hyperparameters is refused before anything is copied', (t) => {
  const opt = createOptimizer('adam', mixedParams());
  const sd = opt.stateDict();
  sd.step = 7;
  sd.groups[0].hyper.betas = [1, 0.999];
  t.throws(() => opt.loadStateDict(sd), { instanceOf: RangeError, message: 'Invalid beta parameter at index 0: 1.0' });
  t.is(opt.stepCount, 0);
});

test('a state without its per-group scalars (NAdam\'s μ product) is refused, not loaded with them left as they were', (t) => {
  const a = createOptimizer('nadam', mixedParams());
  const b = createOptimizer('nadam', mixedParams());
  const sd = a.stateDict();
  sd.step = 3;
  sd.scalars = [];
  t.throws(() => b.loadStateDict(sd), { message: /state\.scalars must be an array of 1 \(one per group\), got/ });
  t.is(b.stepCount, 0, 'nothing was loaded');
});

test('a state with a non-finite scalar or a NaN moment is refused, naming it; an overflowed (infinite) moment loads', (t) => {
  const a = createOptimizer('nadam', mixedParams());
  const b = createOptimizer('nadam', mixedParams());
  const nanScalar = a.stateDict();
  nanScalar.scalars = [[NaN]];
  t.throws(() => b.loadStateDict(nanScalar), { message: /group 0's scalar 0 is NaN/ });
  const nanMoment = a.stateDict();
  const [name] = Object.keys(nanMoment.state);
  nanMoment.state[name] = Float64Array.from(nanMoment.state[name], (v, i) => (i === 4 ? NaN : v));
  t.throws(() => b.loadStateDict(nanMoment), { message: new RegExp(`state array "${name}" holds NaN at index 4`) });
  t.deepEqual(b.stateDict(), createOptimizer('nadam', mixedParams()).stateDict(), 'nothing was loaded');
  const infMoment = a.stateDict();
  infMoment.state[name] = Float64Array.from(infMoment.state[name], (v, i) => (i === 4 ? Infinity : v));
  b.loadStateDict(infMoment);
  t.is(b.stateDict().state[name][4], Infinity);
});

test('loading hyperparameters that need state this optimizer lacks is refused (amsgrad)', (t) => {
  const withAms = createOptimizer('adam', mixedParams(), { amsgrad: true });
  const plain = createOptimizer('adam', mixedParams());
  t.throws(() => plain.loadStateDict(withAms.stateDict()), { instanceOf: RangeError, message: 'loadStateDict: group 0 needs state "maxExpAvgSq", which this optimizer was not built with' });
});

test('cancelStep undoes the last beginStep: step count and NAdam scalars, so the next step equals an uninterrupted one', (t) => {
  const make = () => {
    const params = { dtype: 'float64' as const, values: Float64Array.of(1, -2), grads: Float64Array.of(0.5, 0.25), entries: [{ name: 'p', layer: 0, role: 'weight' as const, offset: 0, size: 2, shape: [2] }] };
    return { params, opt: createOptimizer('nadam', params, { lr: 0.01 }) };
  };
  const a = make();
  const b = make();
  a.opt.step();
  b.opt.step();
  b.opt.beginStep();
  b.opt.cancelStep();
  t.is(b.opt.stepCount, 1);
  a.opt.step();
  b.opt.step();
  t.deepEqual(b.params.values, a.params.values);
  t.deepEqual(b.opt.stateDict().scalars, a.opt.stateDict().scalars);
  t.throws(() => b.opt.cancelStep(), { message: /needs a beginStep/ });
});

test('copyStateFrom takes a twin\'s state as loadStateDict(stateDict()) would, and refuses an optimizer of another layout', (t) => {
  for (const [name, options] of CONFIGS) {
    const pa = mixedParams();
    const source = createOptimizer(name as OptimizerName, pa, options);
    for (let k = 0; k < 5; k++) {
      testGrad(pa.values, pa.grads as Float64Array);
      source.step();
    }
    const copy = createOptimizer(name as OptimizerName, mixedParams(), options);
    copy.copyStateFrom(source);
    t.deepEqual(copy.stateDict(), source.stateDict(), name);
    source.setLr(0, 0.5);
    t.not(copy.getLr(0), 0.5, 'the hyperparameters are copied, not shared');
  }
  const sgd = createOptimizer('sgd', mixedParams(), { momentum: 0.9 });
  t.throws(() => createOptimizer('adam', mixedParams()).copyStateFrom(sgd as never), { message: /copyStateFrom: the source is not a twin of this adam optimizer/ });
  t.throws(() => createOptimizer('sgd', mixedParams(), { momentum: 0.9, groups: [{ layers: [0], lr: 0.1 }] }).copyStateFrom(sgd), { message: /not a twin/ });
});

test('a state saved before maximize existed (no maximize in its groups) loads, descending', (t) => {
  const a = createOptimizer('adam', mixedParams(), { lr: 0.01 });
  const old = a.stateDict();
  for (const g of old.groups) delete (g.hyper as { maximize?: boolean }).maximize;
  const b = createOptimizer('adam', mixedParams());
  b.loadStateDict(old);
  t.false(b.group(0).hyper.maximize);
  t.is(b.getLr(0), 0.01);
});
