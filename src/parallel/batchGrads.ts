/**
 * Dense-layer gradients over the whole batch. In the parallel runtime (and its serial
 * reference) every dense layer runs in deferred mode (Dense.deferWeightGrads): a micro-shard's
 * backward stores the layer's input and dL/dY at the shard's rows of batch-wide buffers instead
 * of adding X_sᵀ·dY_s into the shard's gradient slot. Once every shard is done, dW = Xᵀ·dY and
 * db = Σ dY are computed over all the batch's rows at once, cut into row ranges that any thread
 * may claim.
 *
 * Why: a slot is as large as the model. Zeroing it, accumulating a 32-row product into it and
 * reading it back in the reduction cost three passes over every parameter per micro-shard, and
 * on two cores that share memory bandwidth those passes were a third of the step's overhead.
 * Here the sum over micro-shards is part of the product's own sum over rows, which runs in
 * batch-row order for every element, so the result does not depend on the thread count or on
 * which thread took which range. Parameters of other layers (batch norm's γ and β) still go
 * through per-shard slots, reduced in slot order (reduce.ts).
 *
 * The gradient chunks (`GradChunk`) cut the flat gradients into pieces whose boundaries depend
 * only on the model: the global norm is the sum of their sums of squares in chunk order.
 */
import { kernels } from '../kernels/kernels.js';
import { Dense, type DenseCapture } from '../nn/dense.js';
import type { Model } from '../nn/model.js';
import type { FloatArray } from '../tensor/dtype.js';
import { CHUNK_SIZE } from './reduce.js';

/** One piece of the flat gradients [lo, hi) and how it is computed. */
export interface GradChunk {
  readonly lo: number;
  readonly hi: number;
  /** slots: per-shard slots reduced in order; weights: rows [r0, r1) of dense layer `layer`'s W; bias: its b[r0, r1). */
  readonly kind: 'slots' | 'weights' | 'bias';
  readonly layer: number;
  readonly r0: number;
  readonly r1: number;
}

/** grads[lo..hi) = (Σ slots in order) · invBatch, returning Σ grads²: reduce.ts reduceChunk or its WASM twin. */
export type Reducer = (slots: FloatArray, shards: number, grads: FloatArray, lo: number, hi: number, invBatch: number, stride: number) => number;

/** Rows of W per chunk: about CHUNK_SIZE values, a multiple of the micro-kernel's 4 rows. */
function rowsPerChunk(units: number): number {
  return Math.max(4, Math.floor(CHUNK_SIZE / units / 4) * 4);
}

interface DenseSlice {
  readonly dense: Dense;
  readonly w: number;
  readonly b: number;
}

function denseSlices(model: Model): DenseSlice[] {
  const size = model.params.BYTES_PER_ELEMENT;
  const at = (a: FloatArray) => (a.byteOffset - model.params.byteOffset) / size;
  return model.denseLayers().map((dense) => {
    const { W, b } = dense.weights();
    return { dense, w: at(W), b: b ? at(b) : -1 };
  });
}

/** The model's gradient chunks, in flat order. */
export function planChunks(model: Model): GradChunk[] {
  const owners = new Map<number, { layer: number; bias: boolean }>();
  denseSlices(model).forEach((d, layer) => {
    owners.set(d.w, { layer, bias: false });
    if (d.b >= 0) owners.set(d.b, { layer, bias: true });
  });
  const dense = model.denseLayers();
  const chunks: GradChunk[] = [];
  let run = -1; // start of a run of slot-reduced parameters
  const endRun = (at: number) => {
    for (let lo = run; run >= 0 && lo < at; lo += CHUNK_SIZE) chunks.push({ lo, hi: Math.min(at, lo + CHUNK_SIZE), kind: 'slots', layer: -1, r0: 0, r1: 0 });
    run = -1;
  };
  for (const e of model.entries) {
    const owner = owners.get(e.offset);
    if (!owner) {
      if (run < 0) run = e.offset;
      continue;
    }
    endRun(e.offset);
    const { units } = dense[owner.layer];
    if (owner.bias) {
      for (let c = 0; c < units; c += CHUNK_SIZE) chunks.push({ lo: e.offset + c, hi: e.offset + Math.min(units, c + CHUNK_SIZE), kind: 'bias', layer: owner.layer, r0: c, r1: Math.min(units, c + CHUNK_SIZE) });
    } else {
      const rows = e.size / units;
      const per = rowsPerChunk(units);
      for (let r = 0; r < rows; r += per) {
        const r1 = Math.min(rows, r + per);
        chunks.push({ lo: e.offset + r * units, hi: e.offset + r1 * units, kind: 'weights', layer: owner.layer, r0: r, r1 });
      }
    }
  }
  endRun(model.paramCount);
  return chunks;
}

/** The ranges of the flat gradients that per-shard slots carry: every non-dense parameter, merged. */
function slotRangesOf(chunks: readonly GradChunk[]): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  for (const c of chunks) {
    if (c.kind !== 'slots') continue;
    const last = ranges[ranges.length - 1];
    if (last && last[1] === c.lo) last[1] = c.hi;
    else ranges.push([c.lo, c.hi]);
  }
  return ranges;
}

