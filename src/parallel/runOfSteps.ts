/**
 * A run of steps (ParallelEngine.runSteps), the coordinator's side: consecutive steps of one
 * epoch go out as auto-applied steps, as many as the queue holds, and the threads go from one
 * to the next without waiting for the coordinator. It is woken when REFILL_AT of them are still
 * queued, takes the finished steps' results and issues more into their slots: so it wakes once
 * per REFILL_AT steps and at the run's end (and every PROGRESS_MS for progress), and the threads
 * rarely wait for it. A gradient that is not finite, or a thread that failed, wakes it at once;
 * revoke() (StepQueue) cancels the steps not yet started.
 */
import type { StepBatch, StepResult, StepsResult } from '../train/engine.js';
import { CTL, QUEUE_SLOTS } from './control.js';
import type { StepLog } from './stepLog.js';
import type { StepQueue } from './stepQueue.js';

/** A run of steps wakes the coordinator to issue more when this many are still queued. */
export const REFILL_AT = QUEUE_SLOTS / 2;

/**
 * With a `taken` callback (progress), the coordinator also wakes this often (ms) to take the
 * steps finished so far: a run of up to 64 steps would otherwise report only at its end.
 */
export const PROGRESS_MS = 100;

/** What a run needs from its engine. */
export interface RunDriver {
  readonly queue: StepQueue;
  readonly ctl: Int32Array;
  readonly log: StepLog;
  /** Wait until step `seq` is done, or `enough()`; rejects with the failure that ended the run. */
  awaitDone(seq: number, enough: () => boolean): Promise<void>;
  /** Resolves once an end() that interrupted the run has stopped the threads (at once otherwise). */
  settled(): Promise<void>;
  /** The error of step `seq`, whose gradients were not finite (the threads may then go on). */
  nonFiniteError(seq: number): Error;
}

/**
 * Run `batches` (every slot free, the epoch's order in place); `beforeIssue` (StepQueue.startRun)
 * runs before each but the first is queued. `taken` hears of the results
 * each time more are in; if it throws, the steps not started are revoked, the ones in flight
 * still counted, and its error ends the run. Resolves with the results of the steps applied, in
 * order, and the error that ended the run early, if any (the runtime's own before `taken`'s: it
 * may say the parameters are torn): the steps applied before it count.
 */
export async function driveRun(d: RunDriver, batches: readonly StepBatch[], taken?: (results: readonly StepResult[]) => void, beforeIssue?: (index: number) => boolean): Promise<StepsResult> {
  const { queue, ctl, log } = d;
  const run = queue.startRun(batches, beforeIssue);
  const results: StepResult[] = [];
  let error: unknown = null;
  let thrown: { error: unknown } | null = null;
  // The steps whose results are in: run.first … last (their slots may be issued again).
  let last = run.first - 1;
  let reported = performance.now();
  // A notify of the coordinator's wake cell: waitFor then asks enough(), which says whether progress is due.
  const ticker = taken ? setInterval(() => Atomics.notify(ctl, CTL.WAKE), PROGRESS_MS) : null;
  const progressDue = () => ticker !== null && performance.now() - reported >= PROGRESS_MS && Atomics.load(ctl, CTL.DONE_SEQ) > last;
  try {
    while (error === null && last < run.last) {
      const more = run.next < run.batches.length;
      try {
        await d.awaitDone(more ? Math.max(last + 1, run.last - REFILL_AT) : run.last, () => queue.nonFiniteIn(last + 1, run.last) || progressDue());
      } catch (e) {
        error = e;
      }
      // end() in the middle of the run: the threads stop before the finished steps are counted.
      await d.settled();
      const before = results.length;
      for (const done = Math.min(Atomics.load(ctl, CTL.DONE_SEQ), run.last); last < done; ) {
        const seq = ++last;
        log.finished(seq);
        if (queue.nonFinite(seq)) {
          // Not applied, and nothing after it runs: the threads wait for these revocations.
          queue.revoke();
          queue.cancel(seq);
          error = d.nonFiniteError(seq);
          break;
        }
        queue.applied(seq);
        results.push(queue.resultOf(seq));
      }
      if (error === null) queue.refill(last);
      if (taken && !thrown && results.length > before) {
        reported = performance.now();
        try {
          taken(results);
        } catch (e) {
          thrown = { error: e };
          queue.revoke();
        }
      }
    }
  } finally {
    if (ticker !== null) clearInterval(ticker);
  }
  queue.run = null;
  return { results, error: error ?? (thrown as { error: unknown } | null)?.error ?? null };
}
