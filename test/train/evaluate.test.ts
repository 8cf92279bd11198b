import test from 'ava';
import { makeDataset } from '../../src/data/dataset.js';
import { kernels, referenceKernels } from '../../src/kernels/kernels.js';
import { softmaxCrossEntropy } from '../../src/losses/index.js';
import { activation } from '../../src/nn/activation.js';
import { batchNorm1d } from '../../src/nn/batchnorm.js';
import { dense } from '../../src/nn/dense.js';
import { Model } from '../../src/nn/model.js';
import { Rng } from '../../src/rng.js';
import { evaluate } from '../../src/train/evaluate.js';
import { countCorrect } from '../../src/train/metrics.js';
import { Tensor } from '../../src/tensor/tensor.js';

for (const dtype of ['float32', 'float64'] as const) {
  test(`evaluate (WASM kernels on a scratch arena) agrees with the reference forward (${dtype})`, (t) => {
    const rng = new Rng(2);
    const x = Array.from({ length: 1300 }, () => Array.from({ length: 20 }, () => rng.normal()));
    const data = makeDataset({ x, labels: x.map((r) => (r[0] > 0 ? 1 : 0) + (r[1] > 0 ? 2 : 0)), classes: 4 }, dtype);
    const model = new Model([dense(20, 33), batchNorm1d(33), activation('tanh'), dense(33, 4)], { dtype, seed: 3 });
    model.state.set(model.state.map((_, i) => 0.3 + (i % 5) / 10));
    const before = model.params.slice();
    t.is(kernels(), referenceKernels);
    const fast = evaluate(model, data, softmaxCrossEntropy, 512);
    t.is(kernels(), referenceKernels, 'the thread kernels are restored');
    t.deepEqual(model.params, before, "the model's arrays are not touched");
    // The reference: one forward over all rows with the plain kernels.
    const pred = model.forward(new Tensor(data.x.data, data.size, 20));
    const loss = softmaxCrossEntropy.sumAndGrad(pred, data.y, null) / data.size;
    const accuracy = countCorrect(pred, data.y, 'argmax') / data.size;
    t.true(Math.abs(fast.loss - loss) <= (dtype === 'float64' ? 1e-12 : 1e-5) * Math.abs(loss), `${fast.loss} vs ${loss}`);
    t.true(Math.abs(fast.accuracy! - accuracy) <= (dtype === 'float64' ? 0 : 2 / data.size));
    t.deepEqual(evaluate(model, data, 'softmax-cross-entropy', 512), fast, 'the loss by name, as the trainer takes it');
    t.throws(() => evaluate(model, data, 'nope'), { message: /nope/ });
  });
}

test('evaluate refuses a chunk that is not a positive integer (0 looped for ever)', (t) => {
  const model = new Model([dense(2, 2)], { dtype: 'float64' });
  const data = makeDataset({ x: [[1, 2], [3, 4]], labels: [0, 1], classes: 2 }, 'float64');
  for (const chunk of [0, -5, 1.5, NaN]) t.throws(() => evaluate(model, data, 'softmax-cross-entropy', chunk), { message: /evaluate chunk must be a positive integer/ });
});
