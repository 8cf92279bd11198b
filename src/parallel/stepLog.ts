/**
 * Where a run's time went, read from what the worker threads write into the arena: sums per
 * thread and phase (RunViews.timings, profileOf), and per-step times (RunViews.stepLog, StepLog)
 * for statistics that a few steps stalled by other work on the machine do not move (medians).
 */
import { CTL, QUEUE_SLOTS, slotOf } from './control.js';
import type { StepProfile, StepTime } from './options.js';
import { STEP_LOG, STEP_LOG_ENTRY, TIMING, type RunViews } from './runArena.js';

/**
 * Where the time of a run's steps went: wall time of the steps as the coordinator saw them
 * (`steps`, `stepSeconds`), and per-thread sums of forward/backward (of which the batch weight
 * gradients), reduction, update and barrier waits.
 */
export function profileOf(timings: Float64Array, threads: number, steps: number, stepSeconds: number, wakes = 0): StepProfile {
  const sum = (k: number) => Array.from({ length: threads }, (_, i) => timings[i * TIMING.length + k] ?? 0);
  const weightGrads = sum(TIMING.weightGrads);
  const forwardBackward = sum(TIMING.forwardBackward).map((s, i) => s + weightGrads[i]);
  return { steps, stepSeconds, threads, forwardBackward, weightGrads, reduce: sum(TIMING.reduce), update: sum(TIMING.update), wait: sum(TIMING.wait), wakes };
}

/**
 * The coordinator's side of the timing: when each step was issued and seen done (wall time per
 * step as the coordinator saw it: from the later of its issue and the previous step's end), and
 * which queue sequence number each step had, for its times from the threads' log.
 */
export class StepLog {
  /** Queue sequence number of each of the last STEP_LOG steps, by step count modulo STEP_LOG. */
  private readonly seqs = new Int32Array(STEP_LOG);
  private steps = 0;
  /** When each queue slot's step was issued, and when the last step was seen done. */
  private readonly issuedAt = new Float64Array(QUEUE_SLOTS);
  private lastDone = 0;
  private seconds = 0;

  reset(): void {
    this.steps = 0;
    this.lastDone = 0;
    this.seconds = 0;
  }

  /** Step `seq` was issued now. */
  issued(seq: number): void {
    this.issuedAt[slotOf(seq)] = performance.now();
  }

  /** Step `seq`, the next step of the run, was seen done now. */
  finished(seq: number): void {
    const now = performance.now();
    this.seconds += (now - Math.max(this.issuedAt[slotOf(seq)], this.lastDone)) / 1000;
    this.lastDone = now;
    this.seqs[this.steps % STEP_LOG] = seq;
    this.steps++;
  }

  /** profileOf the threads' `timings` with the steps and wall seconds seen so far. */
  profile(timings: Float64Array, threads: number, wakes: number): StepProfile {
    return profileOf(timings, threads, this.steps, this.seconds, wakes);
  }

  /**
   * The last `count` steps (at most STEP_LOG − QUEUE_SLOTS − 1, fewer if fewer have run) whose next step has
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
      // Threads may be writing steps up to done + QUEUE_SLOTS over the entries of steps STEP_LOG
      // earlier: those are left out, even mid-run.
      if (seq <= done + QUEUE_SLOTS - STEP_LOG) break;
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
