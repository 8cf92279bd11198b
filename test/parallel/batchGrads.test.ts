/**
 * Dense gradients over the whole batch (src/parallel/batchGrads.ts): the chunk plan, and the
 * gradients of a step against the layer contract's backward, shard by shard, summed.
 */
import test from 'ava';
import { makeDataset } from '../../src/data/dataset.js';
import { lossByName } from '../../src/losses/index.js';
import { activation } from '../../src/nn/activation.js';
import { batchNorm1d } from '../../src/nn/batchnorm.js';
import { dense } from '../../src/nn/dense.js';
import { dropout } from '../../src/nn/dropout.js';
import { Model } from '../../src/nn/model.js';
import { residual } from '../../src/nn/residual.js';
import { SGD } from '../../src/optim/sgd.js';
import { BatchGrads, captureLength, planChunks, slotsLength, slotStride } from '../../src/parallel/batchGrads.js';
import { CHUNK_SIZE } from '../../src/parallel/reduce.js';
import { Rng } from '../../src/rng.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { SerialEngine } from '../../src/train/serialEngine.js';

const buildOne = () =>
  new Model([dense(6, 10), batchNorm1d(10), activation('relu'), dropout(0.25), residual([dense(10, 10), activation('tanh')]), dense(10, 3, { bias: false })], { dtype: 'float64', seed: 3 });

test('the chunks cover every parameter once, in order; only batch norm goes through slots', (t) => {
  const model = buildOne();
  const chunks = planChunks(model);
  let at = 0;
  for (const c of chunks) {
    t.is(c.lo, at, 'contiguous');
    t.true(c.hi > c.lo && c.hi - c.lo <= Math.max(CHUNK_SIZE, 4 * 10));
    at = c.hi;
  }
  t.is(at, model.paramCount);
  const bn = model.entries.filter((e) => e.name.includes('batchnorm'));
  const slotValues = chunks.filter((c) => c.kind === 'slots').reduce((s, c) => s + c.hi - c.lo, 0);
  t.is(slotValues, bn.reduce((s, e) => s + e.size, 0), 'slot chunks are exactly the batch-norm parameters');
  t.deepEqual(chunks.map((c) => c.kind), ['weights', 'bias', 'slots', 'weights', 'bias', 'weights']);
  const batch = new BatchGrads(model, new Float64Array(captureLength(model, 8)), 8);
  t.deepEqual(batch.slotRanges, [[bn[0].offset, bn[0].offset + 20]]);
  t.deepEqual([...batch.order].sort((a, b) => a - b), chunks.map((_, i) => i), 'the claim order is a permutation of the chunks');
  t.is(slotStride(model), 20, 'slots are as far apart as the batch-norm parameters span');
  t.is(batch.slotStride, 20);
  t.is(slotsLength(model, 8), model.paramCount + 7 * 20);
  const mlp = new Model([dense(6, 10), activation('relu'), dense(10, 3)], { seed: 1 });
  t.is(slotStride(mlp), 0, 'dense layers and activations need no slot of their own');
  t.is(slotsLength(mlp, 8), mlp.paramCount);
  t.deepEqual([...batch.order].slice(0, 3).map((i) => chunks[i].kind), ['weights', 'weights', 'weights'], 'weight rows are claimed first');
});

test('a large layer is cut into row ranges of about CHUNK_SIZE values, a multiple of 4 rows', (t) => {
  const model = new Model([dense(300, 100), dense(100, 20000)], { seed: 1 });
  const w = planChunks(model).filter((c) => c.kind === 'weights' && c.layer === 0);
  t.is(w.length, Math.ceil(300 / 80));
  t.true(w.every((c) => c.r0 % 4 === 0 && (c.r1 - c.r0 === 80 || c.r1 === 300)));
  const wide = planChunks(model).filter((c) => c.layer === 1);
  t.true(wide.filter((c) => c.kind === 'weights').every((c) => c.r1 - c.r0 === 4 || c.r1 === 100), 'a row wider than a chunk: 4 rows at a time');
  t.is(wide.filter((c) => c.kind === 'bias').length, Math.ceil(20000 / CHUNK_SIZE));
});

