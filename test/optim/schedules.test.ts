/**
 * Learning-rate schedules against PyTorch's documented formulas, worked by hand, and against
 * the rates PyTorch 1.13's schedulers produce (test/fixtures/torch-schedules.json) to 1e-12.
 */
import test from 'ava';
import { createOptimizer } from '../../src/optim/registry.js';
import { CosineAnnealingLR } from '../../src/optim/schedules/cosine.js';
import { ExponentialLR } from '../../src/optim/schedules/exponential.js';
import { MultiStepLR } from '../../src/optim/schedules/multistep.js';
import { ReduceLROnPlateau } from '../../src/optim/schedules/plateau.js';
import type { LrScheduler } from '../../src/optim/schedules/scheduler.js';
import { StepLR } from '../../src/optim/schedules/step.js';
import { LambdaLR } from '../../src/optim/schedules/lambda.js';
import { LinearLR } from '../../src/optim/schedules/linear.js';
import { LinearWarmup } from '../../src/optim/schedules/warmup.js';
import { fixture, maxRelError, mixedParams } from './helpers.js';

/** An SGD optimizer with one group per learning rate (layers 0.. get lrs[1..]). */
function optimizer(lrs: number[]) {
  return createOptimizer('sgd', mixedParams(), { lr: lrs[0], groups: lrs.slice(1).map((lr, i) => ({ layers: [i], lr })) });
}

function run(s: LrScheduler, steps: number, metrics?: number[]): number[][] {
  const out = [s.lastLr];
  for (let i = 0; i < steps; i++) {
    s.step(metrics?.[i]);
    out.push(s.lastLr);
  }
  return out;
}

test('StepLR: base · γ^⌊t/stepSize⌋', (t) => {
  const lrs = run(new StepLR(optimizer([0.1]), { stepSize: 3, gamma: 0.5 }), 7).map((l) => l[0]);
  t.deepEqual(lrs, [0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025]);
});

test('MultiStepLR: base · γ^(milestones ≤ t)', (t) => {
  const lrs = run(new MultiStepLR(optimizer([1]), { milestones: [2, 4], gamma: 0.5 }), 5).map((l) => l[0]);
  t.deepEqual(lrs, [1, 1, 0.5, 0.5, 0.25, 0.25]);
});

test('MultiStepLR takes milestones in any order, and one given twice decays twice (PyTorch counts them)', (t) => {
  const lrs = run(new MultiStepLR(optimizer([1]), { milestones: [4, 2, 4], gamma: 0.5 }), 5).map((l) => l[0]);
  t.deepEqual(lrs, [1, 1, 0.5, 0.5, 0.125, 0.125]);
});

test('LinearLR: PyTorch\'s documented example (lr 0.05, startFactor 0.5, totalIters 4), and its defaults and checks', (t) => {
  const lrs = run(new LinearLR(optimizer([0.05]), { startFactor: 0.5, totalIters: 4 }), 5).map((l) => l[0]);
  [0.025, 0.03125, 0.0375, 0.04375, 0.05, 0.05].forEach((want, i) => t.true(Math.abs(lrs[i] - want) < 1e-15, `epoch ${i}: ${lrs[i]}`));
  const d = new LinearLR(optimizer([0.3]));
  t.deepEqual([d.startFactor, d.endFactor, d.totalIters], [1 / 3, 1, 5]);
  t.throws(() => new LinearLR(optimizer([0.1]), { startFactor: 0 }), { message: /options\.startFactor must be a number in \(0, 1\], got 0/ });
  t.throws(() => new LinearLR(optimizer([0.1]), { endFactor: 1.5 }), { message: /options\.endFactor must be a number in \[0, 1\], got 1\.5/ });
});

