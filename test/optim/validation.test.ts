/** One test per validation message: PyTorch's own where it has one, the option and the value otherwise. */
import test from 'ava';
import { clipCoefficient, clipGradNorm, clipGradValue } from '../../src/optim/clip.js';
import { createOptimizer } from '../../src/optim/registry.js';
import type { OptimizerName } from '../../src/optim/rule.js';
import { CosineAnnealingLR } from '../../src/optim/schedules/cosine.js';
import { ExponentialLR } from '../../src/optim/schedules/exponential.js';
import { MultiStepLR } from '../../src/optim/schedules/multistep.js';
import { ReduceLROnPlateau } from '../../src/optim/schedules/plateau.js';
import { StepLR } from '../../src/optim/schedules/step.js';
import { LinearWarmup } from '../../src/optim/schedules/warmup.js';
import { mixedParams } from './helpers.js';

type Ctor = typeof RangeError | typeof TypeError;

function rejects(name: OptimizerName, options: unknown, instanceOf: Ctor, message: string): void {
  test(`${name} ${JSON.stringify(options, (_k, v) => (Number.isNaN(v) ? 'NaN' : v))} → ${message}`, (t) => {
    t.throws(() => createOptimizer(name, mixedParams(), options as Record<string, unknown>), { instanceOf, message });
  });
}

// PyTorch's messages, quoted by the issue.
rejects('adam', { lr: -1 }, RangeError, 'Invalid learning rate: -1');
rejects('adam', { betas: [1, 0.999] }, RangeError, 'Invalid beta parameter at index 0: 1.0');
// PyTorch's other messages.
rejects('adamw', { betas: [0.9, 1.5] }, RangeError, 'Invalid beta parameter at index 1: 1.5');
rejects('nadam', { betas: [-0.1, 0.999] }, RangeError, 'Invalid beta parameter at index 0: -0.1');
rejects('adam', { eps: -1e-8 }, RangeError, 'Invalid epsilon value: -1e-8');
rejects('sgd', { momentum: -0.5 }, RangeError, 'Invalid momentum value: -0.5');
rejects('adam', { weightDecay: -0.01 }, RangeError, 'Invalid weightDecay value: -0.01');
rejects('sgd', { nesterov: true }, RangeError, 'Nesterov momentum requires a momentum and zero dampening');
rejects('sgd', { nesterov: true, momentum: 0.9, dampening: 0.1 }, RangeError, 'Nesterov momentum requires a momentum and zero dampening');
rejects('rmsprop', { alpha: -0.5 }, RangeError, 'Invalid alpha value: -0.5');
rejects('adagrad', { lrDecay: -1 }, RangeError, 'Invalid lrDecay value: -1');
rejects('adagrad', { initialAccumulatorValue: -0.1 }, RangeError, 'Invalid initialAccumulatorValue value: -0.1');
rejects('adadelta', { rho: 1.5 }, RangeError, 'Invalid rho value: 1.5');
rejects('nadam', { momentumDecay: -1 }, RangeError, 'Invalid momentumDecay value: -1');
// NaN and ±Infinity, which PyTorch lets through.
rejects('sgd', { lr: NaN }, RangeError, 'Invalid learning rate: NaN');
rejects('sgd', { lr: Infinity }, RangeError, 'Invalid learning rate: Infinity');
rejects('adam', { betas: [NaN, 0.999] }, RangeError, 'Invalid beta parameter at index 0: NaN');
rejects('rmsprop', { eps: NaN }, RangeError, 'Invalid epsilon value: NaN');
rejects('sgd', { weightDecay: NaN }, RangeError, 'Invalid weightDecay value: NaN');
rejects('adadelta', { rho: NaN }, RangeError, 'Invalid rho value: NaN');
rejects('sgd', { momentum: 0.9, dampening: NaN }, RangeError, 'options.dampening must be a finite number, got NaN (number)');
// Wrong types and unknown names.
rejects('adam', { lr: '0.1' }, TypeError, 'options.lr must be a finite number, got "0.1" (string)');
rejects('adam', { betas: 0.9 }, RangeError, 'options.betas must be an array [beta1, beta2], got 0.9 (number)');
rejects('adam', { amsgrad: 'yes' }, TypeError, 'options.amsgrad must be a boolean, got "yes" (string)');
rejects('rmsprop', { centered: 1 }, RangeError, 'options.centered must be a boolean, got 1 (number)');
rejects('adam', { lrr: 0.1 }, TypeError, 'adam options: unknown option "lrr"; known options: lr, betas, eps, weightDecay, amsgrad, maximize, groups, noDecayOn');
rejects('sgd', { noDecayOn: ['biases'] }, TypeError, 'options.noDecayOn[0] must be one of weight, bias, norm, got "biases" (string)');
rejects('sgd', { groups: [{ lr: 0.1 }] }, TypeError, 'options.groups[0] must select parameters by layers, roles or names');
rejects('sgd', { groups: [{ layers: [7], lr: 0.1 }] }, RangeError, 'options.groups[0] selects no parameter');
rejects('sgd', { groups: [{ layers: [0], lr: -2 }] }, RangeError, 'sgd options.groups[0]: Invalid learning rate: -2');
rejects('sgd', { lr: -1, groups: [{ roles: ['weight', 'bias'], lr: 0.1 }] }, RangeError, 'Invalid learning rate: -1');
rejects('sgd', { groups: [{ layers: [0], momentun: 0.9 }] }, TypeError, 'sgd options.groups[0]: unknown option "momentun"; known options: lr, momentum, dampening, weightDecay, nesterov, maximize');

