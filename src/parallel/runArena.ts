/**
 * The shared arena of one training run: parameters, reduced gradients, one gradient slot and
 * one running-statistics slot per micro-shard, optimizer state, the training data, the
 * epoch's order, per-shard losses, per-chunk sums of squares, the optimizer's per-step plan,
 * the control block, and room for each worker's private buffers. The coordinator creates it;
 * each worker re-opens it from the `RunSpec`, a plain structured-cloneable object.
 */
import type { Dataset } from '../data/dataset.js';
import { WasmArena, type ArenaHandle } from '../kernels/arena.js';
import { SCRATCH_BYTES } from '../kernels/wasm-module.js';
import type { ModelConfig } from '../nn/model.js';
import { Model } from '../nn/model.js';
import type { Optimizer, OptimizerSpec } from '../optim/optimizer.js';
import { bytesPer, heapAllocator, viewOf, type Allocator, type DType, type FloatArray } from '../tensor/dtype.js';
import { Tensor } from '../tensor/tensor.js';
import { CTL_LENGTH, QUEUE_SLOTS } from './control.js';
import { captureLength, planChunks, slotsLength } from './batchGrads.js';
import { type ClipSettings } from './reduce.js';

/** Offsets (bytes) of the run's arrays in the arena. */
interface Offsets {
  ctl: number;
  params: number;
  grads: number;
  state: number;
  momenta: number;
  slots: number;
  stateSlots: number;
  shardLoss: number;
  shardCorrect: number;
  chunkSq: number;
  captures: number;
  timings: number;
  stepLog: number;
  plan: number;
  x: number;
  y: number;
  order: number;
  optimizer: Record<string, number>;
}

/** What each thread's timing cells hold, in seconds, summed over the run. */
export const TIMING = Object.freeze({ forwardBackward: 0, reduce: 1, update: 2, wait: 3, weightGrads: 4, length: 5 });
/** Steps the per-step log keeps (RunViews.stepLog, by queue sequence number modulo this). */
export const STEP_LOG = 1024;
/** Values per thread and step in the log: [sequence number, start (ms since the epoch), forward/backward seconds]. */
export const STEP_LOG_ENTRY = 3;

/** Test hook: make a worker fail on purpose (see ParallelOptions.fault). */
export interface FaultSpec {
  kind: 'throw' | 'exit' | 'hang' | 'oom' | 'slow';
  /** The step to fail, or -1 for every step. */
  step: number;
  /** The micro-shard (or reduction chunk) to fail in, or -1 for every one. */
  shard: number;
  /** Fail on attempts 0 … times−1 of that step. */
  times: number;
  /** For 'slow': how long the shard takes (ms). */
  ms?: number;
  /** Where: in a shard's forward/backward (default) or in the reduction of chunk `shard`. */
  phase?: 'shard' | 'reduce' | 'update';
}

export interface RunSpec {
  readonly arena: ArenaHandle;
  readonly runId: number;
  readonly dtype: DType;
  readonly model: ModelConfig;
  readonly loss: string;
  readonly seed: number;
  readonly microShard: number;
  readonly maxShards: number;
  readonly threads: number;
  readonly paramCount: number;
  readonly stateCount: number;
  /** Gradient chunks of the reduction (batchGrads.ts planChunks). */
  readonly gradChunks: number;
  /** Values of the batch-wide dense capture buffers (batchGrads.ts captureLength at maxShards × microShard rows). */
  readonly captureLength: number;
  /** Values of the gradient slots (batchGrads.ts slotsLength). */
  readonly slotsLength: number;
  readonly planLength: number;
  readonly optimizer: OptimizerSpec;
  readonly clip: ClipSettings;
  readonly rows: number;
  readonly cols: number;
  /** Output columns of the targets, or 0 for integer labels. */
  readonly yCols: number;
  readonly offsets: Offsets;
  readonly fault: FaultSpec | null;
}

