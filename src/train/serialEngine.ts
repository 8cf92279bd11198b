/**
 * Steps on the calling thread, built from the same pieces as the parallel runtime: the batch
 * is cut into the same micro-shards, dense layers' gradients computed over the whole batch and
 * other gradients summed per shard into slots reduced in order, by the same chunks, then the
 * same clipping and update. The dense layers are in deferred mode only during a step. It is the reference the
 * parallel runtime is tested against, and what `engine: 'serial'` runs.
 */
import type { Dataset } from '../data/dataset.js';
import type { Loss } from '../losses/loss.js';
import type { Model } from '../nn/model.js';
import type { Optimizer } from '../optim/optimizer.js';
import { BatchGrads, captureLength, slotsLength } from '../parallel/batchGrads.js';
import { chunkCount, CHUNK_SIZE, clipFactor, reduceChunk, reduceState, totalNorm, updateChunk, type ClipSettings } from '../parallel/reduce.js';
import { computeShard, stateMomenta, sumShards, type ShardContext } from '../parallel/shard.js';
import { allocate } from '../tensor/dtype.js';
import type { StepEngine, StepResult } from './engine.js';
import { throwNonFinite } from './update.js';

export class SerialEngine implements StepEngine {
  private ctx: ShardContext | null = null;
  private chunkSq: Float64Array = new Float64Array(0);
  private momenta: Float64Array = new Float64Array(0);
  private plan: Float64Array = new Float64Array(0);

  constructor(
    private readonly model: Model,
    private readonly loss: Loss,
    private readonly optimizer: Optimizer,
    private readonly clip: ClipSettings,
    private readonly seed: number,
    private readonly microShard: number,
  ) {}

  begin(data: Dataset, maxBatch: number): void {
    const { model } = this;
    const shards = Math.ceil(maxBatch / this.microShard);
    const ms = this.microShard;
    const yCols = data.y instanceof Int32Array ? 0 : data.y.cols;
    const batch = new BatchGrads(model, allocate(model.dtype, captureLength(model, shards * ms)), shards * ms);
    batch.detach();
    this.ctx = {
      model, loss: this.loss, seed: this.seed, microShard: ms, x: data.x, y: data.y, order: new Int32Array(0), batch,
      slots: allocate(model.dtype, slotsLength(model, shards)), stateSlots: allocate(model.dtype, shards * model.state.length),
      shardLoss: new Float64Array(shards), shardCorrect: new Int32Array(shards),
      bx: allocate(model.dtype, ms * data.x.cols), by: yCols === 0 ? new Int32Array(ms) : allocate(model.dtype, ms * yCols), grad: allocate(model.dtype, ms * model.outputs),
    };
    this.chunkSq = new Float64Array(batch.chunks.length);
    this.momenta = stateMomenta(model);
    this.plan = new Float64Array(this.optimizer.planLength);
  }

  step(data: Dataset, order: Int32Array, start: number, end: number, step: number): StepResult {
    const shards = Math.ceil((end - start) / this.microShard);
    if (!this.ctx || this.ctx.x !== data.x || shards > this.ctx.shardLoss.length) this.begin(data, end - start);
    const ctx: ShardContext = { ...this.ctx!, order };
    const { model } = this;
    ctx.batch.attach();
    try {
      for (let s = 0; s < shards; s++) computeShard(ctx, s, start, end, step);
    } finally {
      ctx.batch.detach();
      model.rebind(model.grads, model.state);
    }
    const p = model.paramCount;
    const gradChunks = ctx.batch.chunks.length;
    const rows = end - start;
    for (let c = 0; c < gradChunks; c++) this.chunkSq[c] = ctx.batch.computeChunk(c, model.grads, rows, 1 / rows, ctx.slots, shards, reduceChunk);
    const norm = totalNorm(this.chunkSq, gradChunks);
    const chunks = chunkCount(p);
    if (!Number.isFinite(norm)) throwNonFinite(model, step);
    this.optimizer.beginStep(this.plan);
    const factor = clipFactor(this.clip, norm);
    for (let c = 0; c < chunks; c++) updateChunk(this.optimizer, this.clip, factor, this.plan, c * CHUNK_SIZE, Math.min(p, (c + 1) * CHUNK_SIZE));
    reduceState(model.state, ctx.stateSlots, shards, this.momenta);
    return sumShards(ctx.shardLoss, ctx.shardCorrect, shards);
  }
}
