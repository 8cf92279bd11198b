/**
 * Where a run's time went, read from what the worker threads write into the arena: sums per
 * thread and phase (RunViews.timings, profileOf), and per-step times (RunViews.stepLog, StepLog)
 * for statistics that a few steps stalled by other work on the machine do not move (medians).
 */
import { CTL } from './control.js';
import type { StepProfile, StepTime } from './options.js';
import { STEP_LOG, STEP_LOG_ENTRY, TIMING, type RunViews } from './runArena.js';

/**
 * Where the time of a run's steps went: wall time of the steps as the coordinator saw them
 * (`steps`, `stepSeconds`), and per-thread sums of forward/backward (of which the batch weight
 * gradients), reduction, update and barrier waits.
 */
export function profileOf(timings: Float64Array, threads: number, steps: number, stepSeconds: number): StepProfile {
  const sum = (k: number) => Array.from({ length: threads }, (_, i) => timings[i * TIMING.length + k] ?? 0);
  const weightGrads = sum(TIMING.weightGrads);
  const forwardBackward = sum(TIMING.forwardBackward).map((s, i) => s + weightGrads[i]);
  return { steps, stepSeconds, threads, forwardBackward, weightGrads, reduce: sum(TIMING.reduce), update: sum(TIMING.update), wait: sum(TIMING.wait) };
}

/** Which queue sequence numbers the engine's steps had, and their times from the threads' log. */

export class StepLog {
  /** Queue sequence number of each of the last STEP_LOG steps, by step count modulo STEP_LOG. */
  private readonly seqs = new Int32Array(STEP_LOG);
  private steps = 0;

  reset(): void {
    this.steps = 0;
  }

  /** The next step of the run was queue sequence number `seq`. */
  record(seq: number): void {
    this.seqs[this.steps % STEP_LOG] = seq;
    this.steps++;
  }

  /**
   * The last `count` steps (at most STEP_LOG − 3, fewer if fewer have run) whose next step has
   * finished too, oldest first: per step, wall time until the next step's start, and
   * forward/backward (see StepTime). The wall time includes whatever the coordinator did before
   * it issued the next step when that step was not queued ahead (the first step of an epoch,
   * after a pause): for steady-state statistics, take the steps of whole epochs.
   */
  times(views: RunViews, threads: number, count: number): StepTime[] {
    const { stepLog, ctl } = views;
    const done = Atomics.load(ctl, CTL.DONE_SEQ);
    const at = (t: number, seq: number) => (t * STEP_LOG + (seq % STEP_LOG)) * STEP_LOG_ENTRY;
    // Logged by every thread (not overwritten since)?
    const logged = (seq: number) => {
      for (let t = 0; t < threads; t++) if (stepLog[at(t, seq)] !== seq) return false;
      return true;
    };
    const out: StepTime[] = [];
    for (let n = this.steps - 1; n >= Math.max(0, this.steps - STEP_LOG) && out.length < count; n--) {
      const seq = this.seqs[n % STEP_LOG];
      // Threads may be writing steps up to done + 2 (two queue slots) over the entries of steps
      // STEP_LOG earlier: those are left out, even mid-run.
      if (seq <= done + 2 - STEP_LOG) break;
      if (seq + 1 > done || !logged(seq) || !logged(seq + 1)) continue;
      // Each thread's gap between its starts of the two steps, on its own clock (threads' clocks
      // may differ by more than a short step), then the threads' mean.
      let wall = 0;
      let fb = 0;
      for (let t = 0; t < threads; t++) {
        wall += stepLog[at(t, seq + 1) + 1] - stepLog[at(t, seq) + 1];
        fb += stepLog[at(t, seq) + 2];
      }
      out.push({ wallSeconds: wall / threads / 1000, forwardBackwardSeconds: fb / threads });
    }
    return out.reverse();
  }
}
