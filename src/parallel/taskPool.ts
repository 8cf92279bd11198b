/**
 * The worker threads of one run: a piscina pool running one long-lived task per thread
 * (worker.ts `serveRun`), started and stopped as a whole. piscina owns the threads (start,
 * resource limits, crash detection, replacement, shutdown); this class turns a task that ends
 * while the run is on into a failure that the coordinator's waits see, and waits on control
 * cells with Atomics.waitAsync so the event loop stays free. The step protocol is engine.ts's.
 */
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { abort, CTL, SLOT, slotBase } from './control.js';
import { WorkerFailure, type ParallelOptions } from './options.js';
import type { RunSpec } from './runArena.js';

const WORKER_FILE = fileURLToPath(new URL('../../workers/trainWorker.js', import.meta.url));
/** How long stopped tasks get to return before piscina terminates their threads. */
const SETTLE_MS = 2000;
const TERMINATE_MS = 200;
/** Starting threads (and compiling WASM) on a loaded 2-core machine can take seconds. */
const STARTUP_MS = 120_000;
/** The watchdog's period: a wait ends at most this long after its deadline (see waitFor). */
export const watchdogPeriod = (stepTimeout: number) => Math.min(1000, Math.max(10, stepTimeout / 4));

/** A plain (ref'd) timer: during recovery no task holds the event loop open, and this must. */
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class TaskPool {
  private readonly pool: Piscina;
  private tasks: Array<Promise<unknown>> = [];
  private controllers: AbortController[] = [];
  /** The first task failure since start(), set by the tasks' handlers. */
  private failed: { error: unknown } | null = null;
  /** The cell waitFor is waiting on and its deadline; the watchdog wakes it once that has passed. */
  private waitIndex = -1;
  /** The wait's deadline now (it moves on while the `progress` cell of waitFor advances). */
  private waitDeadline: () => number = () => Infinity;
  private watchdog: ReturnType<typeof setInterval> | null = null;

  constructor(
    private readonly spec: RunSpec,
    private readonly ctl: Int32Array,
    private readonly options: Readonly<Required<ParallelOptions>>,
  ) {
    this.pool = new Piscina({
      filename: WORKER_FILE, minThreads: options.threads, maxThreads: options.threads, idleTimeout: 60_000, concurrentTasksPerWorker: 1,
      ...(options.resourceLimits ? { resourceLimits: options.resourceLimits } : {}),
    });
    // A thread piscina starts with no task to run (a replacement) and that fails while booting
    // (over its memory limit) is reported here; unhandled, the 'error' event would end the process.
    this.pool.on('error', (e: unknown) => this.fail(e));
  }

  /** Remember the first failure since start() and wake whatever the coordinator waits on. */
  private fail(e: unknown): void {
    this.failed ??= { error: e };
    for (const i of [CTL.DONE_SEQ, CTL.WAKE, CTL.READY]) Atomics.notify(this.ctl, i);
  }

  /** Submit one long-lived task per thread and wait until every one is serving. */
  async start(): Promise<void> {
    const { ctl } = this;
    for (const i of [CTL.ABORT, CTL.READY, CTL.BAR_COUNT, CTL.ERROR_KIND]) Atomics.store(ctl, i, 0);
    Atomics.store(ctl, CTL.PARTIES, this.options.threads);
    this.controllers = [];
    this.tasks = [];
    this.failed = null;
    // A task ending, either way, while the run is on is a failure (no per-step promise is
    // attached to the tasks).
    const fail = (e: unknown) => this.fail(e);
    for (let i = 0; i < this.options.threads; i++) {
      const controller = new AbortController();
      const task = this.pool.run(this.spec, { signal: controller.signal });
      this.controllers.push(controller);
      this.tasks.push(task);
      task.then(() => fail(new WorkerFailure('a worker task ended while the run was on')), fail);
    }
    this.watchdog ??= setInterval(() => {
      if (this.waitIndex >= 0 && performance.now() >= this.waitDeadline()) Atomics.notify(ctl, this.waitIndex);
    }, watchdogPeriod(this.options.stepTimeout));
    const deadline = performance.now() + Math.max(this.options.stepTimeout, STARTUP_MS);
    try {
      await this.waitFor(CTL.READY, this.options.threads, deadline, 'starting the worker threads');
    } catch (e) {
      // The interval is ref'd (it must keep a hung step's process alive to its deadline): left
      // running after a failed start, it would keep the process from ever exiting.
      clearInterval(this.watchdog ?? undefined);
      this.watchdog = null;
      throw e;
    }
  }

  /**
   * Restart the tasks to redo steps oldest … issued from their shards (which overwrite their own
   * slots): their work counters are reset, and ISSUED shows them only once every thread serves,
   * so that a failure while starting is a failure to restart, not of a step.
   */
  async restart(oldest: number, issued: number): Promise<void> {
    const { ctl } = this;
    for (let seq = oldest; seq <= issued; seq++) {
      const b = slotBase(seq);
      for (const i of [SLOT.SHARD_NEXT, SLOT.REDUCE_NEXT, SLOT.UPDATE_NEXT, SLOT.DONE_COUNT, SLOT.NONFINITE]) Atomics.store(ctl, b + i, 0);
    }
    Atomics.store(ctl, CTL.ISSUED, oldest - 1);
    await this.start();
    Atomics.store(ctl, CTL.ISSUED, issued);
    Atomics.notify(ctl, CTL.ISSUED);
  }

  /**
   * Wait, without blocking the event loop, until ctl[index] >= `target` (or `enough()`),
   * sleeping on ctl[wake] (the threads notify it: see control.ts WAKE). Rejects with the first
   * task failure, or as a hung thread at `deadline` (seen up to one watchdog period late); with
   * `progress`, the deadline starts again each time ctl[progress] changes (a wait for several
   * steps gives each step the time). One wait at a time (the engine's). A wake-up alone proves
   * nothing: abort() and the watchdog notify cells, so the value is checked again after each one.
   */
  async waitFor(index: number, target: number, deadline: number, what: string | (() => string), wait: { wake?: number; enough?: () => boolean; progress?: number } = {}): Promise<void> {
    const named = () => (typeof what === 'string' ? what : what());
    const { ctl } = this;
    const { wake = index, enough, progress = -1 } = wait;
    let abortedAt = 0;
    const span = deadline - performance.now();
    let seen = progress >= 0 ? Atomics.load(ctl, progress) : 0;
    const deadlineNow = () => {
      if (progress >= 0 && Atomics.load(ctl, progress) !== seen) {
        seen = Atomics.load(ctl, progress);
        deadline = performance.now() + span;
      }
      return deadline;
    };
    // The wake cell is read before the condition: a notify after that read ends the wait at once.
    for (let value = Atomics.load(ctl, wake); Atomics.load(ctl, index) < target && !enough?.(); value = Atomics.load(ctl, wake)) {
      if (this.failed) throw this.failed.error;
      const now = performance.now();
      if (Atomics.load(ctl, CTL.ABORT) !== 0) {
        // A shard threw and aborted the step: its task's rejection is on its way.
        abortedAt ||= now;
        if (now - abortedAt > SETTLE_MS) throw new WorkerFailure(`${named()} was aborted by a worker thread`);
        await sleep(5);
        continue;
      }
      if (now >= deadlineNow()) throw new WorkerFailure(`a worker thread hung: ${named()} took longer than stepTimeout (${this.options.stepTimeout} ms)`);
      // No timeout on the waitAsync itself: V8 keeps a waitAsync's timeout task until it fires,
      // even after a notify ended the wait, and the two cost this thread ~115 µs a step against
      // ~60 µs without (measured), CPU that on a machine with as many threads as cores comes
      // out of a worker's. The deadline is the watchdog's: it notifies the cell once it passes.
      const sleeping = Atomics.waitAsync(ctl, wake, value);
      if (!sleeping.async) continue;
      this.waitIndex = wake;
      this.waitDeadline = deadlineNow;
      try {
        await sleeping.value;
      } finally {
        this.waitIndex = -1;
      }
    }
  }

  /**
   * Abort the step; wait for tasks to return, and have piscina terminate the ones that do not
   * (a hung thread). Returns the errors the tasks themselves failed with, before any termination.
   */
  async stop(): Promise<unknown[]> {
    abort(this.ctl);
    const errors: unknown[] = [];
    const settled = this.tasks.map((t) => t.then(() => true, (e) => errors.push(e)));
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), SETTLE_MS)));
    const all = await Promise.race([Promise.all(settled), late]);
    // A pending timer would keep the process alive SETTLE_MS after close().
    clearTimeout(timer);
    const own = [...errors];
    if (all === null) {
      for (const c of this.controllers) c.abort();
      // piscina's terminate does not wait for the thread to stop; give it time before the
      // control cells are reset for the next attempt.
      await sleep(TERMINATE_MS);
    }
    await Promise.all(settled);
    return own;
  }

  /** End the threads (after stop()). */
  async destroy(): Promise<void> {
    clearInterval(this.watchdog ?? undefined);
    this.watchdog = null;
    await this.pool.destroy();
  }
}