test('LambdaLR: base · lrLambda(t); a factor that is not a finite number >= 0 is an error naming the epoch, and changes nothing', (t) => {
  const opt = optimizer([0.1, 0.01]);
  const s = new LambdaLR(opt, { lrLambda: (epoch) => (epoch < 3 ? 0.5 ** epoch : NaN) });
  t.deepEqual(s.lastLr, [0.1, 0.01]);
  s.step();
  s.step();
  t.deepEqual(s.lastLr, [0.025, 0.0025]);
  t.throws(() => s.step(), { instanceOf: RangeError, message: 'LambdaLR: lrLambda(3) returned NaN; the factor must be a finite number >= 0' });
  t.is(s.lastEpoch, 2, 'the failed step did not count');
  t.deepEqual(s.lastLr, [0.025, 0.0025]);
  t.throws(() => new LambdaLR(optimizer([0.1]), { lrLambda: 0.5 as never }), { message: /options\.lrLambda must be a function of the epoch/ });
  const perGroup = new LambdaLR(optimizer([0.1, 0.01]), { lrLambda: [(e) => 0.5 ** e, (e) => (e < 1 ? 1 : -1)] });
  t.deepEqual(perGroup.lastLr, [0.1, 0.01], 'one function per group');
  t.throws(() => perGroup.step(), { message: 'LambdaLR: lrLambda[1](1) returned -1; the factor must be a finite number >= 0' });
  t.throws(() => new LambdaLR(optimizer([0.1, 0.01]), { lrLambda: [(e: number) => e] }), { message: /a list of 2 \(one per group\)/ });
  const o2 = optimizer([0.1]);
  const warm = new LinearWarmup(o2, { steps: 1 }, new LambdaLR(o2, { lrLambda: (epoch) => (epoch < 2 ? 1 : NaN) }));
  warm.step();
  warm.step();
  t.throws(() => warm.step(), { message: /lrLambda\(2\) returned NaN/ });
  t.is(warm.lastEpoch, 2, 'the warmup does not count a step its schedule refused');
});

test('ExponentialLR: base · γ^t', (t) => {
  const lrs = run(new ExponentialLR(optimizer([2]), { gamma: 0.5 }), 3).map((l) => l[0]);
  t.deepEqual(lrs, [2, 1, 0.5, 0.25]);
});

test('CosineAnnealingLR: η_min + (base − η_min)(1 + cos(πt/T))/2, past T_max it rises again', (t) => {
  const lrs = run(new CosineAnnealingLR(optimizer([1.1]), { tMax: 4, etaMin: 0.1 }), 8).map((l) => l[0]);
  // t = 0: 1.1; t = 2: 0.1 + 1·(1 + 0)/2 = 0.6; t = 4: 0.1; t = 8: 1.1.
  t.is(lrs[0], 1.1);
  t.true(Math.abs(lrs[2] - 0.6) < 1e-15);
  t.is(lrs[4], 0.1);
  t.true(Math.abs(lrs[1] - (0.1 + (1 + Math.SQRT1_2) / 2)) < 1e-15);
  t.true(Math.abs(lrs[8] - 1.1) < 1e-15);
});

test('LinearWarmup: base · (s + (1 − s)·t/steps), then the schedule after it from its epoch 0', (t) => {
  const opt = optimizer([0.1]);
  const after = new StepLR(opt, { stepSize: 2, gamma: 0.1 });
  const lrs = run(new LinearWarmup(opt, { steps: 4, startFactor: 0.2 }, after), 8).map((l) => l[0]);
  const expected = [0.02, 0.04, 0.06, 0.08, 0.1, 0.1, 0.01, 0.01, 0.001];
  t.true(maxRelError(lrs, expected) < 1e-15, `${lrs}`);
});

test('LinearWarmup then ReduceLROnPlateau: metrics reach the plateau schedule after the warmup', (t) => {
  const opt = optimizer([1]);
  const plateau = new ReduceLROnPlateau(opt, { patience: 0, factor: 0.5 });
  const lrs = run(new LinearWarmup(opt, { steps: 2, startFactor: 0.5 }, plateau), 5, [9, 9, 5, 6, 7]).map((l) => l[0]);
  t.deepEqual(lrs, [0.5, 0.75, 1, 1, 0.5, 0.25]);
  t.is(plateau.lastEpoch, 3);
  t.is(plateau.best, 5);
});

