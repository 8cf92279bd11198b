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
import { Aborted, abort, checkAbort, CMD_EXIT, CTL, DECISION_AUTO, DECISION_CANCEL, DECISION_NONE, DECISION_REVOKED, DECISION_RUNNING, ERROR_THROWN, SLOT, slotBase, slotOf, wakeCoordinator } from './control.js';
import { BatchGrads, type Reducer } from './batchGrads.js';
import { chunkCount, CHUNK_SIZE, clipFactor, reduceState, totalNorm } from './reduce.js';
import { openViews, SPARE_WORKSPACES, STEP_LOG, STEP_LOG_ENTRY, TIMING, type RunSpec, type RunViews } from './runArena.js';
import { computeShard, shardRows, type ShardContext } from './shard.js';
import { spinBarrier, spinThenWait } from './spin.js';
import { WasmStep } from './wasmStep.js';

interface WorkerContext {
  runId: number;
  views: RunViews;
  /** Per queue slot: the shard context writing that slot's losses. */
  shards: readonly ShardContext[];
  optimizer: Optimizer;
  /** Reduction and update: WASM on the arena's arrays, the JS pieces of reduce.ts otherwise. */
  step: WasmStep;
  /** step.reduceChunk, bound once. */
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
    shardLoss: views.shardLoss[0], shardCorrect: views.shardCorrect[0],
    bx: arena.alloc(spec.dtype, ms * spec.cols),
    by: spec.yCols === 0 ? new Int32Array(ms) : arena.alloc(spec.dtype, ms * spec.yCols),
    grad: arena.alloc(spec.dtype, ms * spec.model.outputs),
  };
  const step = new WasmStep(new WasmStepKernels(arena), optimizer, spec.clip);
  const shards = views.shardLoss.map((shardLoss, s) => ({ ...shard, shardLoss, shardCorrect: views.shardCorrect[s] }));
  cached = { runId: spec.runId, views, shards, optimizer, step, reduce: step.reduceChunk.bind(step) };
  return cached;
}

