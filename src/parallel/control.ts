/**
 * The control block: a few Int32 cells in the arena through which the coordinator and the
 * workers run a step. Only these cells change hands per step; everything else is already in
 * shared memory. Waits are Atomics.wait with a short timeout so an abort is always seen.
 */
export const CTL = Object.freeze({
  /**
   * Sequence number of the last step issued (steps are numbered 1, 2, … per run, a cancelled
   * one included). Workers wait on it; the coordinator may issue steps while earlier ones run
   * (a queue of QUEUE_SLOTS descriptors, seq % QUEUE_SLOTS).
   */
  ISSUED: 0,
  /** Sequence number of the last step finished by every thread (threads wait on it; the coordinator on WAKE). */
  DONE_SEQ: 1,
  /** CMD_EXIT: the workers return instead of starting another step (end() then aborts, which wakes any that wait). */
  CMD: 2,
  /** Non-zero: abandon the step, every worker returns. */
  ABORT: 3,
  BAR_COUNT: 4,
  BAR_GEN: 5,
  ERROR_KIND: 6,
  ERROR_SHARD: 7,
  /** Workers that have started and are waiting for steps. */
  READY: 8,
  /** Threads taking part in the run. */
  PARTIES: 9,
  /**
   * The coordinator waits on this cell, not on DONE_SEQ: the thread that ends a step adds 1 and
   * notifies it only when the step is the one the coordinator waits for (WAKE_AT) or later, and
   * only once per wait, or when its gradients were not finite. A run of auto-applied steps then
   * wakes the coordinator once per refill of the queue, not once per step.
   */
  WAKE: 10,
  /** The sequence number the coordinator waits for (see WAKE). */
  WAKE_AT: 11,
  /**
   * The last step whose non-finite gradients the coordinator has seen: the threads, which wait
   * after such a step, go on once it is here and what was queued behind it is decided.
   */
  NONFINITE_SEEN: 12,
});

/** The cells of one queue slot (a step descriptor and its per-step counters): ctl[slotBase(seq) + SLOT.X]. */
export const SLOT = Object.freeze({
  STEP: 0,
  BATCH_START: 1,
  BATCH_END: 2,
  SHARDS: 3,
  /** Atomic counters by which workers claim work: shards, reduction chunks, update chunks. */
  SHARD_NEXT: 4,
  REDUCE_NEXT: 5,
  UPDATE_NEXT: 6,
  DONE_COUNT: 7,
  /** 1 when the gradient norm is not finite: the update is skipped. */
  NONFINITE: 8,
  /** Retry number of the step (0 on the first try). */
  ATTEMPT: 9,
  /** Set when an update chunk has been claimed: from then on a crash cannot be retried exactly. */
  UPDATING: 10,
  /**
   * DECISION_NONE while the step is only queued: workers may compute its shards and reduction
   * (which change nothing that persists) but wait before the update for DECISION_APPLY (go on)
   * or DECISION_CANCEL (skip the update; the step does not count). DECISION_AUTO: applied
   * unless revoked before it starts; the first thread to start it turns it to DECISION_RUNNING
   * (compareExchange), the coordinator revokes it by turning it to DECISION_REVOKED, so exactly
   * one of the two happens and every thread takes the same path. (A queued step's
   * DECISION_CANCEL may come at any moment, so threads act on it only at the gate.)
   */
  DECISION: 11,
  /**
   * 1 for the last step of a run of steps: nothing follows it until the coordinator has taken
   * the run's results (and, at an epoch's end, done the trainer's epoch-end work), so the threads
   * sleep at once instead of spinning for the next step on the cores that work needs.
   */
  LAST_OF_RUN: 12,
  length: 13,
});
const SLOTS_AT = 16;
/** Queue slots: steps issued and not yet finished, at most (step seq uses slot seq % QUEUE_SLOTS). */
export const QUEUE_SLOTS = 64;
export const slotOf = (seq: number): number => seq % QUEUE_SLOTS;
export const slotBase = (seq: number): number => SLOTS_AT + slotOf(seq) * SLOT.length;
export const CTL_LENGTH = SLOTS_AT + QUEUE_SLOTS * SLOT.length;

