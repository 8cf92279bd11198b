/**
 * The layer contract (micrograd's idea, at the level of layers): `forward` computes the output
 * and caches exactly what `backward` needs; `backward` takes dL/dY, ADDS into the layer's
 * parameter gradients and returns dL/dX.
 */
import { ShapeError } from '../errors.js';
import type { Allocator, DType, FloatArray } from '../tensor/dtype.js';
import type { Tensor } from '../tensor/tensor.js';
import type { ParamRole } from './params.js';
import type { Rng } from '../rng.js';

/** What a forward pass needs besides its input. */
export interface ForwardContext {
  /** Dropout active and batch norm on batch statistics. */
  readonly training: boolean;
  /** Seed of the run; with `step` and the sample index it keys every random mask. */
  readonly seed: number;
  /** Optimizer step number (the mask differs from step to step). */
  readonly step: number;
  /** Dataset index of each row; masks follow the sample, not the thread or the batch position. */
  readonly sampleIds?: ArrayLike<number>;
}

export const INFERENCE: ForwardContext = Object.freeze({ training: false, seed: 0, step: 0 });

/** One parameter tensor a layer asks for. */
export interface ParamSpec {
  readonly name: string;
  readonly role: ParamRole;
  readonly shape: readonly number[];
}

/** Where a layer's parameters, gradients and non-trainable state live once bound. */
export interface Binding {
  readonly dtype: DType;
  readonly allocator: Allocator;
  /** Views of the model's flat arrays, one per ParamSpec, in order. */
  readonly params: readonly FloatArray[];
  readonly grads: readonly FloatArray[];
  /** Views of the model's flat non-trainable state (batch-norm running statistics). */
  readonly state: FloatArray;
  /** Depth-first position of the layer in its model: salts random masks per layer. */
  readonly index: number;
  /** Containers bind their children through this, so offsets stay depth-first. */
  bindChild(child: Layer, inputSize: number, name: string): void;
}

/** The JSON form of a layer, used by model files. */
export interface LayerConfig {
  readonly type: string;
  readonly [key: string]: unknown;
}

export interface Layer {
  readonly type: string;
  /** The input width this layer fixes, if it fixes one (dense, batchnorm). */
  readonly inputSize?: number;
  /** Output width for an input width; throws naming the layer if the input does not fit. */
  outputSize(inputSize: number): number;
  /** Parameter tensors this layer owns (excluding children, which report their own). */
  paramSpecs(inputSize: number): readonly ParamSpec[];
  /** Number of non-trainable state values (running statistics). */
  stateSize(inputSize: number): number;
  /** Sub-layers, for containers (residual); empty otherwise. */
  children(): readonly Layer[];
  bind(binding: Binding, inputSize: number): void;
  /** Write initial values into the bound parameters and state. */
  initialize(rng: Rng): void;
  forward(x: Tensor, ctx: ForwardContext): Tensor;
  /** Adds parameter gradients; returns dL/dX unless `needInputGrad` is false (then may return dy). */
  backward(dy: Tensor, needInputGrad: boolean): Tensor;
  config(): LayerConfig;
}

/** dL/dY must have the shape of the forward's output: any other reads past it, or short of it. */
export function checkGradShape(layer: string, dy: Tensor, rows: number, cols: number): void {
  if (dy.rows !== rows || dy.cols !== cols) throw new ShapeError(`${layer}.backward dy`, `${rows}×${cols} (the forward's output)`, dy.shape);
}