function injectFault(spec: RunSpec, ctl: Int32Array, base: number, step: number, shard: number, phase: 'shard' | 'reduce' | 'update' = 'shard'): void {
  const f = spec.fault;
  if (!f || (f.phase ?? 'shard') !== phase || (f.step !== step && f.step !== -1) || (f.shard !== shard && f.shard !== -1)) return;
  if (Atomics.load(ctl, base + SLOT.ATTEMPT) >= f.times) return;
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

type Outcome = 'applied' | 'nonfinite' | 'cancelled';

/**
 * One step (queue sequence number `seq`), phases 1-3, timed into this thread's cells. Throws
 * Aborted when the coordinator gives the step up. A step that is only queued (DECISION_NONE)
 * computes its shards and reduction, which change nothing that persists, and waits before the
 * update until the coordinator applies or cancels it.
 */
function runStep(spec: RunSpec, ctx: WorkerContext, thread: number, seq: number): Outcome {
  const { ctl } = ctx.views;
  const b = slotBase(seq);
  const slot = slotOf(seq);
  // This thread's timing cells: timings[tb + TIMING.x] (no subarray a step: garbage).
  const { timings } = ctx.views;
  const tb = thread * TIMING.length;
  const t0 = performance.now();
  const step = Atomics.load(ctl, b + SLOT.STEP);
  const start = Atomics.load(ctl, b + SLOT.BATCH_START);
  const end = Atomics.load(ctl, b + SLOT.BATCH_END);
  const shards = Atomics.load(ctl, b + SLOT.SHARDS);
  const shardCtx = ctx.shards[slot];
  for (let s = Atomics.add(ctl, b + SLOT.SHARD_NEXT, 1); s < shards; s = Atomics.add(ctl, b + SLOT.SHARD_NEXT, 1)) {
    checkAbort(ctl);
    try {
      if (spec.fault) injectFault(spec, ctl, b, step, s);
      computeShard(shardCtx, s, start, end, step);
    } catch (e) {
      if (e instanceof Aborted) throw e;
      Atomics.store(ctl, CTL.ERROR_KIND, ERROR_THROWN);
      Atomics.store(ctl, CTL.ERROR_SHARD, s);
      abort(ctl);
      const [r0, r1] = shardRows(shardCtx, s, start, end);
      throw new Error(`micro-shard ${s} (rows ${r0}-${r1 - 1} of the epoch order) of step ${step} failed: ${(e as Error).message}`, { cause: e });
    }
  }
  const t1 = performance.now();
  spinBarrier(ctl, spinBudget(spec, SPIN_BARRIER_US));
  const t2 = performance.now();
  const { grads, slots, chunkSq } = ctx.views;
  const p = spec.paramCount;
  const { batch } = shardCtx;
  const gradChunks = batch.chunks.length;
  const rows = end - start;
  const invBatch = 1 / rows;
  let denseSeconds = 0;
  for (let i = Atomics.add(ctl, b + SLOT.REDUCE_NEXT, 1); i < gradChunks; i = Atomics.add(ctl, b + SLOT.REDUCE_NEXT, 1)) {
    const c = batch.order[i];
    if (spec.fault) injectFault(spec, ctl, b, step, c, 'reduce');
    const dense = batch.chunks[c].kind !== 'slots';
    const c0 = dense ? performance.now() : 0;
    chunkSq[c] = batch.computeChunk(c, grads, rows, invBatch, slots, shards, ctx.reduce);
    if (dense) denseSeconds += performance.now() - c0;
  }
  const t3 = performance.now();
  spinBarrier(ctl, spinBudget(spec, SPIN_BARRIER_US));
  // A queued step waits here for the coordinator's decision (normally long since taken).
  if (Atomics.load(ctl, b + SLOT.DECISION) === DECISION_NONE) spinThenWait(ctl, b + SLOT.DECISION, DECISION_NONE, spinBudget(spec, SPIN_BARRIER_US));
  // The last thread at a barrier does not wait, so it checks here: an aborted step must never
  // reach the update, which cannot be redone.
  checkAbort(ctl);
  const t4 = performance.now();
  timings[tb + TIMING.forwardBackward] += (t1 - t0) / 1000;
  timings[tb + TIMING.reduce] += (t3 - t2 - denseSeconds) / 1000;
  timings[tb + TIMING.weightGrads] += denseSeconds / 1000;
  timings[tb + TIMING.wait] += (t2 - t1 + t4 - t3) / 1000;
  const { stepLog } = ctx.views;
  const log = (thread * STEP_LOG + (seq % STEP_LOG)) * STEP_LOG_ENTRY;
  stepLog[log] = seq;
  stepLog[log + 1] = t0;
  stepLog[log + 2] = (t1 - t0 + denseSeconds) / 1000;
  if (Atomics.load(ctl, b + SLOT.DECISION) === DECISION_CANCEL) return 'cancelled';
  const norm = totalNorm(chunkSq, gradChunks);
  const chunks = chunkCount(p);
  if (!Number.isFinite(norm)) {
    Atomics.store(ctl, b + SLOT.NONFINITE, 1);
    return 'nonfinite';
  }
  const factor = clipFactor(spec.clip, norm);
  const plan = ctx.views.plan[slot];
  for (;;) {
    checkAbort(ctl);
    const c = Atomics.add(ctl, b + SLOT.UPDATE_NEXT, 1);
    if (c > chunks) break;
    // Set before the chunk changes: the coordinator reads it after every task has ended.
    Atomics.store(ctl, b + SLOT.UPDATING, 1);
    if (c === chunks) reduceState(ctx.views.state, ctx.views.stateSlots, shards, ctx.views.momenta);
    else ctx.step.updateChunk(factor, plan, c * CHUNK_SIZE, Math.min(p, (c + 1) * CHUNK_SIZE));
    if (spec.fault) injectFault(spec, ctl, b, step, c, 'update'); // after chunk c: partly updated
  }
  timings[tb + TIMING.update] += (performance.now() - t4) / 1000;
  return 'applied';
}

/**
 * After step `seq` − 1, whose gradients were not finite, step `seq` waits until the coordinator
 * has decided it (a step queued behind it is cancelled or applied; an auto-applied one revoked)
 * or, for an auto-applied step, has seen the non-finite one (NONFINITE_SEEN: a new run). Then
 * every thread sees the same, final decision.
 */
function waitAfterNonFinite(ctl: Int32Array, b: number, seq: number): void {
  const i = b + SLOT.DECISION;
  // A queued step (NONE) waits for its decision; an auto-applied one until the coordinator has seen step seq − 1.
  for (let d = Atomics.load(ctl, i); d === DECISION_NONE || (d === DECISION_AUTO && Atomics.load(ctl, CTL.NONFINITE_SEEN) < seq - 1); d = Atomics.load(ctl, i)) {
    checkAbort(ctl);
    Atomics.wait(ctl, i, d, 200);
  }
  checkAbort(ctl);
}

/**
 * The task: serve queued steps in sequence until told to exit or aborted. Every thread finishes
 * step n (a barrier whose last arrival publishes DONE_SEQ = n) before any starts step n + 1, so
 * the next step's shards never read parameters that are being updated. After a step whose
 * gradients were not finite, the next one is not started until the coordinator decides on it.
 */
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
  // The oldest step not finished by every thread (a restart after a fault redoes it).
  let seq = Atomics.load(ctl, CTL.DONE_SEQ) + 1;
  // A restart after a step whose gradients were not finite waits as the threads before it did
  // (that step's slot is intact: it is issued again only once that step's result is taken, and
  // a finite step's slot says so).
  let previous: Outcome = seq > 1 && Atomics.load(ctl, slotBase(seq - 1) + SLOT.NONFINITE) !== 0 ? 'nonfinite' : 'applied';
  const thread = Atomics.add(ctl, CTL.READY, 1);
  Atomics.notify(ctl, CTL.READY);
  // How long to spin before sleeping while waiting for the next step to be issued.
  let nextSpin = spinBudget(spec, SPIN_STEP_US);
  try {
    for (;;) {
      for (let issued = Atomics.load(ctl, CTL.ISSUED); issued < seq; issued = Atomics.load(ctl, CTL.ISSUED)) {
        if (Atomics.load(ctl, CTL.CMD) === CMD_EXIT) return 'exit';
        spinThenWait(ctl, CTL.ISSUED, issued, nextSpin);
      }
      if (Atomics.load(ctl, CTL.CMD) === CMD_EXIT) return 'exit';
      const b = slotBase(seq);
      // Every thread must take the same path through a step, so a cancellation is only acted on
      // where all of them see the same decision: at the start (an auto-applied step is claimed
      // or revoked once, by compareExchange), after a non-finite step (the coordinator decides
      // on everything queued behind it), and at the gate of a queued step.
      if (previous === 'nonfinite') waitAfterNonFinite(ctl, b, seq);
      const decision = Atomics.compareExchange(ctl, b + SLOT.DECISION, DECISION_AUTO, DECISION_RUNNING);
      // A queued step's cancellation may land between two threads' starts, so it is acted on at
      // the step's gate; after a non-finite step it is final before any thread starts.
      const skip: boolean = decision === DECISION_REVOKED || (decision === DECISION_CANCEL && previous === 'nonfinite');
      // Read before the step ends: the coordinator may issue another step into this slot after.
      const lastOfRun = Atomics.load(ctl, b + SLOT.LAST_OF_RUN) !== 0;
      previous = skip ? 'cancelled' : runStep(spec, ctx, thread, seq);
      if (Atomics.add(ctl, b + SLOT.DONE_COUNT, 1) === Atomics.load(ctl, CTL.PARTIES) - 1) {
        Atomics.store(ctl, CTL.DONE_SEQ, seq);
        Atomics.notify(ctl, CTL.DONE_SEQ);
        wakeCoordinator(ctl, seq, previous === 'nonfinite');
      } else {
        const t = performance.now();
        spinThenWait(ctl, CTL.DONE_SEQ, seq - 1, spinBudget(spec, SPIN_BARRIER_US));
        ctx.views.timings[thread * TIMING.length + TIMING.wait] += (performance.now() - t) / 1000;
      }
      seq++;
      // After a run's last step the coordinator has work to do before the next: no spin.
      nextSpin = lastOfRun ? 0 : spinBudget(spec, SPIN_STEP_US);
    }
  } catch (e) {
    if (e instanceof Aborted) return 'aborted';
    throw e;
  }
}