test('ReduceLROnPlateau: patience, cooldown, minLr and eps', (t) => {
  const opt = optimizer([1]);
  const s = new ReduceLROnPlateau(opt, { patience: 1, factor: 0.5, cooldown: 1, minLr: 0.3 });
  // best 1; 1 (bad 1); 1 (bad 2 > 1: lr 0.5, cooldown 1); 1 (cooldown: bad 0); 1 (bad 1); 1 (bad 2: lr max(0.25, 0.3) = 0.3)
  // then lr 0.3·0.5 → 0.3: no change (old − new = 0 ≤ eps).
  const lrs = run(s, 9, [1, 1, 1, 1, 1, 1, 1, 1, 1]).map((l) => l[0]);
  t.deepEqual(lrs, [1, 1, 1, 0.5, 0.5, 0.5, 0.3, 0.3, 0.3, 0.3]);
});

test('ReduceLROnPlateau: rel threshold needs an improvement by more than 1e-4 of the best', (t) => {
  const s = new ReduceLROnPlateau(optimizer([1]), { patience: 5 });
  s.step(1);
  s.step(0.99995);
  t.is(s.numBadEpochs, 1);
  s.step(0.9998);
  t.is(s.numBadEpochs, 0);
  t.is(s.best, 0.9998);
  s.step(NaN);
  t.is(s.numBadEpochs, 1, 'a NaN metric is not an improvement');
});

interface ScheduleCase {
  name: string;
  options: Record<string, unknown>;
  metrics?: number[];
  lrs: number[][];
}

function build(c: ScheduleCase): LrScheduler {
  const opt = optimizer(c.lrs[0]);
  const o = c.options as never;
  switch (c.name) {
    case 'StepLR': return new StepLR(opt, o);
    case 'MultiStepLR': return new MultiStepLR(opt, o);
    case 'ExponentialLR': return new ExponentialLR(opt, o);
    case 'CosineAnnealingLR': return new CosineAnnealingLR(opt, o);
    case 'ReduceLROnPlateau': return new ReduceLROnPlateau(opt, o);
    case 'LinearWarmup+CosineAnnealingLR': {
      const { after, ...warmup } = c.options as { after: { tMax: number } };
      return new LinearWarmup(opt, warmup, new CosineAnnealingLR(opt, after));
    }
    default: throw new Error(`unknown case ${c.name}`);
  }
}

const torchCases = fixture<{ cases: ScheduleCase[] }>('torch-schedules.json').cases;

test('the PyTorch fixture holds the 7 cases torch-schedules.py writes', (t) => {
  t.deepEqual(torchCases.map((c) => c.name), ['StepLR', 'MultiStepLR', 'ExponentialLR', 'CosineAnnealingLR', 'LinearWarmup+CosineAnnealingLR', 'ReduceLROnPlateau', 'ReduceLROnPlateau']);
});

for (const c of torchCases) {
  test(`PyTorch ${c.name} ${JSON.stringify(c.options)}: every step`, (t) => {
    // PyTorch's first rate (index 0) is the base rate, except warmup's, which starts lowered and
    // reaches the base rate after its `steps` steps.
    const base = c.name.startsWith('LinearWarmup') ? c.lrs[(c.options as { steps: number }).steps] : c.lrs[0];
    const opt0 = { ...c, lrs: [base, ...c.lrs.slice(1)] };
    const lrs = run(build(opt0), c.lrs.length - 1, c.metrics);
    t.is(lrs.length, c.lrs.length);
    lrs.forEach((got, i) => {
      const err = maxRelError(got.map((x) => x + 1), c.lrs[i].map((x) => x + 1)); // +1: cosine reaches 0
      t.true(err < 1e-12, `step ${i}: ${got} vs ${c.lrs[i]}`);
    });
  });
}

