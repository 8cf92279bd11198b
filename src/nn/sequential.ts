/** Layers applied in order; the backward pass runs them in reverse. */
import { optionError } from '../errors.js';
import type { Rng } from '../rng.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Binding, ForwardContext, Layer, LayerConfig, ParamSpec } from './layer.js';

export class Sequential implements Layer {
  readonly type = 'sequential';
  readonly layers: readonly Layer[];

  constructor(layers: readonly Layer[]) {
    if (!Array.isArray(layers) || layers.length === 0) throw optionError('layers', 'a non-empty array of layers', layers);
    layers.forEach((l, i) => {
      if (!l || typeof l.forward !== 'function') throw optionError(`layers[${i}]`, 'a layer', l);
    });
    this.layers = Object.freeze([...layers]);
  }

  /** The input width fixed by the first layer that fixes one, if any. */
  get inputSize(): number | undefined {
    for (const l of this.layers) {
      if (l.inputSize !== undefined) return l.inputSize;
    }
    return undefined;
  }

  outputSize(inputSize: number): number {
    return this.layers.reduce((width, l) => l.outputSize(width), inputSize);
  }

  paramSpecs(): readonly ParamSpec[] {
    return [];
  }

  stateSize(): number {
    return 0;
  }

  children(): readonly Layer[] {
    return this.layers;
  }

  bind(binding: Binding, inputSize: number): void {
    let width = inputSize;
    this.layers.forEach((l, i) => {
      binding.bindChild(l, width, `${i}.${l.type}`);
      width = l.outputSize(width);
    });
  }

  initialize(rng: Rng): void {
    for (const l of this.layers) l.initialize(rng);
  }

  forward(x: Tensor, ctx: ForwardContext): Tensor {
    let h = x;
    for (const l of this.layers) h = l.forward(h, ctx);
    return h;
  }

  /** The first layer is asked for dX only if the caller needs it (saves a product per step). */
  backward(dy: Tensor, needInputGrad: boolean): Tensor {
    let g = dy;
    for (let i = this.layers.length - 1; i >= 0; i--) g = this.layers[i].backward(g, i > 0 || needInputGrad);
    return g;
  }

  config(): LayerConfig {
    return { type: this.type, layers: this.layers.map((l) => l.config()) };
  }
}
