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
    const entry = (seq: number) => {
      let start = Infinity;
      let fb = 0;
      for (let t = 0; t < threads; t++) {
        const i = (t * STEP_LOG + (seq % STEP_LOG)) * STEP_LOG_ENTRY;
        if (stepLog[i] !== seq) return null; // not run by this thread, or overwritten since
        start = Math.min(start, stepLog[i + 1]);
        fb += stepLog[i + 2];
      }
      return { start, fb: fb / threads };
    };
    const out: StepTime[] = [];
    for (let n = this.steps - 1; n >= Math.max(0, this.steps - STEP_LOG) && out.length < count; n--) {
      const seq = this.seqs[n % STEP_LOG];
      // Threads may be writing steps up to done + 2 (two queue slots) over the entries of steps
      // STEP_LOG earlier: those are left out, even mid-run.
      if (seq <= done + 2 - STEP_LOG) break;
      const a = seq + 1 <= done ? entry(seq) : null;
      const b = a ? entry(seq + 1) : null;
      if (a && b) out.push({ wallSeconds: (b.start - a.start) / 1000, forwardBackwardSeconds: a.fb });
    }
    return out.reverse();
  }
}
