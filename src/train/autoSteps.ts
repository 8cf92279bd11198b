/**
 * Steps in runs (StepEngine.runSteps): when nothing observes single steps (no onBatchEnd, no
 * per-batch schedule that cannot be stepped ahead or an engine without issueHook to step it),
 * the trainer hands the engine the rest of the epoch at once (in runs of up to RUN_STEPS). The
 * parallel runtime's threads then go from one step to the next without a round trip through the
 * coordinator, which tops up their queue while they work (each wake-up costs a worker's core
 * ~60 µs on a machine with as many threads as cores, and a hand-over in which the threads wait
 * for it ~300 µs). stop(), pause() and currentParams() revoke the steps not yet started, so they
 * still take effect after the step in flight. The numbers are those of one step at a time, bit
 * for bit. A learning rate is read as a step is queued: a per-batch schedule is stepped there,
 * ahead, and put back to the steps applied after the run; a learning rate changed any other way
 * during a run applies some steps later.
 */
import type { Dataset } from '../data/dataset.js';
import type { Optimizer } from '../optim/optimizer.js';
import type { StepBatch, StepEngine, StepResult } from './engine.js';
import { restorable, type Restorable } from './queue.js';
import type { EpochPosition, Schedule } from './records.js';

/**
 * Whether the trainer may run steps in runs: the engine can, and nothing observes single steps
 * (no onBatchEnd). A per-batch schedule is stepped ahead as the steps are queued and put back to
 * the steps applied after the run, so it must be able to save and restore its state, and the
 * engine must call the hook that steps it (issueHook).
 */
export function canRunSteps(engine: StepEngine, options: { onBatchEnd?: unknown; schedule?: Schedule | null; scheduleEvery?: string }): boolean {
  if (typeof engine.runSteps !== 'function' || options.onBatchEnd) return false;
  return !(options.schedule && options.scheduleEvery === 'batch' && !(engine.issueHook === true && restorable(options.schedule)));
}

/** A per-batch schedule and the optimizer whose learning rates it sets. */
export interface PerBatchSchedule {
  readonly schedule: Restorable;
  readonly optimizer: Optimizer;
}

/**
 * The hooks that step `perBatch` ahead as a run's steps are queued (before each step queued
 * after the first, as the trainer steps it after each result), and bring it to `applied` steps
 * from the run's start after the run: one more step when every step queued was applied, else
 * back to the run's start and `applied` steps again (a schedule is stepped twice for the steps
 * that were cancelled). A schedule that throws when stepped ahead for step j stops the queuing
 * there; the steps queued before still run, and its error comes back when the steps applied
 * reach j, as one at a time, where it throws after step j − 1.
 */
function stepAhead(perBatch: PerBatchSchedule) {
  const { schedule, optimizer } = perBatch;
  const saved = schedule.stateDict();
  const lrs = optimizer.lrs;
  // Steps taken ahead (for steps 1 … ahead of the run), and the error of the one that threw.
  let ahead = 0;
  let failed: { error: unknown; at: number } | null = null;
  return {
    beforeIssue: (index: number): boolean => {
      try {
        schedule.step();
        ahead = index;
        return true;
      } catch (e) {
        failed = { error: e, at: index };
        return false;
      }
    },
    settle: (applied: number): unknown => {
      const thrown = failed as { error: unknown; at: number } | null;
      try {
        if (applied === ahead + 1 && !thrown) {
          schedule.step();
          return null;
        }
        schedule.loadStateDict(saved);
        lrs.forEach((lr, g) => optimizer.setLr(g, lr));
        for (let i = 0; i < applied; i++) schedule.step();
      } catch (e) {
        return e;
      }
      return thrown && applied >= thrown.at ? thrown.error : null;
    },
  };
}

/** Steps per run at most: the rest of the epoch, in runs of this many (a hand-over between two). */
export const RUN_STEPS = 1024;

/**
 * Run the rest of epoch `p` (at most RUN_STEPS steps) from global step `step`; the position and
 * its sums advance by the steps applied, as their results come in, and `advanced` hears of each
 * advance (the steps applied so far in this run). Returns how many were applied, and the error
 * that ended the run early (null if none; an error thrown by `advanced` revokes the steps not
 * started and is returned), for the caller to count the steps before throwing it.
 */
export async function runSteps(
  engine: StepEngine, train: Dataset, p: EpochPosition, batchSize: number, step: number, advanced: (applied: number) => void, perBatch: PerBatchSchedule | null = null,
): Promise<{ applied: number; error: unknown }> {
  const batches: StepBatch[] = [];
  for (let start = p.next; start < train.size && batches.length < RUN_STEPS; start += batchSize) {
    batches.push({ start, end: Math.min(train.size, start + batchSize), step: step + batches.length });
  }
  let applied = 0;
  const take = (results: readonly StepResult[]) => {
    for (; applied < results.length; applied++) {
      const r = results[applied];
      p.next = batches[applied].end;
      p.batch++;
      p.lossSum += r.lossSum;
      p.correct += r.correct;
    }
  };
  const advance = (results: readonly StepResult[]) => {
    take(results);
    advanced(applied);
  };
  const ahead = perBatch ? stepAhead(perBatch) : null;
  let outcome: { results: readonly StepResult[]; error: unknown };
  try {
    outcome = await engine.runSteps!(train, p.order, batches, advance, ahead?.beforeIssue);
  } catch (e) {
    // The position and the count stay in step: what was advanced counts (the engine's error first).
    ahead?.settle(applied);
    return { applied, error: e };
  }
  // Steps taken after an `advanced` that threw (the engine then reports no more): counted, not reported.
  take(outcome.results);
  const scheduleError = ahead?.settle(applied) ?? null;
  return { applied, error: outcome.error ?? scheduleError };
}