/** Two batch norms with a dense layer between: slot ranges that are not contiguous, so slots overlap around a dense gap. */
const buildTwoNorms = () =>
  new Model([dense(6, 10), batchNorm1d(10), activation('relu'), dense(10, 10), batchNorm1d(10), activation('tanh'), dense(10, 3)], { dtype: 'float64', seed: 8 });

for (const [label, build] of [['dense, batch norm, dropout, residual', buildOne], ['two batch norms with a dense layer between', buildTwoNorms]] as const) test(`a step's gradients equal the layer contract's backward per micro-shard, summed, over the batch (float64, 1e-12): ${label}`, (t) => {
  const rng = new Rng(5);
  const rows = 11;
  const x = Array.from({ length: rows }, () => Array.from({ length: 6 }, () => rng.normal()));
  const targets = Array.from({ length: rows }, () => Array.from({ length: 3 }, () => rng.normal()));
  const data = makeDataset({ x, targets }, 'float64');
  const order = Int32Array.from({ length: rows }, (_, i) => (i * 7) % rows);
  const microShard = 4;
  const seed = 2;
  const step = 1;
  // The runtime's step: SGD with lr 1, so the update is exactly −gradient.
  const model = build();
  const before = model.params.slice();
  const engine = new SerialEngine(model, lossByName('mse'), new SGD(model.parameters(), { lr: 1 }), { clipNorm: null, clipValue: null }, seed, microShard);
  engine.step(data, order, 0, rows, step);
  const viaBatch = before.map((b, i) => b - model.params[i]);
  // The contract's backward, shard by shard, into one gradient array.
  const plain = build();
  plain.zeroGrad();
  const loss = lossByName('mse');
  for (let start = 0; start < rows; start += microShard) {
    const end = Math.min(rows, start + microShard);
    const ids = order.subarray(start, end);
    const bx = new Tensor(new Float64Array(Array.from(ids).flatMap((r) => x[r])), end - start, 6);
    const by = new Tensor(new Float64Array(Array.from(ids).flatMap((r) => targets[r])), end - start, 3);
    const pred = plain.forward(bx, { training: true, seed, step, sampleIds: ids });
    const g = Tensor.zeros('float64', pred.rows, pred.cols);
    loss.sumAndGrad(pred, by, g);
    plain.backward(g);
  }
  const expected = Array.from(plain.grads, (v) => v / rows);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(viaBatch[i] - expected[i]) / (Math.abs(expected[i]) + 1e-3));
  t.true(worst < 1e-12, `worst relative difference ${worst}`);
  t.true(expected.some((v) => Math.abs(v) > 1e-3), 'the gradients are not trivially zero');
  // After the step the layers are back to the contract: backward adds into the bound gradients.
  model.zeroGrad();
  const out = model.forward(new Tensor(new Float64Array(12), 2, 6), { training: true, seed, step });
  model.backward(new Tensor(new Float64Array(out.rows * out.cols).fill(1), out.rows, out.cols));
  t.true(model.grads.some((v) => v !== 0), 'the serial engine detached its capture');
});

test('a capture too small for the shard is a clear error, not a write past the buffer', (t) => {
  const model = new Model([dense(3, 2)], { dtype: 'float64', seed: 1 });
  const batch = new BatchGrads(model, new Float64Array(captureLength(model, 2)), 2);
  batch.cursor.row = 1;
  const out = model.forward(new Tensor(new Float64Array(6), 2, 3));
  t.throws(() => model.backward(out), { instanceOf: RangeError, message: /dense capture: rows 1…3 exceed its 2 rows/ });
  t.throws(() => new BatchGrads(model, new Float64Array(3), 2), { instanceOf: RangeError, message: /3 values, 10 needed for 2 rows/ });
});
