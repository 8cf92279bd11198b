/**
 * `torch.optim.lr_scheduler.CosineAnnealingLR`: Loshchilov & Hutter, "SGDR: Stochastic
 * Gradient Descent with Warm Restarts", ICLR 2017, without the restarts. PyTorch's closed form:
 *
 *   lr_t = η_min + (base_lr − η_min) · (1 + cos(π t / T_max)) / 2
 *
 * PyTorch steps a recursive form of this that agrees to rounding; past T_max both keep
 * following the cosine (the rate rises again). Defaults: etaMin 0 (tMax is required).
 */
import { checkFinite, checkPositiveInt, mergeOptions, optionError } from '../../errors.js';
import type { LrGroups } from '../optimizer.js';
import { ClosedFormScheduler } from './scheduler.js';

export interface CosineAnnealingLROptions {
  tMax: number;
  etaMin?: number;
}

export class CosineAnnealingLR extends ClosedFormScheduler {
  readonly tMax: number;
  readonly etaMin: number;

  constructor(optimizer: LrGroups, options: CosineAnnealingLROptions) {
    super(optimizer);
    const o = mergeOptions('CosineAnnealingLR options', { tMax: undefined as unknown as number, etaMin: 0 }, options);
    this.tMax = checkPositiveInt('options.tMax', o.tMax);
    this.etaMin = checkFinite('options.etaMin', o.etaMin);
    if (this.etaMin < 0) throw optionError('options.etaMin', 'a finite number >= 0', this.etaMin);
    this.start();
  }

  protected get kind(): string {
    return 'CosineAnnealingLR';
  }

  protected get settings(): Record<string, unknown> {
    return { tMax: this.tMax, etaMin: this.etaMin };
  }

  lrAt(base: number, epoch: number): number {
    return this.etaMin + ((base - this.etaMin) * (1 + Math.cos((Math.PI * epoch) / this.tMax))) / 2;
  }
}
