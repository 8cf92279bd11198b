/**
 * The body of a worker thread's one long-lived task: wait for a step, take micro-shards until
 * none are left, meet the others at a barrier, reduce chunks of the gradients, meet again,
 * clip and update chunks, and report. Per step nothing crosses threads but the control cells.
 * The model, kernels and buffers are cached per thread and run, so a task restarted after a
 * fault on a surviving thread allocates nothing new.
 */
import { availableParallelism } from 'node:os';
import { WasmArena } from '../kernels/arena.js';
import { setKernels } from '../kernels/kernels.js';
import { WasmKernels } from '../kernels/wasm-kernels.js';
import { WasmStepKernels } from '../kernels/wasm-reduce.js';
import { lossByName } from '../losses/index.js';
import { Model } from '../nn/model.js';
import type { Optimizer } from '../optim/optimizer.js';
import { optimizerFromSpec } from '../optim/registry.js';
import { Aborted, abort, checkAbort, CMD_EXIT, CTL, ERROR_THROWN } from './control.js';
import { BatchGrads, type Reducer } from './batchGrads.js';
import { chunkCount, CHUNK_SIZE, clipFactor, reduceState, totalNorm } from './reduce.js';
import { openViews, SPARE_WORKSPACES, TIMING, type RunSpec, type RunViews } from './runArena.js';
import { computeShard, type ShardContext } from './shard.js';
import { spinBarrier, spinThenWait } from './spin.js';
import { WasmStep } from './wasmStep.js';

interface WorkerContext {
  runId: number;
  views: RunViews;
  shard: ShardContext;
  optimizer: Optimizer;
  /** Reduction and update: WASM on the arena's arrays, the JS pieces of reduce.ts otherwise. */
  step: WasmStep;
  /** ctx.step.reduceChunk, bound once. */
  reduce: Reducer;
}

let cached: WorkerContext | null = null;

/**
 * Spin budgets (µs) before sleeping at a barrier and between steps (spin.ts); 0 when the run has
 * more threads than cores, where a spinning thread would take a core from one still working.
 */
const SPIN_BARRIER_US = 200;
const SPIN_STEP_US = 300;
const spinBudget = (spec: RunSpec, micros: number) => (spec.threads <= availableParallelism() ? micros : 0);

function context(spec: RunSpec): WorkerContext {
  if (cached && cached.runId === spec.runId) return cached;
  const arena = WasmArena.open(spec.arena);
  setKernels(new WasmKernels(arena));
  const views = openViews(arena, spec);
  const p = spec.paramCount;
  const q = spec.stateCount;
  const model = Model.fromConfig(spec.model, { allocator: arena, arrays: { params: views.params, grads: views.slots.subarray(0, p), state: views.stateSlots.subarray(0, q) } });
  const optimizer = optimizerFromSpec(spec.optimizer, { dtype: spec.dtype, values: views.params, grads: views.grads, entries: model.entries }, views.optimizerState);
  const ms = spec.microShard;
  const shard: ShardContext = {
    model, loss: lossByName(spec.loss), seed: spec.seed, microShard: ms,
    x: views.x, y: views.y, order: views.order, batch: new BatchGrads(model, views.captures, spec.maxShards * ms), slots: views.slots, stateSlots: views.stateSlots,
    shardLoss: views.shardLoss, shardCorrect: views.shardCorrect,
    bx: arena.alloc(spec.dtype, ms * spec.cols),
    by: spec.yCols === 0 ? new Int32Array(ms) : arena.alloc(spec.dtype, ms * spec.yCols),
    grad: arena.alloc(spec.dtype, ms * spec.model.outputs),
  };
  const step = new WasmStep(new WasmStepKernels(arena), optimizer, spec.clip);
  cached = { runId: spec.runId, views, shard, optimizer, step, reduce: step.reduceChunk.bind(step) };
  return cached;
}

function injectFault(spec: RunSpec, ctl: Int32Array, step: number, shard: number, phase: 'shard' | 'reduce' = 'shard'): void {
  const f = spec.fault;
  if (!f || (f.phase ?? 'shard') !== phase || (f.step !== step && f.step !== -1) || (f.shard !== shard && f.shard !== -1)) return;
  if (Atomics.load(ctl, CTL.ATTEMPT) >= f.times) return;
  if (f.kind === 'throw') throw new Error(`injected fault at step ${step}, shard ${shard}`);
  if (f.kind === 'exit') process.exit(3);
  if (f.kind === 'hang') for (;;);
  if (f.kind === 'slow') {
    // Alive but late: finishes its shard after the deadline.
    for (const end = performance.now() + (f.ms ?? 0); performance.now() < end;);
    return;
  }
  const hog: number[][] = [];
  for (;;) hog.push(new Array(1 << 20).fill(Math.random()));
}

