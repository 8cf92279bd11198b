/**
 * The coordinator of the data-parallel runtime: the step protocol. The threads are a TaskPool
 * (taskPool.ts: piscina, one long-lived task per thread running worker.ts), driven through the
 * control block with Atomics, the coordinator waiting with Atomics.waitAsync so its event loop
 * stays free. Per step it writes a few control cells and the optimizer's plan into one of two
 * queue slots; it never loops over the parameters. The trainer may queue step k+1 (prefetch)
 * while k runs; the workers then compute it straight away and wait only before its update for
 * the coordinator's decision (apply, or cancel: stop, a changed learning rate, a failed k).
 *
 * Faults: a shard that throws fails the step with an error naming the shard (no retry: it
 * would throw again); a thread that exits, crashes or overruns the step deadline is replaced
 * and the step redone from its shards, which overwrite their own slots, so the result is
 * exactly that of a run without the fault (at most `maxRetries` times); a thread over its
 * memory limit fails the run at once (a retry would only hit the limit again).
 */
import type { Dataset } from '../data/dataset.js';
import type { WasmArena } from '../kernels/arena.js';
import type { Loss } from '../losses/loss.js';
import type { Model } from '../nn/model.js';
import type { Optimizer } from '../optim/optimizer.js';
import { optimizerFromSpec } from '../optim/registry.js';
import type { StepEngine, StepResult } from '../train/engine.js';
import { throwNonFinite } from '../train/update.js';
import { CMD_EXIT, CTL, decide, DECISION_APPLY, DECISION_CANCEL, DECISION_NONE, ERROR_THROWN, SLOT, slotBase, writeSlot } from './control.js';
import type { ClipSettings } from './reduce.js';
import { createRunArena, type RunViews } from './runArena.js';
import { StepLog } from './stepLog.js';
import { checkParallelOptions, finalFailure, WorkerFailure, type ParallelOptions, type StepProfile, type StepTime } from './options.js';
import { stateMomenta, sumShards } from './shard.js';
import { TaskPool } from './taskPool.js';

let nextRunId = 1;

export { checkParallelOptions, PARALLEL_DEFAULTS, ShardError, WorkerFailure, type ParallelOptions, type StepProfile, type StepTime } from './options.js';

export class ParallelEngine implements StepEngine {
  readonly options: Readonly<Required<ParallelOptions>>;
  private pool: TaskPool | null = null;
  private views: RunViews | null = null;
  private arena: WasmArena | null = null;
  private shadow: Optimizer | null = null;
  /** An update failed part-way: the arena's parameters are not to be copied out. */
  private torn = false;
  /** Set when a step was given up, or the threads could not be restarted after one that had completed: step() rejects with it (see fail()). */
  private broken: Error | null = null;
  private orderEpochStart = -1;
  /** Sequence number of the last step issued (control.ts: ISSUED). */
  private issued = 0;
  /** The step queued by prefetch() and not yet applied or cancelled. */
  private pending: { seq: number; step: number; start: number; end: number; lrs: number[] } | null = null;
  /** Steps redone after a crash or hang in this run (for tests and logs). */
  retries = 0;
  private readonly log = new StepLog();

  constructor(
    private readonly model: Model,
    private readonly loss: Loss,
    private readonly optimizer: Optimizer,
    private readonly clip: ClipSettings,
    private readonly seed: number,
    options?: ParallelOptions,
  ) {
    this.options = Object.freeze(checkParallelOptions(options));
  }

  /** Bytes of the shared arena of the current run. */
  get arenaBytes(): number {
    return this.arena?.byteLength ?? 0;
  }

  async begin(data: Dataset, maxBatch: number): Promise<void> {
    await this.end();
    const o = this.options;
    const { spec, views, arena } = createRunArena(nextRunId++, this.model, this.optimizer, this.loss.name, data, {
      seed: this.seed, microShard: o.microShard, maxBatch, threads: o.threads, clip: this.clip, fault: o.fault, momenta: stateMomenta(this.model),
    });
    // Copied in once per run: parameters, running statistics, optimizer state (data: createRunArena).
    views.params.set(this.model.params);
    views.state.set(this.model.state);
    this.shadow = optimizerFromSpec(spec.optimizer, { dtype: spec.dtype, values: views.params, grads: views.grads, entries: this.model.entries }, views.optimizerState);
    this.shadow.loadStateDict(this.optimizer.stateDict());
    Object.assign(this, { views, arena, orderEpochStart: -1, retries: 0, torn: false, broken: null, issued: 0, pending: null });
    this.pool = new TaskPool(spec, views.ctl, o);
    this.log.reset();
    try {
      await this.pool.start();
    } catch (e) {
      // No run: its threads end now, whether or not the caller calls end().
      const pool = this.pool;
      this.pool = null;
      await pool.stop();
      await pool.destroy();
      throw e;
    }
  }

