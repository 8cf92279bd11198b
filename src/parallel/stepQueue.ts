/**
 * What the coordinator has handed the threads: each step's descriptor and optimizer plan in
 * its queue slot (control.ts, QUEUE_SLOTS of them), the step queued by prefetch() (applied or
 * cancelled by the next step()), and the auto-applied steps of a runSteps() (revocable until a
 * thread starts them). It keeps the shadow optimizer in step with what the threads apply: its
 * beginStep() runs as a step is issued, and every step that will not be applied is cancelled
 * on it, the last first. `open` lists the steps whose beginStep is neither applied (its result
 * taken) nor cancelled: always the latest issued ones, so they are what cancelStep() undoes.
 */
import type { Optimizer } from '../optim/optimizer.js';
import type { StepBatch, StepResult } from '../train/engine.js';
import { CTL, decide, DECISION_APPLY, DECISION_AUTO, DECISION_CANCEL, DECISION_NONE, QUEUE_SLOTS, revoke, SLOT, slotBase, slotOf, writeSlot } from './control.js';
import type { RunViews } from './runArena.js';
import { sumShards } from './shard.js';
import type { StepLog } from './stepLog.js';

interface Pending {
  seq: number;
  step: number;
  start: number;
  end: number;
  lrs: number[];
}

/**
 * The auto-applied steps of a runSteps(): issued as sequence numbers first … last (last drops
 * as revoke() cancels), and `batches[next…]` still to issue as queue slots free up (refill()).
 */
export interface Run {
  readonly first: number;
  last: number;
  readonly batches: readonly StepBatch[];
  next: number;
  /** Called just before batches[i] (i ≥ 1) is issued (the learning rates are read after it); false: issue no more. */
  readonly beforeIssue?: (index: number) => boolean;
}

export class StepQueue {
  /** Sequence number of the last step issued (control.ts: ISSUED). */
  issued = 0;
  /** The step queued by prefetch() and not yet applied or cancelled. */
  private pending: Pending | null = null;
  /** The auto-applied steps in flight, if any. */
  run: Run | null = null;
  private orderSet = false;
  /** Issued steps, in order, whose beginStep is neither applied nor cancelled. */
  private readonly open: number[] = [];

  constructor(
    private readonly views: RunViews,
    /** The optimizer on the arena's state, whose plans the threads apply. */
    private readonly shadow: Optimizer,
    /** The caller's optimizer: its learning rates go into each plan. */
    private readonly optimizer: Optimizer,
    private readonly log: StepLog,
    private readonly microShard: number,
  ) {}

  private get ctl(): Int32Array {
    return this.views.ctl;
  }

  /** The epoch's data order, written once per epoch (at its first step, when nothing is in flight). */
  setOrder(order: Int32Array, start: number): void {
    if (start !== 0 && this.orderSet) return;
    this.views.order.set(order);
    this.orderSet = true;
  }

  /** Whether steps can be queued behind the one in flight (the epoch's order is in place). */
  get canQueue(): boolean {
    return this.orderSet && this.pending === null;
  }

  /**
   * Write a step's descriptor and plan into its queue slot and publish it (unless
   * `publish` is false: refill() publishes its steps together); its sequence number.
   */
  issue(start: number, end: number, step: number, decision: number, { publish = true, lastOfRun = false } = {}): number {
    const { ctl } = this;
    // Counted as issued only once its plan is made: a schedule's learning rate that throws here
    // must not leave a half-written slot for the workers.
    const seq = this.issued + 1;
    const shadow = this.shadow;
    for (let g = 0; g < shadow.groupCount; g++) shadow.setLr(g, this.optimizer.getLr(g));
    shadow.beginStep(this.views.plan[slotOf(seq)]);
    this.open.push(seq);
    writeSlot(ctl, seq, { step, start, end, shards: Math.ceil((end - start) / this.microShard), decision, lastOfRun });
    this.log.issued(seq);
    this.issued = seq;
    if (publish) this.publish();
    return seq;
  }

  /** Let the threads see every step issued: ISSUED, and a wake-up for those asleep on it. */
  private publish(): void {
    Atomics.store(this.ctl, CTL.ISSUED, this.issued);
    Atomics.notify(this.ctl, CTL.ISSUED);
  }

  /** Whether the slot of the next step is free (the step QUEUE_SLOTS before it has finished). */
  get slotFree(): boolean {
    return Atomics.load(this.ctl, CTL.DONE_SEQ) >= this.issued + 1 - QUEUE_SLOTS;
  }

  /** prefetch(): queue a step whose update waits for the next step()'s decision. */
  queue(start: number, end: number, step: number): void {
    const seq = this.issue(start, end, step, DECISION_NONE);
    this.pending = { seq, step, start, end, lrs: this.optimizer.lrs };
  }

