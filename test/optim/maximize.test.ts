/**
 * `maximize` (every optimizer, as in PyTorch): the rule sees −g, before any weight decay, so
 * ascending on g is descending on −g bit for bit; the gradients are left as computed. Checked
 * on the JS rules and on the WASM update the worker threads run (Adam, SGD).
 */
import test from 'ava';
import { makeDataset } from '../../src/data/dataset.js';
import { activation } from '../../src/nn/activation.js';
import { dense } from '../../src/nn/dense.js';
import { Model } from '../../src/nn/model.js';
import { createOptimizer } from '../../src/optim/registry.js';
import type { OptimizerName } from '../../src/optim/rule.js';
import { Trainer } from '../../src/train/trainer.js';
import { CONFIGS, mixedParams, testGrad } from './helpers.js';

for (const [name, options] of CONFIGS) {
  test(`${name} ${JSON.stringify(options)}: maximize on g equals minimizing on −g, and leaves g as it was`, (t) => {
    const up = mixedParams();
    const down = mixedParams();
    const ascend = createOptimizer(name as OptimizerName, up, { ...options, maximize: true });
    const descend = createOptimizer(name as OptimizerName, down, options);
    for (let k = 0; k < 15; k++) {
      testGrad(up.values, up.grads as Float64Array);
      const g = Float64Array.from(up.grads);
      down.grads.set(g.map((v) => -v));
      ascend.step();
      descend.step();
      t.deepEqual(up.grads, g, `step ${k + 1}: the gradients are not left negated`);
    }
    t.deepEqual(up.values, down.values);
    t.notDeepEqual(up.values, mixedParams().values, 'the parameters moved');
  });
}

test('maximize is a boolean, per group too', (t) => {
  t.throws(() => createOptimizer('adam', mixedParams(), { maximize: 1 as never }), { message: /options\.maximize must be a boolean, got 1/ });
  t.throws(() => createOptimizer('sgd', mixedParams(), { groups: [{ layers: [0], maximize: 'yes' as never }] }), { message: /sgd options\.groups\[0\]: options\.maximize must be a boolean/ });
});

for (const name of ['adam', 'sgd'] as const) {
  test(`${name}, maximize: the worker threads' WASM update (2 threads) equals the serial engine's JS rule, float64 bit for bit`, async (t) => {
    const x = Array.from({ length: 64 }, (_, i) => [Math.sin(i), Math.cos(3 * i)]);
    const data = makeDataset({ x, labels: x.map((r) => (r[0] * r[1] > 0 ? 1 : 0)), classes: 2 }, 'float64');
    const run = async (engine: 'parallel' | 'serial', maximize: boolean) => {
      const model = new Model([dense(2, 16), activation('tanh'), dense(16, 2)], { dtype: 'float64', seed: 4 });
      const optimizer = createOptimizer(name, model.parameters(), { lr: 0.01, weightDecay: 0.01, maximize, ...(name === 'sgd' ? { momentum: 0.9 } : {}) } as never);
      await new Trainer(model, { optimizer, loss: 'softmax-cross-entropy', epochs: 3, batchSize: 32, microShard: 8, seed: 1, engine, threads: 2 }).fit(data);
      return model.params;
    };
    const parallel = await run('parallel', true);
    t.deepEqual(parallel, await run('serial', true));
    t.notDeepEqual(parallel, await run('parallel', false), 'maximize changes the result');
  });
}
