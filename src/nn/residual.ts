/** A residual block (He et al. 2016): y = x + f(x), where f is a sub-stack that keeps the width. */
import { ShapeError } from '../errors.js';
import { Buffer2D, Tensor } from '../tensor/tensor.js';
import type { Binding, ForwardContext, Layer, LayerConfig, ParamSpec } from './layer.js';
import { Sequential } from './sequential.js';

export class Residual implements Layer {
  readonly type = 'residual';
  readonly body: Sequential;
  private out!: Buffer2D;
  private dxBuf!: Buffer2D;

  constructor(layers: readonly Layer[]) {
    this.body = new Sequential(layers);
  }

  get inputSize(): number | undefined {
    return this.body.inputSize;
  }

  outputSize(inputSize: number): number {
    const out = this.body.outputSize(inputSize);
    if (out !== inputSize) throw new ShapeError('residual block body', `output width ${inputSize} (equal to its input)`, `${out}`);
    return out;
  }

  paramSpecs(): readonly ParamSpec[] {
    return [];
  }

  stateSize(): number {
    return 0;
  }

  children(): readonly Layer[] {
    return [this.body];
  }

  bind(binding: Binding, inputSize: number): void {
    binding.bindChild(this.body, inputSize, 'body');
    const alloc = (n: number) => binding.allocator.alloc(binding.dtype, n);
    this.out ??= new Buffer2D(alloc);
    this.dxBuf ??= new Buffer2D(alloc);
  }

  initialize(rng: import('../rng.js').Rng): void {
    this.body.initialize(rng);
  }

  forward(x: Tensor, ctx: ForwardContext): Tensor {
    const fx = this.body.forward(x, ctx);
    const y = this.out.take(x.rows, x.cols);
    for (let i = 0, n = x.rows * x.cols; i < n; i++) y.data[i] = x.data[i] + fx.data[i];
    return y;
  }

  backward(dy: Tensor, needInputGrad: boolean): Tensor {
    const dfx = this.body.backward(dy, needInputGrad);
    if (!needInputGrad) return dy;
    const dx = this.dxBuf.take(dy.rows, dy.cols);
    for (let i = 0, n = dy.rows * dy.cols; i < n; i++) dx.data[i] = dy.data[i] + dfx.data[i];
    return dx;
  }

  config(): LayerConfig {
    return { type: this.type, layers: this.body.layers.map((l) => l.config()) };
  }
}

export const residual = (layers: readonly Layer[]) => new Residual(layers);