test('createOptimizer with an unknown name', (t) => {
  t.throws(() => createOptimizer('adamm' as OptimizerName, mixedParams()), {
    instanceOf: TypeError,
    message: 'optimizer must be one of sgd, adam, adamw, rmsprop, adagrad, adadelta, adamax, nadam, got "adamm" (string)',
  });
});

test('setLr refuses a negative learning rate', (t) => {
  t.throws(() => createOptimizer('sgd', mixedParams()).setLr(0, -0.1), { instanceOf: RangeError, message: 'Invalid learning rate: -0.1' });
});

// Schedules.
const opt = () => createOptimizer('sgd', mixedParams(), { lr: 0.1 });
const schedules: Array<[string, () => unknown, Ctor, string]> = [
  ['StepLR stepSize 0', () => new StepLR(opt(), { stepSize: 0 }), RangeError, 'options.stepSize must be a positive integer, got 0 (number)'],
  ['StepLR without stepSize', () => new StepLR(opt(), {} as never), TypeError, 'options.stepSize must be a positive integer, got undefined (undefined)'],
  ['StepLR gamma NaN', () => new StepLR(opt(), { stepSize: 2, gamma: NaN }), RangeError, 'options.gamma must be a finite number, got NaN (number)'],
  ['MultiStepLR no milestones', () => new MultiStepLR(opt(), { milestones: [] }), TypeError, 'options.milestones must be a non-empty array of epochs, got array of length 0'],
  ['ExponentialLR negative gamma', () => new ExponentialLR(opt(), { gamma: -0.5 }), RangeError, 'options.gamma must be a finite number >= 0, got -0.5 (number)'],
  ['CosineAnnealingLR tMax 1.5', () => new CosineAnnealingLR(opt(), { tMax: 1.5 }), RangeError, 'options.tMax must be a positive integer, got 1.5 (number)'],
  ['CosineAnnealingLR etaMin NaN', () => new CosineAnnealingLR(opt(), { tMax: 10, etaMin: NaN }), RangeError, 'options.etaMin must be a finite number, got NaN (number)'],
  ['LinearWarmup startFactor 0', () => new LinearWarmup(opt(), { startFactor: 0 }), RangeError, 'options.startFactor must be a number in (0, 1], got 0 (number)'],
  ['LinearWarmup startFactor 2', () => new LinearWarmup(opt(), { startFactor: 2 }), RangeError, 'options.startFactor must be a number in (0, 1], got 2 (number)'],
  ['LinearWarmup unknown option', () => new LinearWarmup(opt(), { warmup: 3 } as never), TypeError, 'LinearWarmup options: unknown option "warmup"; known options: steps, startFactor'],
  ['ReduceLROnPlateau factor 1', () => new ReduceLROnPlateau(opt(), { factor: 1 }), RangeError, 'Factor should be < 1.0.'],
  ['ReduceLROnPlateau mode', () => new ReduceLROnPlateau(opt(), { mode: 'minimum' as never }), TypeError, 'options.mode must be one of min, max, got "minimum" (string)'],
  ['ReduceLROnPlateau thresholdMode', () => new ReduceLROnPlateau(opt(), { thresholdMode: 'relative' as never }), TypeError, 'options.thresholdMode must be one of rel, abs, got "relative" (string)'],
  ['ReduceLROnPlateau minLr per group', () => new ReduceLROnPlateau(opt(), { minLr: [0.1, 0.2] }), RangeError, 'expected 1 min_lrs, got 2'],
  ['ReduceLROnPlateau patience -1', () => new ReduceLROnPlateau(opt(), { patience: -1 }), RangeError, 'options.patience must be a non-negative integer, got -1 (number)'],
  ['ReduceLROnPlateau step without metric', () => new ReduceLROnPlateau(opt()).step(), TypeError, 'ReduceLROnPlateau.step(metric) must be a number, got undefined (undefined)'],
  ['schedule on a non-optimizer', () => new StepLR({} as never, { stepSize: 1 }), TypeError, 'optimizer must be an Optimizer, got Object'],
  // Clipping.
  ['clipGradNorm maxNorm 0', () => clipGradNorm(new Float64Array(3), 0), RangeError, 'maxNorm must be a finite number > 0, got 0 (number)'],
  ['clipGradNorm maxNorm NaN', () => clipGradNorm(new Float64Array(3), NaN), RangeError, 'maxNorm must be a finite number > 0, got NaN (number)'],
  ['clipCoefficient negative norm', () => clipCoefficient(-1, 1), RangeError, 'totalNorm must be a number >= 0, got -1 (number)'],
  ['clipGradValue negative', () => clipGradValue(new Float64Array(3), -1), RangeError, 'clipValue must be a finite number >= 0, got -1 (number)'],
];
for (const [what, make, instanceOf, message] of schedules) {
  test(`${what} → ${message}`, (t) => {
    t.throws(make, { instanceOf, message });
  });
}