export interface RunViews {
  readonly ctl: Int32Array;
  readonly params: FloatArray;
  readonly grads: FloatArray;
  readonly state: FloatArray;
  readonly momenta: Float64Array;
  readonly slots: FloatArray;
  readonly stateSlots: FloatArray;
  /** Per queue slot (slotOf(seq), control.ts): the shards' losses and correct counts of that slot's step. */
  readonly shardLoss: readonly Float64Array[];
  readonly shardCorrect: readonly Int32Array[];
  readonly chunkSq: Float64Array;
  /** Each dense layer's inputs and dL/dY for the whole batch (batchGrads.ts). */
  readonly captures: FloatArray;
  /** Per thread: seconds in [forward/backward of shards, reduction, update, barrier waits, batch weight gradients] (see TIMING). */
  readonly timings: Float64Array;
  /**
   * Per thread and step (seq % STEP_LOG): the step's sequence number, when the thread started it
   * (ms on the thread's performance.now() clock) and its forward/backward seconds. For per-step statistics (ParallelEngine.stepTimes); timings has the sums.
   */
  readonly stepLog: Float64Array;
  /** Per queue slot: the optimizer's plan of that slot's step. */
  readonly plan: readonly Float64Array[];
  readonly x: Tensor;
  readonly y: Int32Array | Tensor;
  readonly order: Int32Array;
  readonly optimizerState: Record<string, FloatArray>;
}

/**
 * Bytes one worker allocates for a model's activations at `microShard` rows. Every activation
 * buffer holds rows × width values, so one forward and backward of a single row, counted,
 * gives the bytes per row and the number of buffers (each padded to 64-byte alignment).
 */
export function workspaceBytes(config: ModelConfig, microShard: number, yCols: number): number {
  let perRow = 0;
  let buffers = 0;
  const counting: Allocator = {
    alloc(dtype, length) {
      perRow += length * bytesPer(dtype);
      buffers++;
      return heapAllocator.alloc(dtype, length);
    },
  };
  const model = Model.fromConfig(config, { allocator: counting });
  perRow = 0;
  buffers = 0;
  const x = Tensor.zeros(config.dtype, 2, config.inputs); // 2 rows: batch norm needs more than one
  const y = model.forward(x, { training: true, seed: 0, step: 0 });
  model.backward(y, true);
  const b = bytesPer(config.dtype);
  const activations = (perRow / 2) * microShard + buffers * 128;
  const batch = microShard * (config.inputs + Math.max(yCols, 1) + config.outputs) * b + 3 * 64;
  // ×2: a short shard first and a full one later each size their buffers once.
  return 2 * activations + batch + SCRATCH_BYTES + 4096;
}

/** Worker workspaces beyond one per thread: each thread that replaces a crashed or hung one needs its own. */
export const SPARE_WORKSPACES = 8;