/**
 * Distance between consecutive gradient slots. Slot s is a whole gradient array's view starting
 * at s·stride, but only its slot ranges are ever written (dense layers in deferred mode write no
 * gradient), so slots may overlap everywhere else: the stride is the span from the first slot
 * range's start to the last one's end, 0 for a model of dense layers and activations.
 */
export function slotStride(model: Model): number {
  return strideOf(slotRangesOf(planChunks(model)));
}

function strideOf(ranges: ReadonlyArray<readonly [number, number]>): number {
  return ranges.length === 0 ? 0 : ranges[ranges.length - 1][1] - ranges[0][0];
}

/** Values the gradient slots of `shards` micro-shards take (slotStride apart, each a whole gradient array long). */
export function slotsLength(model: Model, shards: number): number {
  return model.paramCount + Math.max(0, shards - 1) * slotStride(model);
}

/** Values of the batch-wide buffers for `rows` rows: each dense layer's input and dL/dY. */
export function captureLength(model: Model, rows: number): number {
  return model.denseLayers().reduce((s, d) => s + rows * (d.inputs + d.units), 0);
}

/**
 * The order in which threads claim the chunks: the costliest first (weight rows, then bias and
 * slot chunks), so the last claims are short and the threads reach the next barrier together.
 * Results do not depend on it: each chunk writes its own range and sum of squares.
 */
function claimOrder(chunks: readonly GradChunk[]): Int32Array {
  const cost = (c: GradChunk) => (c.kind === 'weights' ? 4 : 1) * (c.hi - c.lo);
  return Int32Array.from(chunks.map((_, i) => i).sort((a, b) => cost(chunks[b]) - cost(chunks[a]) || a - b));
}

export class BatchGrads {
  readonly chunks: readonly GradChunk[];
  /** Chunk indices in the order threads claim them (claimOrder). */
  readonly order: Int32Array;
  /** Batch row of the micro-shard in flight (Dense reads it in backward). */
  readonly cursor = { row: 0 };
  /** Ranges of the flat gradients that per-shard slots still carry (zeroed per shard). */
  readonly slotRanges: ReadonlyArray<readonly [number, number]>;
  /** Slot s starts at s·slotStride in the slots array (see slotStride). */
  readonly slotStride: number;
  private readonly slices: DenseSlice[];
  private readonly captures: DenseCapture[];
  private readonly firstIsDense: boolean;

  /** `buffer`: captureLength(model, rows) values; `rows`: the largest batch. Attaches at once. */
  constructor(model: Model, buffer: FloatArray, readonly rows: number) {
    if (buffer.length < captureLength(model, rows)) throw new RangeError(`batch gradient buffers: ${buffer.length} values, ${captureLength(model, rows)} needed for ${rows} rows`);
    this.chunks = Object.freeze(planChunks(model));
    this.order = claimOrder(this.chunks);
    this.slices = denseSlices(model);
    let at = 0;
    const take = (n: number) => buffer.subarray(at, (at += n));
    this.captures = this.slices.map(({ dense }) => ({ x: take(rows * dense.inputs), dy: take(rows * dense.units), cursor: this.cursor }));
    this.slotRanges = slotRangesOf(this.chunks);
    this.slotStride = strideOf(this.slotRanges);
    this.firstIsDense = this.slices.length > 0 && model.layers[0] === this.slices[0].dense;
    this.attach();
  }

  /** Put every dense layer in deferred mode. */
  attach(): void {
    this.slices.forEach((s, i) => s.dense.deferWeightGrads(this.captures[i]));
  }

  /** Back to the layer contract's behaviour (backward adds into the bound gradients). */
  detach(): void {
    this.slices.forEach((s) => s.dense.deferWeightGrads(null));
  }

  /** Where a micro-shard starting at batch row `row` gathers its n input rows, when the first layer is dense (then its backward copies nothing). */
  inputRows(row: number, n: number): FloatArray | null {
    if (!this.firstIsDense) return null;
    const k = this.slices[0].dense.inputs;
    return this.captures[0].x.subarray(row * k, (row + n) * k);
  }

  /**
   * Chunk c of the gradients of a batch of `rows` rows: grads[lo..hi) divided by the batch size
   * (invBatch); returns their sum of squares. Slot chunks go to `reduce` with the shards' slots;
   * dense chunks are a product over the captured rows, then scaled in place by the same reducer
   * (one "slot": the raw sums), so the sum of squares follows one order everywhere.
   */
  computeChunk(c: number, grads: FloatArray, rows: number, invBatch: number, slots: FloatArray, shards: number, reduce: Reducer): number {
    const chunk = this.chunks[c];
    if (chunk.kind === 'slots') return reduce(slots, shards, grads, chunk.lo, chunk.hi, invBatch, this.slotStride);
    const { dense, w, b } = this.slices[chunk.layer];
    const cap = this.captures[chunk.layer];
    const n = dense.units;
    if (chunk.kind === 'weights') kernels().weightGradRows(cap.x, cap.dy, grads.subarray(w, w + dense.inputs * n), rows, dense.inputs, n, chunk.r0, chunk.r1);
    else kernels().biasGradRange(cap.dy, grads.subarray(b, b + n), rows, n, chunk.r0, chunk.r1);
    return reduce(grads, 1, grads, chunk.lo, chunk.hi, invBatch, 0);
  }
}
