/**
 * test/fixtures/torch-mlp-iris.json: full-batch training of a 4-8-3 tanh MLP on standardized
 * Iris with softmax cross-entropy (mean), computed with PyTorch 1.13 in float64. Every case
 * runs on the project's own Dense / tanh / softmax cross-entropy; the loss before each step and
 * the final parameters must agree to a relative 1e-9. Cases: SGD with momentum, Adam, AdamW with
 * cosine annealing (T_max = the 15 steps, stepped after every step), centered RMSprop with
 * global-norm clipping.
 *
 * Each case runs twice: serially (clipGradNorm, step) and in the split form the parallel runtime
 * uses (partial sums of squares per range, one scale, beginStep and updateRange per range).
 */
import test from 'ava';
import { softmaxCrossEntropy } from '../../src/losses/softmaxCrossEntropy.js';
import { tanh } from '../../src/nn/activation.js';
import { dense } from '../../src/nn/dense.js';
import { Model } from '../../src/nn/model.js';
import { clipCoefficient, clipGradNorm, scaleRange, sumOfSquares } from '../../src/optim/clip.js';
import { createOptimizer } from '../../src/optim/registry.js';
import type { OptimizerName } from '../../src/optim/rule.js';
import { CosineAnnealingLR } from '../../src/optim/schedules/cosine.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { camelOptions, fixture, maxRelError } from './helpers.js';

type Layer = [number[][], number[]];
interface Case {
  sizes: number[];
  hidden_activation: string;
  loss: string;
  optimizer: OptimizerName;
  hyperparameters: Record<string, unknown>;
  lr_schedule: 'cosine' | null;
  clip_grad_norm: number | null;
  steps: number;
  init_params: Layer[];
  loss_before_each_step: number[];
  final_params: Layer[];
}

const iris = fixture<{ X: number[][]; labels: number[]; cases: Case[] }>('torch-mlp-iris.json');
const n = iris.X.length;
const x = new Tensor(Float64Array.from(iris.X.flat()), n, 4);
const labels = Int32Array.from(iris.labels);
const RANGES: Array<[number, number]> = [[0, 13], [13, 40], [40, 67]];

function train(c: Case, split: boolean): { losses: number[]; final: Layer[]; clipped: number } {
  const model = new Model([dense(4, 8), tanh(), dense(8, 3)], { dtype: 'float64' });
  model.setWeights(c.init_params.map(([W, b]) => ({ W, b })));
  const params = model.parameters();
  const opt = createOptimizer(c.optimizer, params, camelOptions(c.hyperparameters));
  const schedule = c.lr_schedule === 'cosine' ? new CosineAnnealingLR(opt, { tMax: c.steps }) : null;
  const grad = Tensor.zeros('float64', n, 3);
  const losses: number[] = [];
  let clipped = 0;
  for (let step = 0; step < c.steps; step++) {
    model.zeroGrad();
    const pred = model.forward(x, { training: true, seed: 0, step });
    losses.push(softmaxCrossEntropy.sumAndGrad(pred, labels, grad) / n);
    model.backward(grad);
    const g = params.grads;
    for (let i = 0; i < g.length; i++) g[i] *= 1 / n; // reduction='mean'
    if (split) {
      if (c.clip_grad_norm !== null) {
        const total = Math.sqrt(RANGES.reduce((sum, [s, e]) => sum + sumOfSquares(g, s, e), 0));
        const coef = clipCoefficient(total, c.clip_grad_norm);
        if (coef < 1) clipped++;
        for (const [s, e] of RANGES) scaleRange(g, coef, s, e);
      }
      const plan = opt.beginStep();
      for (const [s, e] of [...RANGES].reverse()) opt.updateRange(s, e, plan);
    } else {
      if (c.clip_grad_norm !== null && clipGradNorm(g, c.clip_grad_norm) > c.clip_grad_norm + 1e-6) clipped++;
      opt.step();
    }
    schedule?.step();
  }
  const final = model.weights().map(({ W, b }): Layer => [W.to2DArray(), b!.getRow(0)]);
  return { losses, final, clipped };
}

test('the fixture: 4 cases of a 4-8-3 network, 67 parameters', (t) => {
  t.is(iris.cases.length, 4);
  t.is(RANGES[RANGES.length - 1][1], 4 * 8 + 8 + 8 * 3 + 3);
});

for (const c of iris.cases) {
  const what = `${c.optimizer} ${JSON.stringify(c.hyperparameters)}${c.lr_schedule ? ` + ${c.lr_schedule}` : ''}${c.clip_grad_norm ? ` + clip ${c.clip_grad_norm}` : ''}`;
  for (const split of [false, true]) {
    test(`iris ${what}${split ? ', split into ranges' : ''}: losses and final parameters to 1e-9`, (t) => {
      t.deepEqual([c.sizes, c.hidden_activation, c.loss], [[4, 8, 3], 'tanh', 'softmax_cross_entropy_mean']);
      const { losses, final, clipped } = train(c, split);
      if (c.clip_grad_norm !== null) t.true(clipped > 0, 'the clipping case does clip');
      const lossErr = maxRelError(losses, c.loss_before_each_step);
      t.true(lossErr <= 1e-9, `loss relative error ${lossErr}: ${losses} vs ${c.loss_before_each_step}`);
      const flat = (layers: Layer[]) => layers.flatMap(([W, b]) => [...W.flat(), ...b]);
      const paramErr = maxRelError(flat(final), flat(c.final_params));
      t.true(paramErr <= 1e-9, `final parameter relative error ${paramErr}`);
      t.is(losses.length, c.steps);
    });
  }
}
