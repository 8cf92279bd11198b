import test from 'ava';
import { Worker } from 'node:worker_threads';
import { once } from 'node:events';
import { WasmArena } from '../../src/kernels/arena.js';
import { WasmKernels } from '../../src/kernels/wasm-kernels.js';
import { SCRATCH_BYTES } from '../../src/kernels/wasm-module.js';
import * as reference from '../../src/kernels/reference.js';
import { DTYPES, allocate } from '../../src/tensor/dtype.js';
import type { Job } from './kernel-worker.js';
import { fillInt, rng } from './util.js';

const WORKER = new URL('./kernel-worker.js', import.meta.url);

for (const dtype of DTYPES) {
  test(`a worker thread and the main thread run kernels on one shared memory at once (${dtype})`, async (t) => {
    const [m, k, n, reps] = [64, 300, 72, 150];
    const names = ['x', 'w', 'b', 'y', 'dy', 'dw', 'db', 'dx'] as const;
    const lengths = { x: m * k, w: k * n, b: n, y: m * n, dy: m * n, dw: k * n, db: n, dx: m * k };
    const requests = [...names, ...names].map((name) => ({ dtype, length: lengths[name] }));
    const arena = WasmArena.create(WasmArena.bytesFor([...requests, { dtype: 'float64', length: 1 }], 2));
    const next = rng(dtype === 'float32' ? 21 : 22);
    const region = () => {
      const r = Object.fromEntries(names.map((name) => [name, arena.alloc(dtype, lengths[name])]));
      for (const name of ['x', 'w', 'b', 'dy'] as const) fillInt(r[name], next);
      return r as Record<(typeof names)[number], Float32Array | Float64Array>;
    };
    const mine = region(), theirs = region();
    const flag = new Int32Array(arena.buffer, arena.allocBytes(8), 1);
    const job: Job = {
      handle: arena.handle(), dtype, m, k, n, reps, flag: flag.byteOffset,
      at: Object.fromEntries(names.map((name) => [name, theirs[name].byteOffset])) as Job['at'],
    };
    const worker = new Worker(WORKER, { workerData: job });
    const [ready] = await once(worker, 'message');
    const kernels = new WasmKernels(arena);
    // The two scratch regions were allocated concurrently-safe and must not overlap.
    t.true(Math.abs(ready.scratch - kernels.scratch) >= SCRATCH_BYTES);
    const done = once(worker, 'message');
    Atomics.store(flag, 0, 1);
    Atomics.notify(flag, 0);
    for (let r = 0; r < reps; r++) {
      kernels.denseForward(mine.x, mine.w, mine.b, mine.y, m, k, n);
      kernels.denseBackwardWeights(mine.x, mine.dy, mine.dw, mine.db, m, k, n);
      kernels.denseBackwardInput(mine.dy, mine.w, mine.dx, m, k, n);
    }
    await done;
    await worker.terminate();
    for (const [who, r] of [['main', mine], ['worker', theirs]] as const) {
      // Small integers: every result is exact, so equality is the test (dW, db summed `reps` times).
      const y = allocate(dtype, m * n), dw = allocate(dtype, k * n), db = allocate(dtype, n), dx = allocate(dtype, m * k);
      reference.denseForward(r.x, r.w, r.b, y, m, k, n);
      reference.denseBackwardWeights(r.x, r.dy, dw, db, m, k, n);
      reference.denseBackwardInput(r.dy, r.w, dx, m, k, n);
      for (const a of [dw, db]) for (let i = 0; i < a.length; i++) a[i] *= reps;
      const same = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).every((v, i) => v === b[i]);
      t.true(same(r.y, y), `${who} y`);
      t.true(same(r.dw, dw), `${who} dW`);
      t.true(same(r.db, db), `${who} db`);
      t.true(same(r.dx, dx), `${who} dX`);
    }
  });
}

