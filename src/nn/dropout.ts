/**
 * Inverted dropout: while training, each unit is kept with probability 1−p and scaled by
 * 1/(1−p), so inference is the identity (ConvNetJS scales by p at test time instead; that is
 * the non-inverted form). The mask is a pure function of (seed, step, sample index, unit),
 * never of a stateful generator, so a sample gets the same mask on any thread and in any shard.
 */
import { checkRange } from '../errors.js';
import { hashUniform } from '../rng.js';
import type { Tensor } from '../tensor/tensor.js';
import { checkGradShape, type Binding, type ForwardContext, type LayerConfig } from './layer.js';
import { ParameterFreeLayer } from './parameterFree.js';

export class Dropout extends ParameterFreeLayer {
  readonly type = 'dropout';
  private mask = new Uint8Array(0);
  private active = false;
  /** The shape of the last forward's input (and output). */
  private rows = 0;
  private cols = 0;
  /** Salt so two dropout layers in one model draw different masks. */
  private salt = 0;

  constructor(readonly p: number) {
    super();
    checkRange('dropout p', p, 0, 1);
  }

  override bind(binding: Binding, inputSize: number): void {
    super.bind(binding, inputSize);
    this.salt = binding.index;
  }

  forward(x: Tensor, ctx: ForwardContext): Tensor {
    this.active = ctx.training && this.p > 0;
    this.rows = x.rows;
    this.cols = x.cols;
    if (!this.active) return x;
    const n = x.rows * x.cols;
    if (this.mask.length < n) this.mask = new Uint8Array(n);
    const y = this.out.take(x.rows, x.cols);
    const scale = 1 / (1 - this.p);
    const seed = (ctx.seed ^ Math.imul(this.salt + 1, 0x9e3779b1)) | 0;
    for (let r = 0; r < x.rows; r++) {
      const sample = ctx.sampleIds ? ctx.sampleIds[r] : r;
      for (let c = 0; c < x.cols; c++) {
        const i = r * x.cols + c;
        const keep = hashUniform(seed, ctx.step, sample, c) >= this.p ? 1 : 0;
        this.mask[i] = keep;
        y.data[i] = keep ? x.data[i] * scale : 0;
      }
    }
    return y;
  }

  backward(dy: Tensor, _needInputGrad: boolean): Tensor {
    checkGradShape('dropout', dy, this.rows, this.cols);
    if (!this.active) return dy;
    const dx = this.dxBuf.take(dy.rows, dy.cols);
    const scale = 1 / (1 - this.p);
    for (let i = 0, n = dy.rows * dy.cols; i < n; i++) dx.data[i] = this.mask[i] ? dy.data[i] * scale : 0;
    return dx;
  }

  config(): LayerConfig {
    return { type: this.type, p: this.p };
  }
}

export const dropout = (p: number) => new Dropout(p);
