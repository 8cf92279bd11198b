/**
 * `torch.optim.lr_scheduler.MultiStepLR`: decay by `gamma` at each milestone epoch.
 *
 *   lr_t = base_lr · γ^(number of milestones ≤ t)
 *
 * Defaults: gamma 0.1. Milestones are required non-negative integers, in any order; one given
 * twice decays twice there, as PyTorch's (it counts them: `Counter(milestones)`).
 */
import { checkFinite, checkNonNegativeInt, mergeOptions, optionError } from '../../errors.js';
import type { LrGroups } from '../optimizer.js';
import { ClosedFormScheduler } from './scheduler.js';

export interface MultiStepLROptions {
  milestones: readonly number[];
  gamma?: number;
}

export class MultiStepLR extends ClosedFormScheduler {
  readonly milestones: readonly number[];
  readonly gamma: number;

  constructor(optimizer: LrGroups, options: MultiStepLROptions) {
    super(optimizer);
    const o = mergeOptions<MultiStepLROptions>('MultiStepLR options', { milestones: [], gamma: 0.1 }, options);
    if (!Array.isArray(o.milestones) || o.milestones.length === 0) throw optionError('options.milestones', 'a non-empty array of epochs', o.milestones);
    const milestones = o.milestones.map((m, i) => checkNonNegativeInt(`options.milestones[${i}]`, m));
    this.milestones = Object.freeze(milestones.sort((a, b) => a - b));
    this.gamma = checkFinite('options.gamma', o.gamma);
    if (this.gamma < 0) throw optionError('options.gamma', 'a finite number >= 0', this.gamma);
    this.start();
  }

  protected get kind(): string {
    return 'MultiStepLR';
  }

  protected get settings(): Record<string, unknown> {
    return { milestones: this.milestones, gamma: this.gamma };
  }

  lrAt(base: number, epoch: number): number {
    let passed = 0;
    while (passed < this.milestones.length && this.milestones[passed] <= epoch) passed++;
    return base * this.gamma ** passed;
  }
}
