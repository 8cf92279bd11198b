/**
 * Worker side of the shared-memory test in threads.test.ts: re-opens the arena from its handle,
 * makes its own kernels (own instance, own scratch), waits for the start signal, then runs the
 * three products `reps` times on its own region while the main thread does the same on another.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { WasmArena, type ArenaHandle } from '../../src/kernels/arena.js';
import { WasmKernels } from '../../src/kernels/wasm-kernels.js';
import type { DType } from '../../src/tensor/dtype.js';

export interface Job {
  handle: ArenaHandle;
  dtype: DType;
  m: number;
  k: number;
  n: number;
  reps: number;
  /** Byte offsets of x, w, b, y, dy, dw, db, dx in the arena. */
  at: Record<'x' | 'w' | 'b' | 'y' | 'dy' | 'dw' | 'db' | 'dx', number>;
  /** Byte offset of an Int32 start flag. */
  flag: number;
}

const job = workerData as Job;
const arena = WasmArena.open(job.handle);
const kernels = new WasmKernels(arena);
const { m, k, n, dtype, at } = job;
const v = (off: number, len: number) => arena.view(dtype, off, len);
const x = v(at.x, m * k), w = v(at.w, k * n), b = v(at.b, n), y = v(at.y, m * n);
const dy = v(at.dy, m * n), dw = v(at.dw, k * n), db = v(at.db, n), dx = v(at.dx, m * k);
const flag = new Int32Array(arena.buffer, job.flag, 1);
parentPort!.postMessage({ ready: true, scratch: kernels.scratch });
Atomics.wait(flag, 0, 0);
for (let r = 0; r < job.reps; r++) {
  kernels.denseForward(x, w, b, y, m, k, n);
  kernels.denseBackwardWeights(x, dy, dw, db, m, k, n);
  kernels.denseBackwardInput(dy, w, dx, m, k, n);
}
parentPort!.postMessage({ done: true });
