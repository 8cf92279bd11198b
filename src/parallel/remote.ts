/**
 * Train off the caller's thread: `RemoteTraining.start(spec, events)` runs the whole training
 * (and its worker pool) in a thread of its own and controls it over comlink: events per batch,
 * per epoch and of progress (passive: the steps still go in runs), pause, resume, stop, and the
 * current weights as ml-matrix matrices.
 * The caller's event loop only ever handles small messages, so it stays responsive.
 */
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import * as Comlink from 'comlink';
import { nodeEndpoint } from './nodeEndpoint.js';
import { fromErrorData } from './remoteErrors.js';
import { shareSpec } from './shareData.js';
import { Matrix } from 'ml-matrix';
import type { EpochRecord } from '../train/trainer.js';
import type { Session, SessionEvents, SessionSpec } from './session.js';

const SESSION_FILE = fileURLToPath(new URL('../../workers/session.js', import.meta.url));

export interface RemoteWeights {
  params: Float32Array | Float64Array;
  layers: Array<{ W: Matrix; b: Matrix | null }>;
}

export class RemoteTraining {
  /**
   * Resolves with the history when the run ends (also after stop()); rejects with its error (a
   * progress callback's own error included), or when close() ends the run first. Handled by
   * default: a run that is closed without anyone awaiting this does not crash the process.
   */
  readonly done: Promise<EpochRecord[]>;
  private readonly worker: Worker;
  private readonly session: Comlink.Remote<Session>;
  /** Calls sent and not answered yet: comlink drops them when the proxy is released, so close() rejects them. */
  private readonly pending = new Set<(error: Error) => void>();
  private closing: Promise<void> | null = null;

  private constructor(spec: SessionSpec, events: SessionEvents) {
    this.worker = new Worker(SESSION_FILE);
    this.session = Comlink.wrap<Session>(nodeEndpoint(this.worker as never));
    // The thread failing or exiting on its own: its own error when there is one.
    const lost = new Promise<never>((_, reject) => {
      this.worker.once('error', reject);
      this.worker.once('exit', (code) => reject(new Error(`the training thread exited (code ${code})`)));
    });
    lost.catch(() => {});
    const onBatch = events.batch && Comlink.proxy(events.batch);
    const onEpoch = events.epoch && Comlink.proxy(events.epoch);
    const onProgress = events.progress && Comlink.proxy(events.progress);
    this.done = Promise.race([this.call(async () => this.session.start(await shareSpec(spec), onBatch, onEpoch, onProgress)), lost]).finally(() => this.close());
    this.done.catch(() => {});
  }

  static start(spec: SessionSpec, events: SessionEvents = {}): RemoteTraining {
    return new RemoteTraining(spec, events);
  }

  /** Hold the run after the step in flight. After the run has ended: nothing to do. */
  pause(): Promise<void> {
    return this.control(() => this.session.pause());
  }

  resume(): Promise<void> {
    return this.control(() => this.session.resume());
  }

  /** The step in flight finishes, the pool closes, and `done` resolves. After the run has ended: nothing to do. */
  stop(): Promise<void> {
    return this.control(() => this.session.stop());
  }

  /** The current weights, at a step boundary; rejects once the run has ended (its thread is gone). */
  async weights(): Promise<RemoteWeights> {
    if (this.closing) throw new Error('weights(): the run has ended and its thread is closed; read the weights while it runs');
    const w = await this.call(() => this.session.weights());
    return { params: w.params, layers: w.layers.map(({ W, b }) => ({ W: new Matrix(W), b: b ? new Matrix([b]) : null })) };
  }

  /** End the training thread (done does this when the run ends); calls still unanswered reject. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      const closed = new Error('the run was closed (close()) before the training thread answered');
      for (const reject of this.pending) reject(closed);
      this.pending.clear();
      this.session[Comlink.releaseProxy]();
      await this.worker.terminate();
    })();
    return this.closing;
  }

  /** A control call: sent while the run is on, nothing to do once it has ended. */
  private control(send: () => Promise<void>): Promise<void> {
    return this.closing ? Promise.resolve() : this.call(send);
  }

  /** Send a call and track it until answered; its error comes back as its own class (remoteErrors.ts). */
  private call<T>(send: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.add(reject);
      // Through then(): a send that throws at once rejects like one that fails later, and is untracked as well.
      Promise.resolve()
        .then(send)
        .then(resolve, (e: unknown) => reject(fromErrorData(e)))
        .finally(() => this.pending.delete(reject));
    });
  }
}
