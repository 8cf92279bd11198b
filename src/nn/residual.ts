/** A residual block (He et al. 2016): y = x + f(x), where f is a sub-stack that keeps the width. */
import { ShapeError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { checkGradShape, type Binding, type ForwardContext, type Layer, type LayerConfig } from './layer.js';
import { ParameterFreeLayer } from './parameterFree.js';
import { Sequential } from './sequential.js';

export class Residual extends ParameterFreeLayer {
  readonly type = 'residual';
  readonly body: Sequential;
  /** The shape of the last forward's input (and output). */
  private rows = 0;
  private cols = 0;

  constructor(layers: readonly Layer[]) {
    super();
    this.body = new Sequential(layers);
  }

  get inputSize(): number | undefined {
    return this.body.inputSize;
  }

  override outputSize(inputSize: number): number {
    const out = this.body.outputSize(inputSize);
    if (out !== inputSize) throw new ShapeError('residual block body', `output width ${inputSize} (equal to its input)`, `${out}`);
    return out;
  }

  override children(): readonly Layer[] {
    return [this.body];
  }

  override bind(binding: Binding, inputSize: number): void {
    binding.bindChild(this.body, inputSize, 'body');
    super.bind(binding, inputSize);
  }

  override initialize(rng: import('../rng.js').Rng): void {
    this.body.initialize(rng);
  }

  forward(x: Tensor, ctx: ForwardContext): Tensor {
    const fx = this.body.forward(x, ctx);
    this.rows = x.rows;
    this.cols = x.cols;
    const y = this.out.take(x.rows, x.cols);
    for (let i = 0, n = x.rows * x.cols; i < n; i++) y.data[i] = x.data[i] + fx.data[i];
    return y;
  }

  backward(dy: Tensor, needInputGrad: boolean): Tensor {
    checkGradShape('residual', dy, this.rows, this.cols);
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
