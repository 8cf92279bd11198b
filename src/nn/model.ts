/**
 * A model: a stack of layers over one flat parameter array, one flat gradient array of the
 * same layout, and one flat array of non-trainable state (running statistics).
 * The arrays come from an `Allocator`, so the parallel runtime can place them in shared memory.
 */
import { Matrix } from 'ml-matrix';
import { checkOneOf, checkPositiveInt, checkSeed, mergeOptions, optionError, ShapeError } from '../errors.js';
import { Rng } from '../rng.js';
import { toMatrix, toTensor, toVector, type MatrixInput, matrixFrom } from '../tensor/convert.js';
import { DTYPES, dtypeOf, heapAllocator, type Allocator, type DType, type FloatArray } from '../tensor/dtype.js';
import type { Tensor } from '../tensor/tensor.js';
import { Dense } from './dense.js';
import { checkGradShape, INFERENCE, type ForwardContext, type Layer, type LayerConfig } from './layer.js';
import { layOut } from './layout.js';
import type { ParamEntry, ParamSet } from './params.js';
import { layersFromConfig } from './registry.js';
import { Sequential } from './sequential.js';

export interface ModelOptions {
  /** Element type of parameters and activations (default float32). */
  dtype?: DType;
  /** Seed of the weight initialization (default 0). */
  seed?: number;
  /** Input width; needed only when no layer fixes it (e.g. a model that starts with an activation). */
  inputs?: number;
  /** Where parameters, gradients, state and activations live (default: ordinary typed arrays). */
  allocator?: Allocator;
  /**
   * Existing flat arrays to bind to instead of allocating (a worker thread binding to the shared
   * arena). Their contents are kept: no initialization runs.
   */
  arrays?: ModelArrays;
}

/** The three flat arrays a model binds its layers to. */
export interface ModelArrays {
  readonly params: FloatArray;
  readonly grads: FloatArray;
  readonly state: FloatArray;
}

const DEFAULTS: Readonly<ModelOptions> = Object.freeze({ dtype: 'float32', seed: 0, inputs: undefined, allocator: undefined, arrays: undefined });

/** The JSON description of a model's architecture. */
export interface ModelConfig {
  readonly inputs: number;
  readonly outputs: number;
  readonly dtype: DType;
  readonly layers: readonly LayerConfig[];
}

export interface LayerWeights {
  W: Matrix;
  b: Matrix | null;
}

export class Model {
  readonly dtype: DType;
  readonly inputs: number;
  readonly outputs: number;
  readonly root: Sequential;
  readonly params: FloatArray;
  readonly grads: FloatArray;
  /** Non-trainable state: batch-norm running statistics. */
  readonly state: FloatArray;
  readonly entries: readonly ParamEntry[];

  constructor(layers: readonly Layer[], options?: ModelOptions) {
    const o = mergeOptions('model options', DEFAULTS, options);
    this.dtype = checkOneOf('model options.dtype', o.dtype, DTYPES);
    const seed = checkSeed('model options.seed', o.seed);
    this.root = new Sequential(layers);
    const inputs = o.inputs ?? this.root.inputSize;
    if (inputs === undefined) throw optionError('model options.inputs', 'a positive integer (no layer fixes the input width)', inputs);
    this.inputs = checkPositiveInt('model options.inputs', inputs);
    this.outputs = this.root.outputSize(this.inputs);
    const allocator = o.allocator ?? heapAllocator;
    this.allocator = allocator;
    const measured = layOut(this.root, this.inputs, this.dtype, allocator, null, this);
    const given = o.arrays;
    if (given) {
      const sizes = [measured.paramCount, measured.paramCount, measured.stateCount];
      [given.params, given.grads, given.state].forEach((a, i) => {
        if (a.length !== sizes[i] || dtypeOf(a) !== this.dtype) throw new ShapeError(`model options.arrays.${['params', 'grads', 'state'][i]}`, `${sizes[i]} ${this.dtype} values`, `${a.length} ${dtypeOf(a)} values`);
      });
    }
    this.params = given ? given.params : allocator.alloc(this.dtype, measured.paramCount);
    this.grads = given ? given.grads : allocator.alloc(this.dtype, measured.paramCount);
    this.state = given ? given.state : allocator.alloc(this.dtype, measured.stateCount);
    this.entries = Object.freeze(layOut(this.root, this.inputs, this.dtype, allocator, this, this).entries);
    if (!given) this.root.initialize(new Rng(seed));
  }

  private readonly allocator: Allocator;