export function createRunArena(
  runId: number, model: Model, optimizer: Optimizer, loss: string, data: Dataset, options: { seed: number; microShard: number; maxBatch: number; threads: number; clip: ClipSettings; fault: FaultSpec | null; momenta: Float64Array },
): { spec: RunSpec; views: RunViews; arena: WasmArena } {
  const { dtype } = model;
  const b = bytesPer(dtype);
  const p = model.paramCount;
  const q = model.state.length;
  const maxShards = Math.ceil(options.maxBatch / options.microShard);
  const yCols = data.y instanceof Int32Array ? 0 : data.y.cols;
  const chunks = planChunks(model).length;
  const captures = captureLength(model, maxShards * options.microShard);
  const stateNames = Object.keys(optimizer.state);
  const arrays: Array<[keyof Omit<Offsets, 'optimizer'> | `opt:${string}`, number]> = [
    ['ctl', CTL_LENGTH * 4],
    ['params', p * b],
    ['grads', p * b],
    ['state', q * b],
    ['momenta', q * 8],
    ['slots', slotsLength(model, maxShards) * b],
    ['stateSlots', maxShards * q * b],
    ['shardLoss', QUEUE_SLOTS * maxShards * 8],
    ['shardCorrect', QUEUE_SLOTS * maxShards * 4],
    ['chunkSq', chunks * 8],
    ['captures', captures * b],
    ['timings', options.threads * TIMING.length * 8],
    ['stepLog', options.threads * STEP_LOG * STEP_LOG_ENTRY * 8],
    ['plan', QUEUE_SLOTS * Math.max(1, optimizer.planLength) * 8],
    ['x', data.size * data.x.cols * b],
    ['y', data.size * (yCols === 0 ? 4 : yCols * b)],
    ['order', data.size * 4],
    ...stateNames.map((n) => [`opt:${n}`, p * b] as [`opt:${string}`, number]),
  ];
  const work = workspaceBytes(model.config(), options.microShard, yCols);
  const total = arrays.reduce((s, [, n]) => s + Math.ceil(n / 64) * 64 + 64, 0) + (options.threads + SPARE_WORKSPACES) * (work + 64) + 4096;
  const arena = WasmArena.create(total);
  const offsets = { optimizer: {} as Record<string, number> } as Offsets;
  for (const [name, bytes] of arrays) {
    const at = arena.allocBytes(bytes);
    if (name.startsWith('opt:')) offsets.optimizer[name.slice(4)] = at;
    else (offsets as unknown as Record<string, number>)[name] = at;
  }
  const spec: RunSpec = {
    arena: arena.handle(), runId, dtype, model: model.config(), loss, seed: options.seed, microShard: options.microShard, maxShards, threads: options.threads,
    paramCount: p, stateCount: q, gradChunks: chunks, captureLength: captures, slotsLength: slotsLength(model, maxShards), planLength: optimizer.planLength, optimizer: optimizer.toSpec(), clip: options.clip,
    rows: data.size, cols: data.x.cols, yCols, offsets, fault: options.fault,
  };
  const views = openViews(arena, spec);
  views.x.data.set(data.x.data.subarray(0, data.size * data.x.cols));
  if (data.y instanceof Int32Array) (views.y as Int32Array).set(data.y);
  else (views.y as Tensor).data.set(data.y.data.subarray(0, data.size * yCols));
  views.momenta.set(options.momenta);
  return { spec, views, arena };
}

const perSlot = <T>(view: (slot: number) => T): T[] => Array.from({ length: QUEUE_SLOTS }, (_, s) => view(s));

/** Views of a run's arrays in an (already opened) arena. */
export function openViews(arena: WasmArena, spec: RunSpec): RunViews {
  const { dtype, paramCount: p, stateCount: q, maxShards, offsets: o } = spec;
  const buf = arena.buffer;
  const f = (at: number, n: number) => viewOf(dtype, buf, at, n);
  const optimizerState: Record<string, FloatArray> = {};
  const planLength = Math.max(1, spec.planLength);
  for (const [name, at] of Object.entries(o.optimizer)) optimizerState[name] = f(at, p);
  return {
    ctl: new Int32Array(buf, o.ctl, CTL_LENGTH),
    params: f(o.params, p),
    grads: f(o.grads, p),
    state: f(o.state, q),
    momenta: new Float64Array(buf, o.momenta, q),
    slots: f(o.slots, spec.slotsLength),
    stateSlots: f(o.stateSlots, maxShards * q),
    shardLoss: perSlot((s) => new Float64Array(buf, o.shardLoss + s * maxShards * 8, maxShards)),
    shardCorrect: perSlot((s) => new Int32Array(buf, o.shardCorrect + s * maxShards * 4, maxShards)),
    chunkSq: new Float64Array(buf, o.chunkSq, spec.gradChunks),
    captures: f(o.captures, spec.captureLength),
    timings: new Float64Array(buf, o.timings, spec.threads * TIMING.length),
    stepLog: new Float64Array(buf, o.stepLog, spec.threads * STEP_LOG * STEP_LOG_ENTRY),
    plan: perSlot((s) => new Float64Array(buf, o.plan + s * planLength * 8, planLength)),
    x: new Tensor(f(o.x, spec.rows * spec.cols), spec.rows, spec.cols),
    y: spec.yCols === 0 ? new Int32Array(buf, o.y, spec.rows) : new Tensor(f(o.y, spec.rows * spec.yCols), spec.rows, spec.yCols),
    order: new Int32Array(buf, o.order, spec.rows),
    optimizerState,
  };
}
