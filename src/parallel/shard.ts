/**
 * One micro-shard's forward and backward: the unit of work of the parallel runtime. Dense layers
 * store their inputs and dL/dY at the shard's rows of the batch-wide buffers (batchGrads.ts);
 * any other parameter's summed gradient goes into the shard's own slot and its running-statistic
 * contributions into its own state slot. So redoing a shard overwrites exactly what it wrote
 * before.
 */
import type { Loss } from '../losses/loss.js';
import { BatchNorm1d } from '../nn/batchnorm.js';
import type { Layer } from '../nn/layer.js';
import type { Model } from '../nn/model.js';
import type { FloatArray } from '../tensor/dtype.js';
import { Tensor } from '../tensor/tensor.js';
import type { StepResult } from '../train/engine.js';
import { countCorrect } from '../train/metrics.js';
import type { BatchGrads } from './batchGrads.js';

/** What one thread needs to compute shards: shared arrays plus its private batch buffers. */
export interface ShardContext {
  readonly model: Model;
  readonly loss: Loss;
  readonly seed: number;
  readonly microShard: number;
  /** The whole training set, in shared memory. */
  readonly x: Tensor;
  readonly y: Int32Array | Tensor;
  /** This epoch's data order. */
  readonly order: Int32Array;
  /** The model's dense layers, attached: their inputs and dL/dY for the whole batch. */
  readonly batch: BatchGrads;
  readonly slots: FloatArray;
  readonly stateSlots: FloatArray;
  readonly shardLoss: Float64Array;
  readonly shardCorrect: Int32Array;
  /** Private buffers of at least microShard rows. */
  readonly bx: FloatArray;
  readonly by: FloatArray | Int32Array;
  readonly grad: FloatArray;
}

/**
 * Rows of micro-shard `s` of the batch [batchStart, batchEnd): microShard rows each, the last one
 * what is left. With batch norm in the model (running statistics), which needs 2 rows, a last
 * shard of 1 row is avoided: the last two shards split microShard + 1 rows between them (17 and
 * 16 for 32). This depends on the batch and the model only, never on the threads.
 */
export function shardRows(ctx: Pick<ShardContext, 'microShard' | 'model'>, s: number, batchStart: number, batchEnd: number): [number, number] {
  const ms = ctx.microShard;
  const rows = batchEnd - batchStart;
  const shards = Math.ceil(rows / ms);
  if (shards >= 2 && rows - (shards - 1) * ms === 1 && ctx.model.hasBatchNorm && s >= shards - 2) {
    const first = Math.ceil((ms + 1) / 2);
    const start = batchStart + (shards - 2) * ms + (s === shards - 2 ? 0 : first);
    return [start, s === shards - 2 ? start + first : batchEnd];
  }
  const start = batchStart + s * ms;
  return [start, Math.min(batchEnd, start + ms)];
}

export function computeShard(ctx: ShardContext, s: number, batchStart: number, batchEnd: number, step: number): void {
  const { model, x, y, order } = ctx;
  const [start, end] = shardRows(ctx, s, batchStart, batchEnd);
  const n = end - start;
  const q = model.state.length;
  // Only the parameters of layers other than dense ones (batch norm's) and running statistics go
  // through the shard's slots. A model without them writes nothing there and keeps its binding:
  // rebinding lays the whole model out again (~4 µs and ~6 KB of garbage a shard, for V8's
  // scavenger, whose helper threads then take a core from a worker).
  if (ctx.batch.slotRanges.length > 0 || q > 0) {
    const at = s * ctx.batch.slotStride;
    const slot = ctx.slots.subarray(at, at + model.paramCount);
    const stateSlot = ctx.stateSlots.subarray(s * q, (s + 1) * q);
    for (const [lo, hi] of ctx.batch.slotRanges) slot.fill(0, lo, hi);
    stateSlot.fill(0);
    model.rebind(slot, stateSlot);
  }
  const row = start - batchStart;
  ctx.batch.cursor.row = row;
  const rows = ctx.batch.inputRows(row, n) ?? ctx.bx;
  const bx = new Tensor(rows, n, x.cols);
  gatherRows(rows, x.data, x.cols, order, start, n);
  let target: Int32Array | Tensor;
  if (y instanceof Int32Array) {
    const labels = (ctx.by as Int32Array).subarray(0, n);
    for (let i = 0; i < n; i++) labels[i] = y[order[start + i]];
    target = labels;
  } else {
    const by = ctx.by as FloatArray;
    gatherRows(by, y.data, y.cols, order, start, n);
    target = new Tensor(by, n, y.cols);
  }
  const pred = model.forward(bx, { training: true, seed: ctx.seed, step, sampleIds: order.subarray(start, end) });
  const grad = new Tensor(ctx.grad, pred.rows, pred.cols);
  ctx.shardLoss[s] = ctx.loss.sumAndGrad(pred, target, grad);
  ctx.shardCorrect[s] = countCorrect(pred, target, ctx.loss.decision);
  model.backward(grad);
}

/** A view of the whole buffer that `a` and `b` are views of (the arena), or null: see gatherRows. */
function heapOf(a: FloatArray, b: FloatArray): FloatArray | null {
  if (a.buffer !== b.buffer || a.constructor !== b.constructor) return null;
  const View = a.constructor as Float32ArrayConstructor | Float64ArrayConstructor;
  if (a.buffer.byteLength % View.BYTES_PER_ELEMENT !== 0) return null;
  return new View(a.buffer as ArrayBuffer);
}

/**
 * Rows i = 0 … n−1 of `dst` = rows order[start + i] of `src`, `cols` wide. In the worker threads
 * both are views of the arena, and copyWithin on one view of all of it moves the rows without a
 * subarray per row (garbage for V8's scavenger, whose helper threads take a worker's core).
 */
function gatherRows(dst: FloatArray, src: FloatArray, cols: number, order: Int32Array, start: number, n: number): void {
  // copyWithin on the whole arena would not stop at dst's end, as set() does.
  if (n * cols > dst.length) throw new RangeError(`gathering ${n} rows of ${cols} values into a buffer of ${dst.length}`);
  const whole = heapOf(dst, src);
  if (whole === null) {
    for (let i = 0; i < n; i++) {
      const r = order[start + i];
      dst.set(src.subarray(r * cols, (r + 1) * cols), i * cols);
    }
    return;
  }
  const d = dst.byteOffset / dst.BYTES_PER_ELEMENT;
  const s = src.byteOffset / src.BYTES_PER_ELEMENT;
  for (let i = 0; i < n; i++) {
    const r = s + order[start + i] * cols;
    whole.copyWithin(d + i * cols, r, r + cols);
  }
}

/** The step's loss sum and correct count: the shards' own, added in shard order. */
export function sumShards(shardLoss: Float64Array, shardCorrect: Int32Array, shards: number): StepResult {
  let lossSum = 0;
  let correct = 0;
  for (let s = 0; s < shards; s++) {
    lossSum += shardLoss[s];
    correct += shardCorrect[s];
  }
  return { lossSum, correct };
}

/** The momentum that applies to each running-statistic value, in the model's state layout. */
export function stateMomenta(model: Model): Float64Array {
  const out: number[] = [];
  const walk = (l: Layer) => {
    if (l instanceof BatchNorm1d) for (let i = 0; i < 2 * l.features; i++) out.push(l.momentum);
    l.children().forEach(walk);
  };
  model.layers.forEach(walk);
  if (out.length !== model.state.length) throw new Error(`running statistics layout: ${out.length} momenta for ${model.state.length} values`);
  return Float64Array.from(out);
}