  step(data: Dataset, order: Int32Array, start: number, end: number, step: number): Promise<StepResult> {
    if (this.broken) return Promise.reject(this.broken);
    const q = this.pending;
    if (q && q.step === step && q.start === start && q.end === end && this.optimizer.lrs.every((lr, g) => lr === q.lrs[g])) {
      // The queued step is the one asked for, with the learning rates it was planned with: apply it.
      this.pending = null;
      decide(this.views!.ctl, q.seq, DECISION_APPLY);
      return this.finish(q.seq);
    }
    // Anything else (other rows, or a learning rate changed since it was queued): cancel it.
    if (q) this.cancelPending();
    if (start === 0 || this.orderEpochStart < 0) {
      this.views!.order.set(order); // once per epoch; no step is in flight or queued here
      this.orderEpochStart = 0;
    }
    const seq = this.issue(start, end, step, DECISION_APPLY);
    return this.finish(seq);
  }

  /**
   * Queue the step after the one in flight, so the workers go from that step's update straight
   * to this step's shards. Its plan is computed now, from the optimizer's learning rates after
   * `prepare()` (the trainer steps a per-batch schedule there, in the order it always did). The
   * step is only applied if the next step() asks for the same rows with the same learning
   * rates; otherwise (or on stop, an error, a non-finite step) it is cancelled, and it never
   * counts. Returns false (and does not call `prepare`) if nothing was queued.
   */
  prefetch(data: Dataset, order: Int32Array, start: number, end: number, step: number, prepare?: () => void): boolean {
    const views = this.views;
    if (!views || this.pending || this.torn || this.broken || start === 0 || this.orderEpochStart < 0 || start >= end) return false;
    // The slot the new step takes must be free: its previous step finished.
    if (Atomics.load(views.ctl, CTL.DONE_SEQ) < this.issued - 1) return false;
    prepare?.();
    const seq = this.issue(start, end, step, DECISION_NONE);
    this.pending = { seq, step, start, end, lrs: this.optimizer.lrs };
    return true;
  }

  /** Write a step's descriptor and plan into its queue slot and publish it. */
  private issue(start: number, end: number, step: number, decision: number): number {
    const views = this.views!;
    const { ctl } = views;
    // Counted as issued only once its plan is made: a schedule's learning rate that throws here
    // must not leave a half-written slot for the workers.
    const seq = this.issued + 1;
    const shadow = this.shadow!;
    for (let g = 0; g < shadow.groupCount; g++) shadow.setLr(g, this.optimizer.getLr(g));
    shadow.beginStep(views.plan[seq & 1]);
    writeSlot(ctl, seq, { step, start, end, shards: Math.ceil((end - start) / this.options.microShard), decision });
    this.log.issued(seq);
    this.issued = seq;
    Atomics.store(ctl, CTL.ISSUED, seq);
    Atomics.notify(ctl, CTL.ISSUED);
    return seq;
  }

  /**
   * Cancel the queued step: the workers skip its update (they may have computed its shards,
   * which changes nothing that persists) and the optimizer forgets its beginStep. Nothing waits:
   * a later step in its slot is issued only once it is finished.
   */
  private cancelPending(): void {
    const q = this.pending;
    if (!q) return;
    this.pending = null;
    decide(this.views!.ctl, q.seq, DECISION_CANCEL);
    this.shadow!.cancelStep(); // the queued step's beginStep was the last one
  }

  /** Wait for step `seq` (applied), recovering from crashes and hangs; its result. */
  private async finish(seq: number): Promise<StepResult> {
    const views = this.views!;
    const { ctl } = views;
    const b = slotBase(seq);
    const step = Atomics.load(ctl, b + SLOT.STEP);
    const shards = Atomics.load(ctl, b + SLOT.SHARDS);
    for (let attempt = 0; ; attempt++) {
      try {
        await this.pool!.waitFor(CTL.DONE_SEQ, seq, performance.now() + this.options.stepTimeout, `step ${step}`);
        break;
      } catch (e) {
        await this.recover(e, attempt, seq);
      }
    }
    this.log.finished(seq);
    if (Atomics.load(ctl, b + SLOT.NONFINITE)) {
      // The update was not applied, so the step does not count; nor does the one queued after it
      // (the workers do not start it after a non-finite step).
      this.cancelPending();
      this.shadow!.cancelStep();
      this.model.grads.set(views.grads);
      throwNonFinite(this.model, step);
    }
    return sumShards(views.shardLoss[seq & 1], views.shardCorrect[seq & 1], shards);
  }

