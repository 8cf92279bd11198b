/**
 * The tutorial's worked example: inputs (2, 3), target 5, a hidden unit h1 = 2·w1 + 3·w2 and
 * an output y = h1·w3, weights w1 = 0.5, w2 = 0.8, w3 = 1.2, no biases, no activation, loss
 * ½·error². Every number printed comes from gradpool's own Dense layers, loss and SGD.
 */
import { halfSquaredError } from '../src/losses/index.js';
import { dense } from '../src/nn/dense.js';
import { INFERENCE } from '../src/nn/layer.js';
import { Model } from '../src/nn/model.js';
import { SGD } from '../src/optim/sgd.js';
import { Tensor } from '../src/tensor/tensor.js';
import { fmt, type Log } from './format.js';

export interface WorkedResult {
  h1: number;
  y: number;
  error: number;
  gradients: { w1: number; w2: number; w3: number };
  after: { w1: number; w2: number; w3: number };
}

export function worked(log: Log = console.log): WorkedResult {
  const model = new Model([dense(2, 1, { bias: false }), dense(1, 1, { bias: false })], { dtype: 'float64' });
  model.setWeights([{ W: [[0.5], [0.8]] }, { W: [[1.2]] }]);
  const x = new Tensor(Float64Array.of(2, 3), 1, 2);
  const target = new Tensor(Float64Array.of(5), 1, 1);
  const h1 = model.layers[0].forward(x, INFERENCE).data[0];
  const pred = model.forward(x);
  const y = pred.data[0];
  const grad = Tensor.zeros('float64', 1, 1);
  halfSquaredError.sumAndGrad(pred, target, grad);
  const error = -grad.data[0]; // dE/dy = y − target, so the error (target − y) is its negative
  log(`forward:  h1 = 2·w1 + 3·w2 = ${fmt(h1)},  y = h1·w3 = ${fmt(y)},  error = target − y = ${fmt(error)}`);
  model.zeroGrad();
  model.backward(grad);
  // Flat layout: [w1, w2] of the first Dense layer, then [w3] of the second.
  const [g1, g2, g3] = model.grads;
  log(`backward: |dE/dw3| = ${fmt(Math.abs(g3))},  |dE/dw1| = ${fmt(Math.abs(g1))},  |dE/dw2| = ${fmt(Math.abs(g2))}`);
  new SGD(model.parameters(), { lr: 0.01 }).step();
  const [w1, w2, w3] = model.params;
  log(`after one step of gradient descent (lr 0.01): w1=${fmt(w1)}, w2=${fmt(w2)}, w3=${fmt(w3)}`);
  return { h1, y, error, gradients: { w1: Math.abs(g1), w2: Math.abs(g2), w3: Math.abs(g3) }, after: { w1, w2, w3 } };
}
