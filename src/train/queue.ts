/**
 * Queuing the next step of an epoch while the current one runs (StepEngine.prefetch, which the
 * parallel engine implements): the trainer's side of pipelined steps. A per-batch schedule is
 * stepped just before the queued step reads the learning rates: once per step, in the same
 * order as when it is stepped after the result. If the current step then fails, `undo` puts the
 * schedule and the learning rates back. A schedule without stateDict()/loadStateDict() cannot be
 * undone, so nothing is queued for it.
 */
import type { Dataset } from '../data/dataset.js';
import type { Optimizer } from '../optim/optimizer.js';
import type { StepEngine } from './engine.js';
import type { Schedule } from './records.js';

/** A step queued behind the current one, and how to undo the schedule step taken for it. */
export interface QueuedStep {
  readonly queued: boolean;
  readonly undo: (() => void) | null;
}

export const NOT_QUEUED: QueuedStep = Object.freeze({ queued: false, undo: null });

export type Restorable = Schedule & { stateDict(): unknown; loadStateDict(state: unknown): void };

/** A schedule whose state can be saved and restored (every built-in one), else null. */
export function restorable(s: Schedule): Restorable | null {
  const r = s as Schedule & { stateDict?: unknown; loadStateDict?: unknown };
  return typeof r.stateDict === 'function' && typeof r.loadStateDict === 'function' ? (r as Restorable) : null;
}

/** The step to queue: rows [start, end) of `order`, the trainer's step number `step`. */
export interface NextStep {
  readonly data: Dataset;
  readonly order: Int32Array;
  readonly start: number;
  readonly end: number;
  readonly step: number;
}

export function queueNext(engine: StepEngine, schedule: Schedule | null | undefined, every: 'epoch' | 'batch' | undefined, optimizer: Optimizer, next: NextStep): QueuedStep {
  const perBatch = every === 'batch' ? schedule : null;
  const ahead = perBatch ? restorable(perBatch) : null;
  if (next.start >= next.data.size || (perBatch && !ahead) || !engine.prefetch) return NOT_QUEUED;
  let undo: (() => void) | null = null;
  const stepAhead = (s: Restorable) => () => {
    const lrs = optimizer.lrs;
    const saved = s.stateDict();
    s.step();
    undo = () => {
      s.loadStateDict(saved);
      lrs.forEach((lr, g) => optimizer.setLr(g, lr));
    };
  };
  const queued = engine.prefetch(next.data, next.order, next.start, next.end, next.step, ahead ? stepAhead(ahead) : undefined);
  return { queued, undo: queued ? () => undo?.() : null };
}