  /**
   * After a failed attempt: stop every task, then throw, or restart the tasks for a retry of
   * every unfinished step (the oldest first; at most two: one applied, one queued). A step that
   * is given up is cancelled on the optimizer (its step count and scalars go back), since its
   * update was never applied, and so is the step queued after it; one whose update had begun
   * cannot be redone or undone.
   */
  private async recover(error: unknown, attempt: number, seq: number): Promise<void> {
    const { ctl } = this.views!;
    const pool = this.pool;
    if (!pool) {
      const step = Atomics.load(ctl, slotBase(seq) + SLOT.STEP);
      throw this.fail(new WorkerFailure(`step ${step}: the run was ended (end()) while the step was in flight`, error));
    }
    // Only once every task has ended are UPDATING and ERROR_KIND final.
    error = (await pool.stop())[0] ?? error;
    const oldest = Atomics.load(ctl, CTL.DONE_SEQ) + 1;
    // Step `seq` may have finished while the tasks were stopped (a deadline that fired during its
    // last update chunk): it was applied, so it is neither failed nor cancelled; only what is
    // queued behind it is restarted.
    const finished = oldest > seq;
    // The step the messages name: the oldest unfinished one, or `seq` if nothing is left.
    const step = Atomics.load(ctl, slotBase(oldest <= this.issued ? oldest : seq) + SLOT.STEP);
    const unfinished: number[] = [];
    for (let seq = oldest; seq <= this.issued; seq++) unfinished.push(seq);
    if (unfinished.some((seq) => Atomics.load(ctl, slotBase(seq) + SLOT.UPDATING) !== 0)) {
      this.torn = true;
      this.pending = null;
      throw this.fail(new WorkerFailure(`a worker thread failed while applying the update of step ${step}: parameters may be partly updated, so the step cannot be redone exactly, and the model keeps the parameters of its last synchronization; resume from a checkpoint`, error, true));
    }
    const giveUp = (e: Error): never => {
      this.cancelPending();
      if (!finished) this.shadow!.cancelStep();
      throw this.fail(e);
    };
    if (!finished) {
      const thrownShard = Atomics.load(ctl, CTL.ERROR_KIND) === ERROR_THROWN ? Atomics.load(ctl, CTL.ERROR_SHARD) : -1;
      const final = finalFailure(error, step, thrownShard, attempt, this.options);
      if (final) giveUp(final);
      this.retries++;
      Atomics.store(ctl, slotBase(oldest) + SLOT.ATTEMPT, attempt + 1);
    }
    try {
      await pool.restart(oldest, this.issued);
    } catch (e) {
      await pool.stop();
      const failure = new WorkerFailure(`step ${step}: the worker threads could not be restarted after a failure: ${(e as Error)?.message}`, e);
      // Step `seq` itself was applied: its result stands, and the next step() reports this.
      if (finished) {
        this.cancelPending();
        this.broken = failure;
        return;
      }
      giveUp(failure);
    }
  }

  /** A step was given up and stays unfinished in the queue: step() rejects until end() and begin(). Returns `e`. */
  private fail(e: Error): Error {
    this.broken ??= new WorkerFailure(`this run stopped at a failed step (${e.message}); call end() and begin() to train again`, e);
    return e;
  }

  /**
   * Where the time of this run's steps went: wall time of the steps as the coordinator saw
   * them, and per-thread sums of forward/backward (of which the batch weight gradients),
   * reduction, update and barrier waits.
   */
  profile(): StepProfile {
    return this.log.profile(this.views?.timings ?? new Float64Array(0), this.options.threads);
  }

  /** Per-step times of the last `count` steps, oldest first (stepLog.ts; for medians). */
  stepTimes(count: number): StepTime[] {
    return this.views ? this.log.times(this.views, this.options.threads, count) : [];
  }

  sync(): void {
    if (!this.views || !this.shadow || this.torn) return;
    this.model.params.set(this.views.params);
    this.model.state.set(this.views.state);
    // The caller's optimizer keeps its own learning rates: schedules set them there, after the
    // shadow last read them.
    const lrs = this.optimizer.lrs;
    // A queued step has not been applied: the state is the one before its beginStep, which is
    // then redone (with the same learning rates, so the same plan) for the step to stay queued.
    if (this.pending) this.shadow.cancelStep();
    this.optimizer.copyStateFrom(this.shadow);
    if (this.pending) this.shadow.beginStep(this.views.plan[this.pending.seq & 1]);
    lrs.forEach((lr, g) => this.optimizer.setLr(g, lr));
  }

  /** Copy the results out, end every task (even one not yet started) and close the pool. */
  async end(): Promise<void> {
    if (!this.pool) return;
    const pool = this.pool;
    this.pool = null;
    try {
      this.cancelPending();
      this.sync();
      Atomics.store(this.views!.ctl, CTL.CMD, CMD_EXIT);
      Atomics.notify(this.views!.ctl, CTL.ISSUED);
      await pool.stop();
    } finally {
      await pool.destroy();
    }
  }
}
