/**
 * `torch.optim.lr_scheduler.ExponentialLR`: decay by `gamma` every epoch.
 *
 *   lr_t = base_lr · γ^t
 */
import { checkFinite, mergeOptions, optionError } from '../../errors.js';
import type { LrGroups } from '../optimizer.js';
import { ClosedFormScheduler } from './scheduler.js';

export interface ExponentialLROptions {
  gamma: number;
}

export class ExponentialLR extends ClosedFormScheduler {
  readonly gamma: number;

  constructor(optimizer: LrGroups, options: ExponentialLROptions) {
    super(optimizer);
    const o = mergeOptions('ExponentialLR options', { gamma: undefined as unknown as number }, options);
    this.gamma = checkFinite('options.gamma', o.gamma);
    if (this.gamma < 0) throw optionError('options.gamma', 'a finite number >= 0', this.gamma);
    this.start();
  }

  protected get kind(): string {
    return 'ExponentialLR';
  }

  protected get settings(): Record<string, unknown> {
    return { gamma: this.gamma };
  }

  lrAt(base: number, epoch: number): number {
    return base * this.gamma ** epoch;
  }
}