test('every schedule: stateDict, load into a fresh one, identical rates from then on', (t) => {
  const makers: Array<(opt: ReturnType<typeof optimizer>) => LrScheduler> = [
    (o) => new StepLR(o, { stepSize: 3 }),
    (o) => new MultiStepLR(o, { milestones: [3, 7] }),
    (o) => new ExponentialLR(o, { gamma: 0.9 }),
    (o) => new CosineAnnealingLR(o, { tMax: 10 }),
    (o) => new ReduceLROnPlateau(o, { patience: 1, cooldown: 2 }),
    (o) => new LinearWarmup(o, { steps: 3 }, new CosineAnnealingLR(o, { tMax: 10 })),
    (o) => new LinearLR(o, { startFactor: 0.25, endFactor: 0.75, totalIters: 12 }),
    (o) => new LambdaLR(o, { lrLambda: (epoch) => 1 / (1 + epoch) }),
  ];
  const metric = (i: number) => 1 / (1 + (i % 4));
  for (const make of makers) {
    const oa = optimizer([0.1, 0.01]);
    const a = make(oa);
    for (let i = 0; i < 8; i++) a.step(metric(i));
    const saved = a.stateDict();
    const copy = structuredClone(saved);
    const ob = optimizer([0.1, 0.01]);
    ob.loadStateDict(oa.stateDict());
    const b = make(ob);
    b.loadStateDict(saved);
    t.is(b.lastEpoch, 8);
    for (let i = 8; i < 20; i++) {
      a.step(metric(i));
      b.step(metric(i));
      t.deepEqual(b.lastLr, a.lastLr, `${saved.kind} step ${i + 1}`);
    }
    t.deepEqual(saved, copy, `${saved.kind}: the saved state is not mutated`);
  }
});

test('loading the state of another kind of schedule is refused', (t) => {
  const a = new StepLR(optimizer([0.1]), { stepSize: 2 });
  const b = new ExponentialLR(optimizer([0.1]), { gamma: 0.5 });
  t.throws(() => b.loadStateDict(a.stateDict()), { instanceOf: TypeError, message: 'loadStateDict: state of StepLR cannot be loaded into ExponentialLR' });
});

test('a state saved with other settings is refused, naming both, and changes nothing; so is a bad base rate', (t) => {
  const saved = new StepLR(optimizer([0.1]), { stepSize: 2 });
  saved.step();
  const opt = optimizer([0.1]);
  const other = new StepLR(opt, { stepSize: 3 });
  t.throws(() => other.loadStateDict(saved.stateDict()), { instanceOf: TypeError, message: 'loadStateDict: the state was saved by a StepLR with {"stepSize":2,"gamma":0.1}, this one has {"stepSize":3,"gamma":0.1}' });
  t.is(other.lastEpoch, 0);
  const plateau = new ReduceLROnPlateau(optimizer([0.1]), { mode: 'max' });
  t.throws(() => new ReduceLROnPlateau(optimizer([0.1])).loadStateDict(plateau.stateDict()), { message: /saved by a ReduceLROnPlateau with \{"mode":"max",.* this one has \{"mode":"min",/ });
  const warm = new LinearWarmup(optimizer([0.1]), { steps: 3 });
  t.throws(() => new LinearWarmup(optimizer([0.1]), { steps: 4 }).loadStateDict(warm.stateDict()), { message: /saved by a LinearWarmup with \{"steps":3,/ });
  const bad = { ...saved.stateDict(), baseLrs: [-1] };
  t.throws(() => new StepLR(optimizer([0.1]), { stepSize: 2 }).loadStateDict(bad), { message: /state\.baseLrs\[0\] must be a learning rate >= 0, got -1/ });
  const old = saved.stateDict();
  delete old.settings;
  // A state from before settings were saved is still read, and this schedule's settings apply.
  const loaded = new StepLR(optimizer([0.1]), { stepSize: 3 });
  loaded.loadStateDict(old);
  t.is(loaded.lastEpoch, 1);
  loaded.step();
  t.deepEqual(loaded.lastLr, [0.1], 'epoch 2: no decay with stepSize 3 (the saved stepSize 2 would decay)');
});

test('ReduceLROnPlateau refuses a saved best of NaN (every later metric would compare as no better)', (t) => {
  const plateau = new ReduceLROnPlateau(createOptimizer('sgd', mixedParams(), { lr: 0.1 }), { patience: 0 });
  const saved = plateau.stateDict();
  t.throws(() => plateau.loadStateDict({ ...saved, best: NaN }), { message: /state\.best must be a number or ±Infinity, got NaN/ });
  plateau.step(1);
  plateau.loadStateDict({ ...saved, best: Infinity });
  t.is(plateau.best, Infinity);
  t.is(plateau.lastEpoch, 0);
  const lr = plateau.lastLr;
  plateau.step(5);
  t.deepEqual(plateau.lastLr, lr, '5 improves on Infinity (on the best of 1 before loading it would not, and patience 0 would cut the rate)');
  t.is(plateau.best, 5);
});