  /**
   * The queued step, if it is the one asked for with the learning rates it was planned with:
   * applied, and its sequence number returned. Anything else is cancelled (null).
   */
  takeQueued(start: number, end: number, step: number): number | null {
    const q = this.pending;
    if (q && q.step === step && q.start === start && q.end === end && this.optimizer.lrs.every((lr, g) => lr === q.lrs[g])) {
      this.pending = null;
      decide(this.ctl, q.seq, DECISION_APPLY);
      return q.seq;
    }
    this.cancelQueued();
    return null;
  }

  /**
   * Cancel the queued step: the workers skip its update (they may have computed its shards,
   * which changes nothing that persists) and the optimizer forgets its beginStep. Nothing waits:
   * a later step in its slot is issued only once it is finished.
   */
  cancelQueued(): void {
    const q = this.pending;
    if (!q) return;
    this.pending = null;
    decide(this.ctl, q.seq, DECISION_CANCEL);
    this.cancel(q.seq);
  }

  /** Undo step `seq`'s beginStep on the shadow optimizer: it must be the last one open. */
  cancel(seq: number): void {
    if (this.open[this.open.length - 1] !== seq) throw new Error(`step queue: cancelling step ${seq}, but the last step open is ${this.open[this.open.length - 1]}`);
    this.open.pop();
    this.shadow.cancelStep();
  }

  /** Step `seq`'s update was applied and its result taken: its beginStep stands. */
  applied(seq: number): void {
    const i = this.open.indexOf(seq);
    if (i >= 0) this.open.splice(i, 1);
  }

  /** Start a run of `batches` as auto-applied steps (runSteps): as many as the queue holds are issued now. Every slot must be free. */
  startRun(batches: readonly StepBatch[], beforeIssue?: (index: number) => boolean): Run {
    const first = this.issued + 1;
    this.run = { first, last: first - 1, batches, next: 0, beforeIssue };
    this.refill(first - 1);
    return this.run;
  }

  /**
   * Issue the run's next steps into the slots of the steps up to `taken` (finished, their results
   * taken): the threads go on from the steps still queued while the coordinator does this.
   */
  refill(taken: number): void {
    const run = this.run!;
    const before = this.issued;
    while (run.next < run.batches.length && this.issued + 1 - QUEUE_SLOTS <= taken) {
      if (run.next > 0 && run.beforeIssue?.(run.next) === false) {
        run.next = run.batches.length;
        break;
      }
      const b = run.batches[run.next++];
      run.last = this.issue(b.start, b.end, b.step, DECISION_AUTO, { publish: false, lastOfRun: run.next === run.batches.length });
    }
    // Published together, once written: threads asleep between epochs wake when this thread is
    // about to sleep, not while it still writes slots (on 2 cores one of them waited ~0.5 ms).
    if (this.issued !== before) this.publish();
  }

  /** Cancel the run's steps that no thread has started (the last first), and issue no more. */
  revoke(): void {
    const run = this.run;
    if (!run) return;
    run.next = run.batches.length;
    while (run.last >= run.first && revoke(this.ctl, run.last)) this.cancel(run.last--);
  }

  /** Whether a finished step among `from` … `last` had gradients that were not finite. */
  nonFiniteIn(from: number, last: number): boolean {
    const done = Math.min(Atomics.load(this.ctl, CTL.DONE_SEQ), last);
    for (let seq = from; seq <= done; seq++) if (this.nonFinite(seq)) return true;
    return false;
  }

  nonFinite(seq: number): boolean {
    return Atomics.load(this.ctl, slotBase(seq) + SLOT.NONFINITE) !== 0;
  }

  /** The losses and correct counts of finished step `seq`. */
  resultOf(seq: number): StepResult {
    const s = slotOf(seq);
    return sumShards(this.views.shardLoss[s], this.views.shardCorrect[s], Atomics.load(this.ctl, slotBase(seq) + SLOT.SHARDS));
  }

  /**
   * A failure is final: every step not finished (from `oldest` on) is given up, and cancelled on
   * the optimizer, the last first.
   */
  giveUp(oldest: number): void {
    this.pending = null;
    while (this.open.length > 0 && this.open[this.open.length - 1] >= oldest) this.cancel(this.open[this.open.length - 1]);
    if (this.run) {
      this.run.last = Math.min(this.run.last, oldest - 1);
      this.run.next = this.run.batches.length;
    }
  }

  /** A failure left the parameters torn: nothing queued is applied or cancelled any more. */
  forget(): void {
    this.pending = null;
    this.open.length = 0;
  }

  /**
   * Run `copy` on the shadow optimizer's state as of the last applied step: the beginSteps of the
   * open steps not applied (not finished, or not finite: always the last ones open) are undone
   * for it, then redone (with the same learning rates, so the same plans). A step that finished
   * is applied in the arena's parameters even before its result is taken.
   */
  asApplied(copy: () => void): void {
    const done = Atomics.load(this.ctl, CTL.DONE_SEQ);
    const undone = this.open.filter((seq) => seq > done || this.nonFinite(seq));
    for (let i = undone.length - 1; i >= 0; i--) this.shadow.cancelStep();
    copy();
    for (const seq of undone) this.shadow.beginStep(this.views.plan[slotOf(seq)]);
  }
}