/** One step, phases 1-3, timed into this thread's cells. Throws Aborted when the coordinator gives the step up. */
function runStep(spec: RunSpec, ctx: WorkerContext, thread: number): void {
  const { ctl } = ctx.views;
  const times = ctx.views.timings.subarray(thread * TIMING.length, (thread + 1) * TIMING.length);
  const t0 = performance.now();
  const step = Atomics.load(ctl, CTL.STEP);
  const start = Atomics.load(ctl, CTL.BATCH_START);
  const end = Atomics.load(ctl, CTL.BATCH_END);
  const shards = Atomics.load(ctl, CTL.SHARDS);
  for (let s = Atomics.add(ctl, CTL.SHARD_NEXT, 1); s < shards; s = Atomics.add(ctl, CTL.SHARD_NEXT, 1)) {
    checkAbort(ctl);
    try {
      injectFault(spec, ctl, step, s);
      computeShard(ctx.shard, s, start, end, step);
    } catch (e) {
      if (e instanceof Aborted) throw e;
      Atomics.store(ctl, CTL.ERROR_KIND, ERROR_THROWN);
      Atomics.store(ctl, CTL.ERROR_SHARD, s);
      abort(ctl);
      throw new Error(`micro-shard ${s} (rows ${start + s * spec.microShard}…) of step ${step} failed: ${(e as Error).message}`, { cause: e });
    }
  }
  const t1 = performance.now();
  spinBarrier(ctl, spinBudget(spec, SPIN_BARRIER_US));
  const t2 = performance.now();
  const { grads, slots, chunkSq } = ctx.views;
  const p = spec.paramCount;
  const { batch } = ctx.shard;
  const gradChunks = batch.chunks.length;
  const rows = end - start;
  const invBatch = 1 / rows;
  let denseSeconds = 0;
  for (let c = Atomics.add(ctl, CTL.REDUCE_NEXT, 1); c < gradChunks; c = Atomics.add(ctl, CTL.REDUCE_NEXT, 1)) {
    if (spec.fault) injectFault(spec, ctl, step, c, 'reduce');
    const dense = batch.chunks[c].kind !== 'slots';
    const c0 = dense ? performance.now() : 0;
    chunkSq[c] = batch.computeChunk(c, grads, rows, invBatch, slots, shards, ctx.reduce);
    if (dense) denseSeconds += performance.now() - c0;
  }
  const t3 = performance.now();
  spinBarrier(ctl, spinBudget(spec, SPIN_BARRIER_US));
  // The last thread at a barrier does not wait, so it checks here: an aborted step must never
  // reach the update, which cannot be redone.
  checkAbort(ctl);
  const t4 = performance.now();
  times[TIMING.forwardBackward] += (t1 - t0) / 1000;
  times[TIMING.reduce] += (t3 - t2 - denseSeconds) / 1000;
  times[TIMING.weightGrads] += denseSeconds / 1000;
  times[TIMING.wait] += (t2 - t1 + t4 - t3) / 1000;
  const norm = totalNorm(chunkSq, gradChunks);
  const chunks = chunkCount(p);
  if (!Number.isFinite(norm)) {
    Atomics.store(ctl, CTL.NONFINITE, 1);
    return;
  }
  const factor = clipFactor(spec.clip, norm);
  for (;;) {
    checkAbort(ctl);
    const c = Atomics.add(ctl, CTL.UPDATE_NEXT, 1);
    if (c > chunks) break;
    // Set before the chunk changes: the coordinator reads it after every task has ended.
    Atomics.store(ctl, CTL.UPDATING, 1);
    if (c === chunks) reduceState(ctx.views.state, ctx.views.stateSlots, shards, ctx.views.momenta);
    else ctx.step.updateChunk(factor, ctx.views.plan, c * CHUNK_SIZE, Math.min(p, (c + 1) * CHUNK_SIZE));
  }
  times[TIMING.update] += (performance.now() - t4) / 1000;
}

/** The task: serve steps until told to exit or aborted. Returns how it ended. */
export function serveRun(spec: RunSpec): 'exit' | 'aborted' {
  let ctx: WorkerContext;
  try {
    ctx = context(spec);
  } catch (e) {
    if (e instanceof RangeError && /WasmArena is full/.test(e.message)) {
      throw new Error(`no room left in this run's arena for a new worker thread's buffers: too many threads were replaced after crashes or hangs (${SPARE_WORKSPACES} spare)`, { cause: e });
    }
    throw e;
  }
  const { ctl } = ctx.views;
  let gen = Atomics.load(ctl, CTL.STEP_GEN);
  const thread = Atomics.add(ctl, CTL.READY, 1);
  Atomics.notify(ctl, CTL.READY);
  try {
    for (;;) {
      spinThenWait(ctl, CTL.STEP_GEN, gen, spinBudget(spec, SPIN_STEP_US));
      gen = Atomics.load(ctl, CTL.STEP_GEN);
      if (Atomics.load(ctl, CTL.CMD) === CMD_EXIT) return 'exit';
      runStep(spec, ctx, thread);
      if (Atomics.add(ctl, CTL.DONE_COUNT, 1) === Atomics.load(ctl, CTL.PARTIES) - 1) {
        Atomics.add(ctl, CTL.DONE_GEN, 1);
        Atomics.notify(ctl, CTL.DONE_GEN);
      }
    }
  } catch (e) {
    if (e instanceof Aborted) return 'aborted';
    throw e;
  }
}
