/** Parameter groups: per-layer learning rates and no weight decay on biases and norms. */
import test from 'ava';
import { SGD } from '../../src/optim/sgd.js';
import { AdamW } from '../../src/optim/adamw.js';
import { mixedParams } from './helpers.js';

// mixedParams: p0 weight [0,6) layer 0, p1 bias [6,9) layer 1, p2 weight [9,17) layer 2,
// p3 bias [17,19) layer 3, p4 norm [19,23) layer 4.

test('noDecayOn: [bias, norm] splits the parameters into a decayed and an undecayed group', (t) => {
  const params = mixedParams();
  const before = params.values.slice();
  const opt = new SGD(params, { lr: 0.1, weightDecay: 0.5, noDecayOn: ['bias', 'norm'] });
  t.is(opt.groupCount, 2);
  t.deepEqual(opt.group(0), { hyper: { lr: 0.1, momentum: 0, dampening: 0, weightDecay: 0.5, nesterov: false, maximize: false }, ranges: [[0, 6], [9, 17]] });
  t.deepEqual(opt.group(1).ranges, [[6, 9], [17, 23]]);
  t.is(opt.group(1).hyper.weightDecay, 0);
  opt.step(); // zero gradients: only weight decay moves anything
  params.values.forEach((v, i) => {
    const decayed = i < 6 || (i >= 9 && i < 17);
    t.is(v, decayed ? before[i] + -0.1 * (0 + 0.5 * before[i]) : before[i], `element ${i}`);
  });
});

test('per-layer learning rate: groups select by layer, the rest keep the base options', (t) => {
  const params = mixedParams();
  params.grads.fill(1);
  const before = params.values.slice();
  const opt = new SGD(params, { lr: 0.1, groups: [{ layers: [2, 4], lr: 0.01 }] });
  t.deepEqual(opt.lrs, [0.1, 0.01]);
  t.deepEqual(opt.group(1).ranges, [[9, 17], [19, 23]]);
  opt.step();
  params.values.forEach((v, i) => t.is(v, before[i] + -((i >= 9 && i < 17) || i >= 19 ? 0.01 : 0.1) * 1));
});

test('groups select by name and role too, the first matching group wins', (t) => {
  const params = mixedParams();
  const opt = new SGD(params, { lr: 0.1, groups: [{ names: ['p0'], lr: 0.3 }, { roles: ['weight'], lr: 0.2 }] });
  t.deepEqual(opt.lrs, [0.1, 0.3, 0.2]);
  t.deepEqual(opt.group(0).ranges, [[6, 9], [17, 23]]);
  t.deepEqual(opt.group(1).ranges, [[0, 6]]);
  t.deepEqual(opt.group(2).ranges, [[9, 17]]);
});

test('AdamW without decay on biases and norms leaves them untouched by a zero gradient', (t) => {
  const params = mixedParams();
  const before = params.values.slice();
  new AdamW(params, { lr: 0.1, weightDecay: 0.1, noDecayOn: ['bias', 'norm'] }).step();
  params.values.forEach((v, i) => {
    const decayed = i < 6 || (i >= 9 && i < 17);
    t.is(v, decayed ? before[i] * (1 - 0.1 * 0.1) : before[i]);
  });
});

test('a schedule sets every group, keeping their ratio', (t) => {
  const opt = new SGD(mixedParams(), { lr: 0.1, groups: [{ layers: [0], lr: 0.01 }] });
  opt.setLr(0, 0.05);
  opt.setLr(1, 0.005);
  t.deepEqual(opt.lrs, [0.05, 0.005]);
  t.is(opt.toSpec().groups[1].hyper.lr, 0.005);
});