export const DECISION_NONE = 0;
export const DECISION_APPLY = 1;
export const DECISION_CANCEL = 2;
export const DECISION_AUTO = 3;
export const DECISION_RUNNING = 4;
export const DECISION_REVOKED = 5;

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
  for (const i of [CTL.ISSUED, CTL.BAR_GEN, CTL.DONE_SEQ, CTL.WAKE, CTL.READY]) Atomics.notify(ctl, i);
  for (let s = 0; s < QUEUE_SLOTS; s++) Atomics.notify(ctl, slotBase(s) + SLOT.DECISION);
}

/** What a queue slot says about its step (the coordinator writes it, in issue()). */
export interface SlotDescriptor {
  step: number;
  start: number;
  end: number;
  shards: number;
  decision: number;
  lastOfRun: boolean;
}

/** Reset the slot of step `seq`'s counters and write its descriptor; ISSUED is published after. */
export function writeSlot(ctl: Int32Array, seq: number, d: SlotDescriptor): void {
  const b = slotBase(seq);
  for (const i of [SLOT.SHARD_NEXT, SLOT.REDUCE_NEXT, SLOT.UPDATE_NEXT, SLOT.DONE_COUNT, SLOT.NONFINITE, SLOT.UPDATING, SLOT.ATTEMPT]) Atomics.store(ctl, b + i, 0);
  Atomics.store(ctl, b + SLOT.STEP, d.step);
  Atomics.store(ctl, b + SLOT.BATCH_START, d.start);
  Atomics.store(ctl, b + SLOT.BATCH_END, d.end);
  Atomics.store(ctl, b + SLOT.SHARDS, d.shards);
  Atomics.store(ctl, b + SLOT.DECISION, d.decision);
  Atomics.store(ctl, b + SLOT.LAST_OF_RUN, d.lastOfRun ? 1 : 0);
}

/** Apply or cancel step `seq` (queued with DECISION_NONE), waking the threads waiting at its gate. */
export function decide(ctl: Int32Array, seq: number, decision: number): void {
  const i = slotBase(seq) + SLOT.DECISION;
  Atomics.store(ctl, i, decision);
  Atomics.notify(ctl, i);
}

/** Revoke auto-applied step `seq` if no thread has started it; true if it is revoked. */
export function revoke(ctl: Int32Array, seq: number): boolean {
  const i = slotBase(seq) + SLOT.DECISION;
  if (Atomics.compareExchange(ctl, i, DECISION_AUTO, DECISION_REVOKED) !== DECISION_AUTO) return false;
  Atomics.notify(ctl, i);
  return true;
}

/** WAKE_AT once the coordinator has been woken for the step it waited for: no step wakes it again until it waits for another. */
export const WAKE_NEVER = 0x7fffffff;

/**
 * The thread that ended step `seq` tells the coordinator, if it waits for this step or an
 * earlier one, or if `always`. It wakes it once: the steps that end while the coordinator is
 * busy (tiny steps run many in one wake-up's time) do not notify it again. A compareExchange,
 * so that a thread late with an old WAKE_AT never overwrites the coordinator's next one.
 */
export function wakeCoordinator(ctl: Int32Array, seq: number, always: boolean): void {
  if (!always) {
    for (let at = Atomics.load(ctl, CTL.WAKE_AT); ; at = Atomics.load(ctl, CTL.WAKE_AT)) {
      if (seq < at) return;
      if (Atomics.compareExchange(ctl, CTL.WAKE_AT, at, WAKE_NEVER) === at) break;
    }
  }
  Atomics.add(ctl, CTL.WAKE, 1);
  Atomics.notify(ctl, CTL.WAKE);
}
