/**
 * The coordinator of the data-parallel runtime: the step protocol. The threads are a TaskPool
 * (taskPool.ts: piscina, one long-lived task per thread running worker.ts), driven through the
 * control block with Atomics, the coordinator waiting with Atomics.waitAsync so its event loop
 * stays free. Per step it writes a few control cells and the optimizer's plan into a queue slot
 * (stepQueue.ts); it never loops over the parameters. The trainer may queue step k+1 (prefetch)
 * while k runs; the workers then compute it straight away and wait only before its update for
 * the coordinator's decision (apply, or cancel: stop, a changed learning rate, a failed k). Or,
 * when nothing watches single steps, it hands over a run of steps (runSteps), which the
 * threads take one after another, waking the coordinator once per half queue to refill it.
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
import type { StepBatch, StepEngine, StepResult, StepsResult } from '../train/engine.js';
import { nonFiniteError } from '../train/update.js';
import { CMD_EXIT, CTL, DECISION_APPLY, SLOT, slotBase, WAKE_NEVER } from './control.js';
import type { ClipSettings } from './reduce.js';
import { createRunArena, type RunViews } from './runArena.js';
import { StepLog } from './stepLog.js';
import { checkParallelOptions, WorkerFailure, type ParallelOptions, type StepProfile, type StepTime } from './options.js';
import { stateMomenta } from './shard.js';
import { StepQueue } from './stepQueue.js';
import { recover } from './recovery.js';
import { driveRun } from './runOfSteps.js';
import { TaskPool } from './taskPool.js';

let nextRunId = 1;

export { checkParallelOptions, PARALLEL_DEFAULTS, ShardError, WorkerFailure, type ParallelOptions, type StepProfile, type StepTime } from './options.js';

export class ParallelEngine implements StepEngine {
  readonly options: Readonly<Required<ParallelOptions>>;
  /** runSteps calls beforeIssue before queuing each step of a run (StepEngine.issueHook). */
  readonly issueHook = true;
  private pool: TaskPool | null = null;
  private views: RunViews | null = null;
  private arena: WasmArena | null = null;
  private shadow: Optimizer | null = null;
  private queue: StepQueue | null = null;
  /** An update failed part-way: the arena's parameters are not to be copied out. */
  private torn = false;
  /** Set when a step was given up, or the threads could not be restarted after one that had completed: step() rejects with it (see fail()). */
  private broken: Error | null = null;
  /** Steps redone after a crash or hang in this run (for tests and logs). */
  retries = 0;
  /** The last end(), for a run of steps that it interrupts (runSteps takes results once it is over). */
  private ending: Promise<void> | null = null;
  /** revoke() came while no run was on: a runSteps() waiting for its slots does not start. */
  private revokeNext = false;
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
    const shadow = optimizerFromSpec(spec.optimizer, { dtype: spec.dtype, values: views.params, grads: views.grads, entries: this.model.entries }, views.optimizerState);
    shadow.loadStateDict(this.optimizer.stateDict());
    const queue = new StepQueue(views, shadow, this.optimizer, this.log, o.microShard);
    Object.assign(this, { views, arena, shadow, queue, retries: 0, torn: false, broken: null });
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
    const queue = this.queue!;
    // The queued step if it is the one asked for, with the learning rates it was planned with;
    // anything else (other rows, or a learning rate changed since) is cancelled.
    const queued = queue.takeQueued(start, end, step);
    if (queued !== null) return this.finish(queued);
    queue.setOrder(order, start);
    return this.finish(queue.issue(start, end, step, DECISION_APPLY));
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
    const queue = this.queue;
    if (!queue || !queue.canQueue || this.torn || this.broken || start === 0 || start >= end || !queue.slotFree) return false;
    prepare?.();
    queue.queue(start, end, step);
    return true;
  }

  /**
   * Run `batches` (consecutive steps of one epoch) as auto-applied steps (runOfSteps.ts): the
   * threads go from one to the next, the coordinator topping up their queue. revoke() cancels
   * the steps not yet started. `taken` hears of the results each time more are in (progress).
   * Resolves with the results of the steps applied, in order, and the error that ended the run
   * of steps early, if any: steps applied before it count.
   */
  async runSteps(data: Dataset, order: Int32Array, batches: readonly StepBatch[], taken?: (results: readonly StepResult[]) => void, beforeIssue?: (index: number) => boolean): Promise<StepsResult> {
    if (this.broken) return { results: [], error: this.broken };
    if (batches.length === 0) throw new RangeError('runSteps takes at least one step, got none');
    const queue = this.queue!;
    queue.cancelQueued();
    this.revokeNext = false;
    // Every slot must be free: the steps issued before have finished (cancelled ones pass at once).
    if (Atomics.load(this.views!.ctl, CTL.DONE_SEQ) < queue.issued) {
      const before = await this.drained();
      if (before !== null) return { results: [], error: before };
      // revoke() while this run waited for its slots: it does not start.
      if (this.revokeNext) return { results: [], error: null };
    }
    queue.setOrder(order, batches[0].start);
    const { results, error } = await driveRun(
      {
        queue, ctl: this.views!.ctl, log: this.log,
        awaitDone: (seq, enough) => this.awaitDone(seq, enough),
        settled: async () => void (this.pool ? undefined : await this.ending?.catch(() => {})),
        nonFiniteError: (seq) => this.nonFiniteError(seq),
      },
      batches, taken, beforeIssue,
    );
    // Revoked steps are passed by the threads at once; their slots are then free.
    const after = !this.broken && this.pool && Atomics.load(this.views!.ctl, CTL.DONE_SEQ) < queue.issued ? await this.drained() : null;
    return { results, error: error ?? after };
  }

  /** Wait until every step issued has finished (revoked or cancelled ones pass at once); the error if that failed, else null. */
  private async drained(): Promise<unknown> {
    try {
      await this.awaitDone(this.queue!.issued);
      return null;
    } catch (e) {
      return e;
    }
  }

  /** Cancel the steps of the current runSteps() that no thread has started (the last first), or the run about to start. */
  revoke(): void {
    if (this.queue?.run) this.queue.revoke();
    else this.revokeNext = true;
  }

  /** Wait until step `seq` is done (or `enough()`), each step given stepTimeout, recovering from crashes and hangs. */
  private async awaitDone(seq: number, enough?: () => boolean): Promise<void> {
    const { ctl } = this.views!;
    // The oldest unfinished step, and its failed attempts (maxRetries is per step).
    const oldest = () => Math.min(seq, Atomics.load(ctl, CTL.DONE_SEQ) + 1);
    let failing = 0;
    for (let attempt = 0; ; attempt++) {
      // end() has taken the pool (in the middle of a run of steps): recover() fails what is left.
      if (!this.pool) await this.recover(null, attempt, seq);
      try {
        Atomics.store(ctl, CTL.WAKE_AT, seq);
        const what = () => `step ${Atomics.load(ctl, slotBase(oldest()) + SLOT.STEP)}`;
        await this.pool!.waitFor(CTL.DONE_SEQ, seq, performance.now() + this.options.stepTimeout, what, { wake: CTL.WAKE, enough, progress: CTL.DONE_SEQ });
        // Done before any thread woke the coordinator for it: the next step's end must not.
        Atomics.compareExchange(ctl, CTL.WAKE_AT, seq, WAKE_NEVER);
        return;
      } catch (e) {
        if (oldest() !== failing) [failing, attempt] = [oldest(), 0];
        await this.recover(e, attempt, seq);
      }
    }
  }

  /** Wait for step `seq` (applied), recovering from crashes and hangs; its result. */
  private async finish(seq: number): Promise<StepResult> {
    const queue = this.queue!;
    await this.awaitDone(seq);
    this.log.finished(seq);
    if (queue.nonFinite(seq)) {
      // The update was not applied, so the step does not count; nor does the one queued after it
      // (the workers do not start it after a non-finite step).
      queue.cancelQueued();
      queue.cancel(seq);
      throw this.nonFiniteError(seq);
    }
    queue.applied(seq);
    return queue.resultOf(seq);
  }

  /**
   * The error of step `seq`, whose gradients were not finite (the model's grads show them). The
   * threads, which wait after such a step, may go on: what was queued behind it is decided.
   */
  private nonFiniteError(seq: number): Error {
    const { ctl, grads } = this.views!;
    Atomics.store(ctl, CTL.NONFINITE_SEEN, seq);
    Atomics.notify(ctl, slotBase(seq + 1) + SLOT.DECISION);
    this.model.grads.set(grads);
    return nonFiniteError(this.model, Atomics.load(ctl, slotBase(seq) + SLOT.STEP));
  }

  /** After a failed attempt: recovery.ts (retry, or give the steps up and throw). */
  private recover(error: unknown, attempt: number, seq: number): Promise<void> {
    return recover(
      {
        ctl: this.views!.ctl, queue: this.queue!, options: this.options, pool: this.pool,
        markTorn: () => void (this.torn = true), fail: (e) => this.fail(e), retried: () => void this.retries++, breakWith: (e) => void (this.broken = e),
      },
      error, attempt, seq,
    );
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
    return this.log.profile(this.views?.timings ?? new Float64Array(0), this.options.threads, this.views ? Atomics.load(this.views.ctl, CTL.WAKE) : 0);
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
    this.queue!.asApplied(() => this.optimizer.copyStateFrom(this.shadow!));
    lrs.forEach((lr, g) => this.optimizer.setLr(g, lr));
  }

  /** Copy the results out, end every task (even one not yet started) and close the pool. */
  end(): Promise<void> {
    if (!this.pool) return this.ending ?? Promise.resolve();
    const pool = this.pool;
    this.pool = null;
    this.ending = this.close(pool);
    return this.ending;
  }

  private async close(pool: TaskPool): Promise<void> {
    const queue = this.queue!;
    const { ctl } = this.views!;
    try {
      queue.revoke();
      queue.cancelQueued();
      if (Atomics.load(ctl, CTL.DONE_SEQ) < queue.issued) {
        // A step in flight (end() called mid-step): it fails (WorkerFailure); the threads stop
        // first, so nothing is copied from a half-done update, and what did not finish is undone.
        await pool.stop();
        const oldest = Atomics.load(ctl, CTL.DONE_SEQ) + 1;
        for (let s = oldest; s <= queue.issued; s++) if (Atomics.load(ctl, slotBase(s) + SLOT.UPDATING) !== 0) this.torn = true;
        if (!this.torn) queue.giveUp(oldest);
      }
      this.sync();
      Atomics.store(this.views!.ctl, CTL.CMD, CMD_EXIT);
      Atomics.notify(this.views!.ctl, CTL.ISSUED);
      await pool.stop();
    } finally {
      await pool.destroy();
    }
  }
}
