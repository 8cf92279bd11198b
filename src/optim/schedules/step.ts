/**
 * `torch.optim.lr_scheduler.StepLR`: decay by `gamma` every `stepSize` epochs.
 *
 *   lr_t = base_lr · γ^⌊t / step_size⌋
 *
 * Defaults: gamma 0.1 (stepSize is required).
 */
import { checkFinite, checkPositiveInt, mergeOptions, optionError } from '../../errors.js';
import type { LrGroups } from '../optimizer.js';
import { ClosedFormScheduler } from './scheduler.js';

export interface StepLROptions {
  stepSize: number;
  gamma?: number;
}

export class StepLR extends ClosedFormScheduler {
  readonly stepSize: number;
  readonly gamma: number;

  constructor(optimizer: LrGroups, options: StepLROptions) {
    super(optimizer);
    const o = mergeOptions('StepLR options', { stepSize: undefined as unknown as number, gamma: 0.1 }, options);
    this.stepSize = checkPositiveInt('options.stepSize', o.stepSize);
    this.gamma = checkFinite('options.gamma', o.gamma);
    if (this.gamma < 0) throw optionError('options.gamma', 'a finite number >= 0', this.gamma);
    this.start();
  }

  protected get kind(): string {
    return 'StepLR';
  }

  protected get settings(): Record<string, unknown> {
    return { stepSize: this.stepSize, gamma: this.gamma };
  }

  lrAt(base: number, epoch: number): number {
    return base * this.gamma ** Math.floor(epoch / this.stepSize);
  }
}
