/**
 * Elementwise activations. Each entry gives f and f′; f′ receives both x and y = f(x) so
 * sigmoid and tanh use the cheap y-forms (σ′ = y(1−y), tanh′ = 1−y²).
 */
import { checkFinite, checkOneOf, mergeOptions } from '../errors.js';
import type { FloatArray } from '../tensor/dtype.js';
import type { Tensor } from '../tensor/tensor.js';
import { erfc } from './erf.js';
import { checkGradShape, type ForwardContext, type LayerConfig } from './layer.js';
import { ParameterFreeLayer } from './parameterFree.js';

export const ACTIVATIONS = Object.freeze(['sigmoid', 'tanh', 'relu', 'leaky-relu', 'gelu'] as const);
export type ActivationName = (typeof ACTIVATIONS)[number];

interface Fn {
  f(x: number, slope: number): number;
  df(x: number, y: number, slope: number): number;
}

const SQRT1_2 = Math.SQRT1_2;
const INV_SQRT_2PI = 0.3989422804014327;

const FUNCTIONS: Readonly<Record<ActivationName, Fn>> = Object.freeze({
  sigmoid: { f: (x) => 1 / (1 + Math.exp(-x)), df: (_x, y) => y * (1 - y) },
  tanh: { f: (x) => Math.tanh(x), df: (_x, y) => 1 - y * y },
  // NaN stays NaN, as torch.relu keeps it: turned into 0 it would hide from the non-finite check.
  relu: { f: (x) => (x > 0 || x !== x ? x : 0), df: (x) => (x > 0 ? 1 : 0) },
  'leaky-relu': { f: (x, s) => (x > 0 ? x : s * x), df: (x, _y, s) => (x > 0 ? 1 : s) },
  // GELU(x) = x·Φ(x); GELU′(x) = Φ(x) + x·φ(x)  (Hendrycks & Gimpel 2016, exact form), with
  // Φ(x) = erfc(−x/√2)/2, which keeps its precision in the negative tail where 1 + erf cancels.
  gelu: {
    f: (x) => 0.5 * x * erfc(-x * SQRT1_2),
    df: (x) => 0.5 * erfc(-x * SQRT1_2) + x * INV_SQRT_2PI * Math.exp(-0.5 * x * x),
  },
});

export interface ActivationOptions {
  /** Negative slope of leaky-relu (PyTorch's default 0.01). */
  negativeSlope?: number;
}

const DEFAULTS: Readonly<Required<ActivationOptions>> = Object.freeze({ negativeSlope: 0.01 });

export class Activation extends ParameterFreeLayer {
  readonly type = 'activation';
  readonly name: ActivationName;
  readonly negativeSlope: number;
  private readonly fn: Fn;
  private x: Tensor | null = null;
  private y: Tensor | null = null;

  constructor(name: ActivationName, options?: ActivationOptions) {
    super();
    this.name = checkOneOf('activation', name, ACTIVATIONS);
    this.fn = FUNCTIONS[this.name];
    if (options?.negativeSlope !== undefined && this.name !== 'leaky-relu') {
      throw new TypeError(`activation options.negativeSlope is for 'leaky-relu' only; activation('${this.name}') got ${String(options.negativeSlope)}`);
    }
    this.negativeSlope = checkFinite('activation options.negativeSlope', mergeOptions('activation options', DEFAULTS, options).negativeSlope);
  }

  forward(x: Tensor, _ctx: ForwardContext): Tensor {
    const y = this.out.take(x.rows, x.cols);
    const { f } = this.fn;
    const s = this.negativeSlope;
    const xd: FloatArray = x.data;
    const yd: FloatArray = y.data;
    for (let i = 0, n = x.rows * x.cols; i < n; i++) yd[i] = f(xd[i], s);
    this.x = x;
    this.y = y;
    return y;
  }

  backward(dy: Tensor, _needInputGrad: boolean): Tensor {
    const x = this.x;
    const y = this.y;
    if (!x || !y) throw new Error(`${this.name}.backward called before forward`);
    checkGradShape(this.name, dy, x.rows, x.cols);
    const dx = this.dxBuf.take(x.rows, x.cols);
    const { df } = this.fn;
    const s = this.negativeSlope;
    for (let i = 0, n = x.rows * x.cols; i < n; i++) dx.data[i] = dy.data[i] * df(x.data[i], y.data[i], s);
    return dx;
  }

  config(): LayerConfig {
    return this.name === 'leaky-relu' ? { type: this.type, name: this.name, negativeSlope: this.negativeSlope } : { type: this.type, name: this.name };
  }
}

export const activation = (name: ActivationName, options?: ActivationOptions) => new Activation(name, options);
export const sigmoid = () => new Activation('sigmoid');
export const tanh = () => new Activation('tanh');
export const relu = () => new Activation('relu');
export const leakyRelu = (negativeSlope = 0.01) => new Activation('leaky-relu', { negativeSlope });
export const gelu = () => new Activation('gelu');
