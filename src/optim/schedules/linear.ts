/**
 * `torch.optim.lr_scheduler.LinearLR`: scale the rate linearly from `startFactor` to `endFactor`
 * over `totalIters` epochs, then keep it.
 *
 *   lr_t = base_lr · (start + (end − start) · min(t, total_iters) / total_iters)
 *
 * Defaults as PyTorch's: startFactor 1/3, endFactor 1, totalIters 5; startFactor in (0, 1],
 * endFactor in [0, 1]. (LinearWarmup is this curve handing over to another schedule.)
 */
import { checkFinite, checkPositiveInt, mergeOptions, optionError } from '../../errors.js';
import type { LrGroups } from '../optimizer.js';
import { ClosedFormScheduler } from './scheduler.js';

export interface LinearLROptions {
  startFactor?: number;
  endFactor?: number;
  totalIters?: number;
}

export class LinearLR extends ClosedFormScheduler {
  readonly startFactor: number;
  readonly endFactor: number;
  readonly totalIters: number;

  constructor(optimizer: LrGroups, options: LinearLROptions = {}) {
    super(optimizer);
    const o = mergeOptions<LinearLROptions>('LinearLR options', { startFactor: 1 / 3, endFactor: 1, totalIters: 5 }, options);
    this.startFactor = checkFinite('options.startFactor', o.startFactor);
    if (!(this.startFactor > 0 && this.startFactor <= 1)) throw optionError('options.startFactor', 'a number in (0, 1]', this.startFactor);
    this.endFactor = checkFinite('options.endFactor', o.endFactor);
    if (!(this.endFactor >= 0 && this.endFactor <= 1)) throw optionError('options.endFactor', 'a number in [0, 1]', this.endFactor);
    this.totalIters = checkPositiveInt('options.totalIters', o.totalIters);
    this.start();
  }

  protected get kind(): string {
    return 'LinearLR';
  }

  protected get settings(): Record<string, unknown> {
    return { startFactor: this.startFactor, endFactor: this.endFactor, totalIters: this.totalIters };
  }

  lrAt(base: number, epoch: number): number {
    return base * (this.startFactor + ((this.endFactor - this.startFactor) * Math.min(epoch, this.totalIters)) / this.totalIters);
  }
}
