/**
 * When the reader of stdout goes away (`gradpool train | head -1`), the next write fails with
 * EPIPE, which Node reports as an 'error' event on the stream: unhandled, a crash with a stack
 * trace. `watchOutput` turns it into a stop request instead: the command stops as on Ctrl-C
 * (the step in flight finishes, a `--save` checkpoint is written, the threads end) and exits
 * quietly with OUTPUT_CLOSED_EXIT, nothing more being written. Any other write error on stdout
 * stops the command the same way and is then reported as an error.
 */
import type { Out } from './progress.js';

/** 128 + SIGPIPE (13): the status shells report for a process ended by a closed pipe. */
export const OUTPUT_CLOSED_EXIT = 141;

/** The reason of a stop because stdout's reader went away. */
export class OutputClosed extends Error {
  constructor() {
    super('stdout was closed by its reader');
    this.name = 'OutputClosed';
  }
}

interface Emitter {
  on(event: 'error', listener: (e: NodeJS.ErrnoException) => void): unknown;
  off(event: 'error', listener: (e: NodeJS.ErrnoException) => void): unknown;
}

export interface OutputWatch {
  /** Aborted, with an OutputClosed or the stream's error as reason, when stdout fails. */
  readonly signal: AbortSignal;
  /** Stop watching (kept when the stream has failed: later writes must not crash either). */
  dispose(): void;
}

/** Watch `out` for write errors; an `out` that emits no events (a test's collector) never fails. */
export function watchOutput(out: Out): OutputWatch {
  const controller = new AbortController();
  const stream = out as Partial<Emitter>;
  if (typeof stream.on !== 'function' || typeof stream.off !== 'function') return { signal: controller.signal, dispose: () => {} };
  const onError = (e: NodeJS.ErrnoException) => {
    if (!controller.signal.aborted) controller.abort(e?.code === 'EPIPE' ? new OutputClosed() : e);
  };
  stream.on('error', onError);
  return {
    signal: controller.signal,
    dispose: () => {
      if (!controller.signal.aborted) stream.off!('error', onError);
    },
  };
}
