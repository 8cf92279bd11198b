/**
 * Recovery after a failed attempt at the steps in flight (engine.ts): stop every task, then
 * throw, or restart the tasks for a retry of every unfinished step, the oldest first. A step
 * that is given up is cancelled on the optimizer (its step count and scalars go back), since
 * its update was never applied, and so is every step queued behind it; one whose update had
 * begun cannot be redone or undone (a `torn` WorkerFailure).
 */
import { CTL, ERROR_THROWN, SLOT, slotBase } from './control.js';
import { finalFailure, WorkerFailure, type ParallelOptions } from './options.js';
import type { StepQueue } from './stepQueue.js';
import type { TaskPool } from './taskPool.js';

/** What recovery reads and changes of the engine's run. */
export interface Run {
  readonly ctl: Int32Array;
  readonly queue: StepQueue;
  readonly options: Readonly<Required<ParallelOptions>>;
  /** The run's pool, or null once end() has taken it. */
  readonly pool: TaskPool | null;
  /** An update failed part-way: the arena's parameters are not copied out. */
  markTorn(): void;
  /** The run stops at a failed step (later steps reject); returns `e`. */
  fail(e: Error): Error;
  /** A step is redone. */
  retried(): void;
  /** The threads could not be restarted after the step awaited had finished: later steps reject with `e`. */
  breakWith(e: Error): void;
}

export async function recover(run: Run, error: unknown, attempt: number, seq: number): Promise<void> {
  const { ctl, pool, queue } = run;
  if (!pool) {
    const step = Atomics.load(ctl, slotBase(Math.min(seq, Atomics.load(ctl, CTL.DONE_SEQ) + 1)) + SLOT.STEP);
    throw run.fail(new WorkerFailure(`step ${step}: the run was ended (end()) while the step was in flight`, error));
  }
  // Only once every task has ended are UPDATING and ERROR_KIND final.
  error = (await pool.stop())[0] ?? error;
  const oldest = Atomics.load(ctl, CTL.DONE_SEQ) + 1;
  // Step `seq` may have finished while the tasks were stopped (a deadline that fired during its
  // last update chunk): it was applied, so it is neither failed nor cancelled; only what is
  // queued behind it is restarted.
  const finished = oldest > seq;
  const issued = queue.issued;
  // The step the messages name: the oldest unfinished one, or `seq` if nothing is left.
  const step = Atomics.load(ctl, slotBase(oldest <= issued ? oldest : seq) + SLOT.STEP);
  const unfinished: number[] = [];
  for (let seq = oldest; seq <= issued; seq++) unfinished.push(seq);
  if (unfinished.some((seq) => Atomics.load(ctl, slotBase(seq) + SLOT.UPDATING) !== 0)) {
    run.markTorn();
    queue.forget();
    throw run.fail(new WorkerFailure(`a worker thread failed while applying the update of step ${step}: parameters may be partly updated, so the step cannot be redone exactly, and the model keeps the parameters of its last synchronization; resume from a checkpoint`, error, true));
  }
  const giveUp = (e: Error): never => {
    queue.giveUp(oldest);
    throw run.fail(e);
  };
  if (!finished) {
    const thrownShard = Atomics.load(ctl, CTL.ERROR_KIND) === ERROR_THROWN ? Atomics.load(ctl, CTL.ERROR_SHARD) : -1;
    const final = finalFailure(error, step, thrownShard, attempt, run.options);
    if (final) giveUp(final);
    run.retried();
    Atomics.store(ctl, slotBase(oldest) + SLOT.ATTEMPT, attempt + 1);
  }
  try {
    await pool.restart(oldest, issued);
  } catch (e) {
    await pool.stop();
    const failure = new WorkerFailure(`step ${step}: the worker threads could not be restarted after a failure: ${(e as Error)?.message}`, e);
    // Step `seq` itself was applied: its result stands, and the next step() reports this.
    if (finished && !queue.run) {
      queue.cancelQueued();
      run.breakWith(failure);
      return;
    }
    giveUp(failure);
  }
}
