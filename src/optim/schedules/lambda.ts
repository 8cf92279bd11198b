/**
 * `torch.optim.lr_scheduler.LambdaLR`: the rate is the base rate times a function of the epoch,
 * for any curve the built-in schedules do not draw (a one-cycle shape, a cyclic rate).
 *
 *   lr_t = base_lr · lrLambda(t)
 *
 * The function runs where the schedule is stepped (the trainer's thread, never a worker), so it
 * may close over anything. A factor that is not a finite number >= 0 is an error naming the
 * epoch, not a NaN learning rate. As in PyTorch, the state dict does not hold the function: a
 * resumed run must build the schedule with the same one. One function for every group (PyTorch
 * also takes a list, one per group).
 */
import { mergeOptions, optionError } from '../../errors.js';
import type { LrGroups } from '../optimizer.js';
import { ClosedFormScheduler } from './scheduler.js';

export interface LambdaLROptions {
  lrLambda: (epoch: number) => number;
}

export class LambdaLR extends ClosedFormScheduler {
  readonly lrLambda: (epoch: number) => number;

  constructor(optimizer: LrGroups, options: LambdaLROptions) {
    super(optimizer);
    const o = mergeOptions('LambdaLR options', { lrLambda: undefined as unknown as LambdaLROptions['lrLambda'] }, options);
    if (typeof o.lrLambda !== 'function') throw optionError('options.lrLambda', 'a function of the epoch returning a factor', o.lrLambda);
    this.lrLambda = o.lrLambda;
    this.start();
  }

  protected get kind(): string {
    return 'LambdaLR';
  }

  protected get settings(): Record<string, unknown> {
    return {};
  }

  lrAt(base: number, epoch: number): number {
    const factor = this.lrLambda(epoch);
    if (typeof factor !== 'number' || !Number.isFinite(factor) || factor < 0) {
      throw new RangeError(`LambdaLR: lrLambda(${epoch}) returned ${String(factor)}; the factor must be a finite number >= 0`);
    }
    return base * factor;
  }
}
