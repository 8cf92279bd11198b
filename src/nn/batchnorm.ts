/**
 * BatchNorm1d (Ioffe & Szegedy 2015) with PyTorch's conventions: training normalizes with the
 * batch mean and biased variance, and updates running statistics as
 * running = (1 − momentum)·running + momentum·batch, with the UNBIASED variance n/(n−1);
 * inference uses the running statistics. γ starts at 1, β at 0, running mean 0, running var 1.
 * Under the parallel runtime the "batch" is a micro-shard (ghost batch norm).
 */
import { checkFinite, checkPositiveInt, checkRange, mergeOptions, ShapeError } from '../errors.js';
import type { FloatArray } from '../tensor/dtype.js';
import { Buffer2D, Tensor } from '../tensor/tensor.js';
import { checkGradShape, type Binding, type ForwardContext, type Layer, type LayerConfig, type ParamSpec } from './layer.js';

export interface BatchNormOptions {
  momentum?: number;
  eps?: number;
}

const DEFAULTS: Readonly<Required<BatchNormOptions>> = Object.freeze({ momentum: 0.1, eps: 1e-5 });

export class BatchNorm1d implements Layer {
  readonly type = 'batchnorm';
  readonly momentum: number;
  readonly eps: number;
  private gamma!: FloatArray;
  private beta!: FloatArray;
  private dgamma!: FloatArray;
  private dbeta!: FloatArray;
  private runningMean!: FloatArray;
  private runningVar!: FloatArray;
  private out!: Buffer2D;
  private dxBuf!: Buffer2D;
  private xhat!: Buffer2D;
  private invStd = new Float64Array(0);
  private training = false;
  private lastXhat: Tensor | null = null;

  get inputSize(): number {
    return this.features;
  }

  constructor(readonly features: number, options?: BatchNormOptions) {
    checkPositiveInt('batchnorm features', features);
    const o = mergeOptions('batchnorm options', DEFAULTS, options);
    this.momentum = checkRange('batchnorm options.momentum', o.momentum, 0, 1, true);
    this.eps = checkFinite('batchnorm options.eps', o.eps);
    if (this.eps <= 0) throw new RangeError(`batchnorm options.eps must be positive, got ${this.eps} (number)`);
  }

  outputSize(inputSize: number): number {
    if (inputSize !== this.features) throw new ShapeError(`batchnorm(${this.features}) input`, `[batch × ${this.features}]`, `[batch × ${inputSize}]`);
    return inputSize;
  }

  paramSpecs(): readonly ParamSpec[] {
    return [
      { name: 'gamma', role: 'norm', shape: [this.features] },
      { name: 'beta', role: 'norm', shape: [this.features] },
    ];
  }

  stateSize(): number {
    return 2 * this.features;
  }

  children(): readonly Layer[] {
    return [];
  }

  bind(binding: Binding): void {
    [this.gamma, this.beta] = binding.params;
    [this.dgamma, this.dbeta] = binding.grads;
    this.runningMean = binding.state.subarray(0, this.features);
    this.runningVar = binding.state.subarray(this.features, 2 * this.features);
    const alloc = (n: number) => binding.allocator.alloc(binding.dtype, n);
    this.out ??= new Buffer2D(alloc);
    this.dxBuf ??= new Buffer2D(alloc);
    this.xhat ??= new Buffer2D(alloc);
    if (this.invStd.length !== this.features) this.invStd = new Float64Array(this.features);
  }

  initialize(): void {
    this.gamma.fill(1);
    this.beta.fill(0);
    this.runningMean.fill(0);
    this.runningVar.fill(1);
  }

  /** Running mean and variance (views of the model's state). */
  runningStats(): { mean: FloatArray; variance: FloatArray } {
    return { mean: this.runningMean, variance: this.runningVar };
  }

  forward(x: Tensor, ctx: ForwardContext): Tensor {
    const { rows: n, cols: f } = x;
    if (f !== this.features) this.outputSize(f);
    const y = this.out.take(n, f);
    this.training = ctx.training;
    if (!ctx.training) {
      // Inference: a fixed affine map per feature; x̂ is kept so backward works here too.
      const xhat = this.xhat.take(n, f);
      for (let c = 0; c < f; c++) {
        const inv = 1 / Math.sqrt(this.runningVar[c] + this.eps);
        this.invStd[c] = inv;
        for (let r = 0; r < n; r++) {
          const i = r * f + c;
          xhat.data[i] = (x.data[i] - this.runningMean[c]) * inv;
          y.data[i] = this.gamma[c] * xhat.data[i] + this.beta[c];
        }
      }
      this.lastXhat = xhat;
      return y;
    }
    // PyTorch: "Expected more than 1 value per channel when training".
    if (n < 2) throw new ShapeError('batchnorm in training', 'more than 1 row per batch (micro-shard)', `${n} row`);
    const xhat = this.xhat.take(n, f);
    const m = this.momentum;
    for (let c = 0; c < f; c++) {
      let mean = 0;
      for (let r = 0; r < n; r++) mean += x.data[r * f + c];
      mean /= n;
      let v = 0;
      for (let r = 0; r < n; r++) {
        const d = x.data[r * f + c] - mean;
        v += d * d;
      }
      const variance = v / n;
      const inv = 1 / Math.sqrt(variance + this.eps);
      this.invStd[c] = inv;
      for (let r = 0; r < n; r++) {
        const i = r * f + c;
        xhat.data[i] = (x.data[i] - mean) * inv;
        y.data[i] = this.gamma[c] * xhat.data[i] + this.beta[c];
      }
      this.runningMean[c] = (1 - m) * this.runningMean[c] + m * mean;
      this.runningVar[c] = (1 - m) * this.runningVar[c] + m * (v / (n - 1));
    }
    this.lastXhat = xhat;
    return y;
  }

  /**
   * Training: dx = γ·invstd/n · (n·dy − Σdy − x̂·Σ(dy·x̂)); inference: dx = γ·invstd·dy.
   * Both: dγ += Σ dy·x̂; dβ += Σ dy.
   */
  backward(dy: Tensor, _needInputGrad: boolean): Tensor {
    const xhat = this.lastXhat;
    if (!xhat) throw new Error('batchnorm.backward called before forward');
    checkGradShape('batchnorm', dy, xhat.rows, xhat.cols);
    const { rows: n, cols: f } = dy;
    const dx = this.dxBuf.take(n, f);
    for (let c = 0; c < f; c++) {
      let sumDy = 0;
      let sumDyXhat = 0;
      for (let r = 0; r < n; r++) {
        const i = r * f + c;
        sumDy += dy.data[i];
        sumDyXhat += dy.data[i] * xhat.data[i];
      }
      this.dgamma[c] += sumDyXhat;
      this.dbeta[c] += sumDy;
      const k = this.gamma[c] * this.invStd[c];
      for (let r = 0; r < n; r++) {
        const i = r * f + c;
        dx.data[i] = this.training ? (k / n) * (n * dy.data[i] - sumDy - xhat.data[i] * sumDyXhat) : k * dy.data[i];
      }
    }
    return dx;
  }

  config(): LayerConfig {
    return { type: this.type, features: this.features, momentum: this.momentum, eps: this.eps };
  }
}

export const batchNorm1d = (features: number, options?: BatchNormOptions) => new BatchNorm1d(features, options);
