/**
 * `torch.optim.lr_scheduler.LambdaLR`: the rate is the base rate times a function of the epoch,
 * for any curve the built-in schedules do not draw (a one-cycle shape, a cyclic rate).
 *
 *   lr_t = base_lr · lrLambda(t)
 *
 * The function runs where the schedule is stepped (the trainer's thread, never a worker), so it
 * may close over anything. A factor that is not a finite number >= 0 is an error naming the
 * epoch, not a NaN learning rate. As in PyTorch, the state dict does not hold the function: a
 * resumed run must build the schedule with the same one. One function for every group, or a
 * list of one per group, as PyTorch's.
 */
import { mergeOptions, optionError } from '../../errors.js';
import type { LrGroups } from '../optimizer.js';
import { ClosedFormScheduler } from './scheduler.js';

type Factor = (epoch: number) => number;

export interface LambdaLROptions {
  lrLambda: Factor | readonly Factor[];
}

export class LambdaLR extends ClosedFormScheduler {
  /** One function per group. */
  readonly lrLambdas: readonly Factor[];

  constructor(optimizer: LrGroups, options: LambdaLROptions) {
    super(optimizer);
    const o = mergeOptions('LambdaLR options', { lrLambda: undefined as unknown as LambdaLROptions['lrLambda'] }, options);
    const groups = this.baseLrs.length;
    const list = Array.isArray(o.lrLambda) ? o.lrLambda : Array.from({ length: groups }, () => o.lrLambda as Factor);
    if (list.length !== groups || !list.every((f) => typeof f === 'function')) {
      throw optionError('options.lrLambda', `a function of the epoch returning a factor, or a list of ${groups} (one per group)`, o.lrLambda);
    }
    this.lrLambdas = Object.freeze([...list]);
    this.start();
  }

  protected get kind(): string {
    return 'LambdaLR';
  }

  protected get settings(): Record<string, unknown> {
    return {};
  }

  lrAt(base: number, epoch: number, group: number): number {
    const factor = this.lrLambdas[group](epoch);
    if (typeof factor !== 'number' || !Number.isFinite(factor) || factor < 0) {
      const which = this.lrLambdas.length > 1 && this.lrLambdas[0] !== this.lrLambdas[1] ? `lrLambda[${group}]` : 'lrLambda';
      throw new RangeError(`LambdaLR: ${which}(${epoch}) returned ${String(factor)}; the factor must be a finite number >= 0`);
    }
    return base * factor;
  }
}
