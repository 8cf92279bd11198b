/**
 * Train off the caller's thread: `RemoteTraining.start(spec, events)` runs the whole training
 * (and its worker pool) in a thread of its own and controls it over comlink: progress events per
 * batch and per epoch, pause, resume, stop, and the current weights as ml-matrix matrices.
 * The caller's event loop only ever handles small messages, so it stays responsive.
 */
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import * as Comlink from 'comlink';
import { nodeEndpoint } from './nodeEndpoint.js';
import { Matrix } from 'ml-matrix';
import type { EpochRecord } from '../train/trainer.js';
import type { Session, SessionEvents, SessionSpec } from './session.js';

const SESSION_FILE = fileURLToPath(new URL('../../workers/session.js', import.meta.url));

export interface RemoteWeights {
  params: Float32Array | Float64Array;
  layers: Array<{ W: Matrix; b: Matrix | null }>;
}

export class RemoteTraining {
  /** Resolves with the history when the run ends (also after stop()); rejects with its error. */
  readonly done: Promise<EpochRecord[]>;
  private readonly worker: Worker;
  private readonly session: Comlink.Remote<Session>;

  private constructor(spec: SessionSpec, events: SessionEvents) {
    this.worker = new Worker(SESSION_FILE);
    this.session = Comlink.wrap<Session>(nodeEndpoint(this.worker as never));
    const exited = new Promise<never>((_, reject) => this.worker.once('exit', (code) => reject(new Error(`the training thread exited (code ${code})`))));
    exited.catch(() => {});
    const onBatch = events.batch && Comlink.proxy(events.batch);
    const onEpoch = events.epoch && Comlink.proxy(events.epoch);
    this.done = Promise.race([this.session.start(spec, onBatch, onEpoch), exited]).finally(() => this.close());
  }

  static start(spec: SessionSpec, events: SessionEvents = {}): RemoteTraining {
    return new RemoteTraining(spec, events);
  }

  pause(): Promise<void> {
    return this.session.pause();
  }

  resume(): Promise<void> {
    return this.session.resume();
  }

  /** The step in flight finishes, the pool closes, and `done` resolves. */
  stop(): Promise<void> {
    return this.session.stop();
  }

  async weights(): Promise<RemoteWeights> {
    const w = await this.session.weights();
    return { params: w.params, layers: w.layers.map(({ W, b }) => ({ W: new Matrix(W), b: b ? new Matrix([b]) : null })) };
  }

  /** End the training thread (done already does this when the run ends). */
  async close(): Promise<void> {
    this.session[Comlink.releaseProxy]();
    await this.worker.terminate();
  }
}
