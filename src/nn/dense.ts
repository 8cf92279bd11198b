/** Fully connected layer: y = xW + b, with W stored [in][out] (PyTorch's Linear stores Wᵀ). */
import { checkBoolean, checkPositiveInt, mergeOptions, ShapeError } from '../errors.js';
import { kernels } from '../kernels/kernels.js';
import type { Rng } from '../rng.js';
import type { FloatArray } from '../tensor/dtype.js';
import { Buffer2D, Tensor } from '../tensor/tensor.js';
import { checkInitializer, initialize, type Initializer } from './init.js';
import { checkGradShape, type Binding, type ForwardContext, type Layer, type LayerConfig, type ParamSpec } from './layer.js';

export interface DenseOptions {
  /** Weight initializer (default xavier-uniform). */
  init?: Initializer;
  /** Whether the layer has a bias (default true). Biases start at zero. */
  bias?: boolean;
}

const DEFAULTS: Readonly<Required<DenseOptions>> = Object.freeze({ init: 'xavier-uniform', bias: true });

/**
 * Where a dense layer in deferred mode keeps what its weight gradient needs: its input and
 * dL/dY, row by row at the batch position `cursor.row` (src/parallel/batchGrads.ts computes dW
 * and db from them over the whole batch at once).
 */
export interface DenseCapture {
  /** [batch capacity × inputs]. */
  readonly x: FloatArray;
  /** [batch capacity × units]. */
  readonly dy: FloatArray;
  /** Batch row of the micro-shard in flight; set by its runner before forward. */
  readonly cursor: { row: number };
}

export class Dense implements Layer {
  readonly type = 'dense';
  readonly options: Readonly<Required<DenseOptions>>;
  private w!: FloatArray;
  private b: FloatArray | null = null;
  private dw!: FloatArray;
  private db: FloatArray | null = null;
  private out!: Buffer2D;
  private dxBuf!: Buffer2D;
  private x: Tensor | null = null;
  private capture: DenseCapture | null = null;

  get inputSize(): number {
    return this.inputs;
  }

  constructor(readonly inputs: number, readonly units: number, options?: DenseOptions) {
    checkPositiveInt('dense inputs', inputs);
    checkPositiveInt('dense units', units);
    const o = mergeOptions('dense options', DEFAULTS, options);
    checkInitializer('dense options.init', o.init);
    checkBoolean('dense options.bias', o.bias);
    this.options = Object.freeze(o);
  }

  outputSize(inputSize: number): number {
    if (inputSize !== this.inputs) throw new ShapeError(`dense(${this.inputs}, ${this.units}) input`, `[batch × ${this.inputs}]`, `[batch × ${inputSize}]`);
    return this.units;
  }

  paramSpecs(): readonly ParamSpec[] {
    const w: ParamSpec = { name: 'W', role: 'weight', shape: [this.inputs, this.units] };
    return this.options.bias ? [w, { name: 'b', role: 'bias', shape: [this.units] }] : [w];
  }

  stateSize(): number {
    return 0;
  }

  children(): readonly Layer[] {
    return [];
  }

  bind(binding: Binding): void {
    [this.w, this.b = null] = binding.params;
    [this.dw, this.db = null] = binding.grads;
    const alloc = (n: number) => binding.allocator.alloc(binding.dtype, n);
    this.out ??= new Buffer2D(alloc);
    this.dxBuf ??= new Buffer2D(alloc);
  }

  initialize(rng: Rng): void {
    initialize(this.options.init, this.w, this.inputs, this.units, rng);
    this.b?.fill(0);
  }

  /** The bound weights [in][out] and bias (views into the model's flat parameters). */
  weights(): { W: FloatArray; b: FloatArray | null } {
    return { W: this.w, b: this.b };
  }

  /**
   * Deferred mode (the parallel runtime): backward stores the input and dL/dY in `capture`
   * instead of adding to dW and db. null restores the contract's behaviour.
   */
  deferWeightGrads(capture: DenseCapture | null): void {
    this.capture = capture;
  }

  forward(x: Tensor, _ctx: ForwardContext): Tensor {
    if (x.cols !== this.inputs) this.outputSize(x.cols);
    const y = this.out.take(x.rows, this.units);
    kernels().denseForward(x.data, this.w, this.b, y.data, x.rows, this.inputs, this.units);
    this.x = x;
    return y;
  }

  backward(dy: Tensor, needInputGrad: boolean): Tensor {
    const x = this.x;
    if (!x) throw new Error('dense.backward called before forward');
    // dL/dY must match the forward's output; a longer buffer behind it would pass the kernels' length checks.
    checkGradShape('dense', dy, x.rows, this.units);
    const k = kernels();
    if (this.capture) this.store(this.capture, x, dy);
    else k.denseBackwardWeights(x.data, dy.data, this.dw, this.db, x.rows, this.inputs, this.units);
    if (!needInputGrad) return dy;
    const dx = this.dxBuf.take(x.rows, this.inputs);
    k.denseBackwardInput(dy.data, this.w, dx.data, x.rows, this.inputs, this.units);
    return dx;
  }

  private store(c: DenseCapture, x: Tensor, dy: Tensor): void {
    const at = c.cursor.row;
    if (at < 0 || (at + x.rows) * this.inputs > c.x.length) throw new RangeError(`dense capture: rows ${at}…${at + x.rows} exceed its ${c.x.length / this.inputs} rows`);
    const xs = x.data.subarray(0, x.rows * this.inputs);
    // The first layer's input is gathered straight into the capture; no copy then.
    const inPlace = xs.buffer === c.x.buffer && xs.byteOffset === c.x.byteOffset + at * this.inputs * xs.BYTES_PER_ELEMENT;
    if (!inPlace) c.x.set(xs, at * this.inputs);
    c.dy.set(dy.data.subarray(0, dy.rows * this.units), at * this.units);
  }

  config(): LayerConfig {
    return { type: this.type, inputs: this.inputs, units: this.units, ...this.options };
  }
}

export function dense(inputs: number, units: number, options?: DenseOptions): Dense {
  return new Dense(inputs, units, options);
}
