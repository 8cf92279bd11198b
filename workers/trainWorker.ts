/** piscina entry point of the training pool: one long-lived task per thread (src/parallel/worker.ts). */
import { serveRun } from '../src/parallel/worker.js';
import type { RunSpec } from '../src/parallel/runArena.js';

export default function task(spec: RunSpec): 'exit' | 'aborted' {
  return serveRun(spec);
}
