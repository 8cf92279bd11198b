/**
 * The control block: a few Int32 cells in the arena through which the coordinator and the
 * workers run a step. Only these cells change hands per step; everything else is already in
 * shared memory. Waits are Atomics.wait with a short timeout so an abort is always seen.
 */
export const CTL = Object.freeze({
  /** Bumped by the coordinator to start a step (workers wait on it). */
  STEP_GEN: 0,
  /** Bumped by the last worker to finish a step (the coordinator waits on it with waitAsync). */
  DONE_GEN: 1,
  /** What the next generation means: CMD_STEP or CMD_EXIT. */
  CMD: 2,
  /** Non-zero: abandon the step, every worker returns. */
  ABORT: 3,
  STEP: 4,
  BATCH_START: 5,
  BATCH_END: 6,
  SHARDS: 7,
  /** Atomic counters by which workers claim work: shards, reduction chunks, update chunks. */
  SHARD_NEXT: 8,
  REDUCE_NEXT: 9,
  UPDATE_NEXT: 10,
  DONE_COUNT: 11,
  BAR_COUNT: 12,
  BAR_GEN: 13,
  /** 1 when the gradient norm is not finite: the update is skipped. */
  NONFINITE: 14,
  ERROR_KIND: 15,
  ERROR_SHARD: 16,
  /** Retry number of the step in flight (0 on the first try). */
  ATTEMPT: 17,
  /** Workers that have started and are waiting for steps. */
  READY: 18,
  /** Threads taking part in the run. */
  PARTIES: 19,
  /** Set when an update chunk has been claimed: from then on a crash cannot be retried exactly. */
  UPDATING: 20,
});
export const CTL_LENGTH = 32;

export const CMD_STEP = 1;
export const CMD_EXIT = 2;
export const ERROR_NONE = 0;
export const ERROR_THROWN = 1;

const POLL_MS = 200;

/** Thrown inside a worker when the coordinator aborted the step. */
export class Aborted extends Error {
  constructor() {
    super('step aborted');
  }
}

export function checkAbort(ctl: Int32Array): void {
  if (Atomics.load(ctl, CTL.ABORT) !== 0) throw new Aborted();
}

/** Block until ctl[index] is no longer `value` (or the step is aborted). */
export function waitWhile(ctl: Int32Array, index: number, value: number): void {
  while (Atomics.load(ctl, index) === value) {
    checkAbort(ctl);
    Atomics.wait(ctl, index, value, POLL_MS);
  }
  checkAbort(ctl);
}

/** Tell every waiter to give up the step. */
export function abort(ctl: Int32Array): void {
  Atomics.store(ctl, CTL.ABORT, 1);
  for (const i of [CTL.STEP_GEN, CTL.BAR_GEN, CTL.DONE_GEN, CTL.READY]) Atomics.notify(ctl, i);
}