  /**
   * Point the layers' gradients (and running statistics) at other arrays of the same layout,
   * keeping parameters and activation buffers: the parallel runtime gives each micro-shard its
   * own gradient slot this way.
   */
  rebind(grads: FloatArray, state: FloatArray = this.state): void {
    if (grads.length !== this.params.length || state.length !== this.state.length) {
      throw new ShapeError('model.rebind', `${this.params.length} gradients and ${this.state.length} state values`, `${grads.length} and ${state.length}`);
    }
    layOut(this.root, this.inputs, this.dtype, this.allocator, { params: this.params, grads, state }, this);
  }

  /** Rebuild a model from its JSON architecture (parameters freshly initialized). */
  static fromConfig(config: ModelConfig, options?: Omit<ModelOptions, 'dtype' | 'inputs'>): Model {
    return new Model(layersFromConfig(config.layers), { ...options, dtype: config.dtype, inputs: config.inputs });
  }

  get layers(): readonly Layer[] {
    return this.root.layers;
  }

  get paramCount(): number {
    return this.params.length;
  }

  /** Whether a layer keeps running statistics (batch norm): each batch it trains on needs 2 rows. */
  get hasBatchNorm(): boolean {
    return this.state.length > 0;
  }

  config(): ModelConfig {
    return { inputs: this.inputs, outputs: this.outputs, dtype: this.dtype, layers: this.root.layers.map((l) => l.config()) };
  }

  parameters(): ParamSet {
    return { dtype: this.dtype, values: this.params, grads: this.grads, entries: this.entries };
  }

  forward(x: Tensor, ctx: ForwardContext = INFERENCE): Tensor {
    if (x.cols !== this.inputs) throw new ShapeError('model input', `[batch × ${this.inputs}]`, `[${x.rows} × ${x.cols}]`);
    this.forwardRows = x.rows;
    return this.root.forward(x, ctx);
  }

  /** Rows of the last forward(): backward's dL/dY must be forwardRows × outputs. */
  private forwardRows = -1;

  /** Accumulates parameter gradients from dL/dY; returns dL/dX when asked (gradient checks). */
  backward(dy: Tensor, needInputGrad = false): Tensor {
    if (this.forwardRows < 0) throw new Error('model.backward called before model.forward');
    checkGradShape('model', dy, this.forwardRows, this.outputs);
    return this.root.backward(dy, needInputGrad);
  }

  zeroGrad(): void {
    this.grads.fill(0);
  }

  /** Outputs for `input` in inference mode (dropout off, running batch-norm statistics). */
  predict(input: MatrixInput): Matrix {
    const x = toTensor(input, this.dtype, 'predict input');
    if (x.cols !== this.inputs) throw new ShapeError('predict input', `[rows × ${this.inputs}]`, `[${x.rows} × ${x.cols}]`);
    return toMatrix(this.root.forward(x, INFERENCE));
  }

  /** Every Dense layer, depth-first, in the order of the flat parameters. */
  denseLayers(): Dense[] {
    const out: Dense[] = [];
    const walk = (l: Layer) => (l instanceof Dense ? out.push(l) : l.children().forEach(walk));
    this.root.children().forEach(walk);
    return out;
  }

  /** Copies of each Dense layer's W [in][out] and b [1][out] as ml-matrix matrices. */
  weights(): LayerWeights[] {
    return this.denseLayers().map((d) => {
      const { W, b } = d.weights();
      return { W: matrixFrom(W, d.inputs, d.units), b: b ? matrixFrom(b, 1, d.units) : null };
    });
  }

  /**
   * Set Dense weights from `{W: [in][out], b}` per Dense layer, in order; `b` is `out` numbers,
   * or a 1×out matrix as `weights()` returns it, so `setWeights(weights())` round-trips.
   */
  setWeights(layers: readonly { W: MatrixInput; b?: readonly number[] | MatrixInput | null }[]): void {
    const dense = this.denseLayers();
    if (!Array.isArray(layers) || layers.length !== dense.length) {
      throw new ShapeError('setWeights', `${dense.length} dense layers`, Array.isArray(layers) ? `${layers.length}` : typeof layers);
    }
    dense.forEach((d, i) => {
      const w = toTensor(layers[i].W, this.dtype, `layers[${i}].W`);
      if (w.rows !== d.inputs || w.cols !== d.units) throw new ShapeError(`layers[${i}].W`, `${d.inputs}×${d.units}`, w.shape);
      const { W, b } = d.weights();
      W.set(w.data);
      const bias = toVector(layers[i].b, this.dtype, `layers[${i}].b`);
      if (b) {
        if (!bias || bias.cols !== d.units) throw new ShapeError(`layers[${i}].b`, `${d.units} values`, bias ? `${bias.cols} values` : 'none');
        b.set(bias.data);
      } else if (bias && bias.cols > 0) {
        throw new ShapeError(`layers[${i}].b`, 'no bias (the layer has bias: false)', `${bias.cols} values`);
      }
    });
  }
}
