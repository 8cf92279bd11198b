/**
 * What the layers without parameters share (activations, dropout, the residual wrapper): they
 * keep the width, own no parameters or state, and need an output and an input-gradient buffer.
 */
import { Buffer2D, type Tensor } from '../tensor/tensor.js';
import type { Binding, ForwardContext, Layer, LayerConfig, ParamSpec } from './layer.js';

export abstract class ParameterFreeLayer implements Layer {
  abstract readonly type: string;
  protected out!: Buffer2D;
  protected dxBuf!: Buffer2D;

  outputSize(inputSize: number): number {
    return inputSize;
  }

  paramSpecs(): readonly ParamSpec[] {
    return [];
  }

  stateSize(): number {
    return 0;
  }

  children(): readonly Layer[] {
    return [];
  }

  /** Buffers are made once: binding again (a gradient slot, another thread's arrays) keeps them. */
  bind(binding: Binding, _inputSize: number): void {
    const alloc = (n: number) => binding.allocator.alloc(binding.dtype, n);
    this.out ??= new Buffer2D(alloc);
    this.dxBuf ??= new Buffer2D(alloc);
  }

  initialize(_rng: import('../rng.js').Rng): void {}

  abstract forward(x: Tensor, ctx: ForwardContext): Tensor;
  abstract backward(dy: Tensor, needInputGrad: boolean): Tensor;
  abstract config(): LayerConfig;
}
