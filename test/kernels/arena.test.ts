import test from 'ava';
import { WasmArena, ARENA_ALIGN, ARENA_HEADER_BYTES } from '../../src/kernels/arena.js';
import { WasmKernels } from '../../src/kernels/wasm-kernels.js';
import { SCRATCH_BYTES, WebAssemblyApi, gemmVariantAvailable } from '../../src/kernels/wasm-module.js';
import * as reference from '../../src/kernels/reference.js';
import { referenceKernels } from '../../src/kernels/kernels.js';
import { fillInt, fillReal, rng } from './util.js';

test('alloc returns zero-filled, 64-byte-aligned, disjoint views of the shared memory', (t) => {
  const arena = WasmArena.create(1 << 20);
  t.true(arena.buffer instanceof SharedArrayBuffer);
  const a = arena.alloc('float32', 3), b = arena.alloc('float64', 5), c = arena.alloc('float32', 1);
  for (const v of [a, b, c]) {
    t.is(v.buffer, arena.buffer);
    t.is(v.byteOffset % ARENA_ALIGN, 0);
    t.true(v.byteOffset >= ARENA_HEADER_BYTES);
    t.true(v.every((e) => e === 0));
  }
  t.true(a.byteOffset + a.byteLength <= b.byteOffset);
  t.true(b.byteOffset + b.byteLength <= c.byteOffset);
  t.true(arena.owns(a));
  t.false(arena.owns(new Float32Array(3)));
});

test('bytesFor sizes an arena that exactly fits its requests and scratch', (t) => {
  const requests = [{ dtype: 'float32' as const, length: 100 }, { dtype: 'float64' as const, length: 7 }];
  const bytes = WasmArena.bytesFor(requests, 2);
  t.is(bytes, 64 + 448 + 64 + 2 * SCRATCH_BYTES);
  const arena = WasmArena.create(bytes);
  for (const r of requests) arena.alloc(r.dtype, r.length);
  new WasmKernels(arena);
  new WasmKernels(arena);
  t.true(arena.used <= bytes);
  t.throws(() => WasmArena.bytesFor([{ dtype: 'float32', length: 2.5 }]), {
    message: 'requests[0].length must be a non-negative integer, got 2.5 (number)',
  });
});

test('a full arena refuses to allocate, naming what is left', (t) => {
  const arena = WasmArena.create(0);
  t.is(arena.byteLength, 65536);
  t.throws(() => arena.alloc('float64', 8192), { instanceOf: RangeError, message: /WasmArena is full: 65536 bytes requested/ });
  t.throws(() => arena.alloc('float32', -1), { instanceOf: RangeError, message: 'length must be a non-negative integer, got -1 (number)' });
});

test('open re-attaches to the same memory and allocation continues after what was taken', (t) => {
  const arena = WasmArena.create(SCRATCH_BYTES + (1 << 16));
  const a = arena.alloc('float32', 10);
  a[3] = 7;
  const again = WasmArena.open(arena.handle());
  t.is(again.view('float32', a.byteOffset, 10)[3], 7);
  t.true(again.alloc('float32', 1).byteOffset >= a.byteOffset + a.byteLength);
  t.throws(() => again.view('float32', 0, 1), { instanceOf: RangeError });
  t.throws(() => WasmArena.open({ memory: new WebAssemblyApi.Memory({ initial: 1, maximum: 1, shared: true }), byteLength: 65536 }), {
    instanceOf: TypeError, message: /handle.memory must be the shared memory of a WasmArena/,
  });
});

test('arrays outside the arena, or of mixed dtypes, go to the reference kernels', (t) => {
  const arena = WasmArena.create(SCRATCH_BYTES + (1 << 16));
  const kernels = new WasmKernels(arena);
  const next = rng(5);
  const x = fillReal(new Float64Array(6), next), w = fillReal(new Float64Array(12), next);
  const y = new Float64Array(8), expected = new Float64Array(8);
  kernels.denseForward(x, w, null, y, 2, 3, 4);
  reference.denseForward(x, w, null, expected, 2, 3, 4);
  t.deepEqual(y, expected);
  const xa = arena.alloc('float32', 6);
  xa.set(x);
  const ya = arena.alloc('float64', 8);
  kernels.denseForward(xa, w, null, ya, 2, 3, 4);
  referenceKernels.denseForward(xa, w, null, expected, 2, 3, 4);
  t.deepEqual([...ya], [...expected]);
});

test('short arrays in the arena are refused before the kernel could write past them', (t) => {
  const arena = WasmArena.create(SCRATCH_BYTES + (1 << 16));
  const kernels = new WasmKernels(arena);
  const x = arena.alloc('float32', 6), w = arena.alloc('float32', 12), y = arena.alloc('float32', 7);
  t.throws(() => kernels.denseForward(x, w, null, y, 2, 3, 4), { message: 'denseForward y: expected shape 2×4 (8 elements), got 7 elements' });
  t.throws(() => kernels.denseBackwardInput(y, w, x, 2, 3, 4), { message: /denseBackwardInput dy/ });
  t.throws(() => kernels.denseForward(x, w, null, y, 1.5, 3, 4), { message: 'm must be a non-negative integer, got 1.5 (number)' });
});

test('kernels on two regions of one arena do not disturb each other or their neighbours', (t) => {
  const dtype = 'float32';
  const [m, k, n] = [33, 70, 21];
  const arena = WasmArena.create(1 << 20);
  const kernels = new WasmKernels(arena);
  const next = rng(9);
  const canary = () => arena.alloc(dtype, 16).fill(-12345);
  const regions = [0, 1].map(() => {
    const c0 = canary();
    const x = fillReal(arena.alloc(dtype, m * k), next), w = fillReal(arena.alloc(dtype, k * n), next);
    const b = fillReal(arena.alloc(dtype, n), next), y = arena.alloc(dtype, m * n);
    const dw = arena.alloc(dtype, k * n), db = arena.alloc(dtype, n), dx = arena.alloc(dtype, m * k);
    const c1 = canary();
    return { c0, c1, x, w, b, y, dw, db, dx };
  });
  const run = (r: (typeof regions)[number]) => {
    kernels.denseForward(r.x, r.w, r.b, r.y, m, k, n);
    kernels.denseBackwardWeights(r.x, r.y, r.dw, r.db, m, k, n);
    kernels.denseBackwardInput(r.y, r.w, r.dx, m, k, n);
  };
  run(regions[0]);
  const first = [regions[0].y.slice(), regions[0].dw.slice(), regions[0].dx.slice()];
  run(regions[1]);
  t.deepEqual([regions[0].y, regions[0].dw, regions[0].dx], first, 'region 0 untouched by region 1');
  for (const r of regions) {
    t.true(r.c0.every((v) => v === -12345) && r.c1.every((v) => v === -12345), 'canaries intact');
    const y = new Float32Array(m * n);
    reference.denseForward(r.x, r.w, r.b, y, m, k, n);
    t.true(y.every((v, i) => Math.abs(v - r.y[i]) < 1e-4));
  }
});

test('an array ending at the last byte of the memory is read and written in bounds', (t) => {
  const arena = WasmArena.create(SCRATCH_BYTES);
  const kernels = new WasmKernels(arena);
  const [m, k, n] = [4, 7, 4]; // y is 64 bytes: it can end exactly at the end
  // Small integers: every sum is exact, so the WASM results must equal the reference's bit for bit.
  const x = fillInt(arena.alloc('float32', m * k), rng(1)), w = fillInt(arena.alloc('float32', k * n), rng(2));
  const dx = arena.alloc('float32', m * k), dw = arena.alloc('float32', k * n);
  const top = Math.ceil(arena.used / ARENA_ALIGN) * ARENA_ALIGN;
  arena.allocBytes(arena.byteLength - 64 - top);
  const y = arena.alloc('float32', m * n);
  t.is(y.byteOffset + y.byteLength, arena.byteLength);
  kernels.denseForward(x, w, null, y, m, k, n);
  kernels.denseBackwardInput(y, w, dx, m, k, n);
  kernels.denseBackwardWeights(x, y, dw, null, m, k, n);
  const [ry, rdx, rdw] = [new Float32Array(m * n), new Float32Array(m * k), new Float32Array(k * n)];
  reference.denseForward(x, w, null, ry, m, k, n);
  reference.denseBackwardInput(ry, w, rdx, m, k, n);
  reference.denseBackwardWeights(x, ry, rdw, null, m, k, n);
  t.true(ry.some((v) => v !== 0), 'a non-trivial product');
  t.deepEqual([...y], [...ry], 'y');
  t.deepEqual([...dx], [...rdx], 'dx');
  t.deepEqual([...dw], [...rdw], 'dW');
});

test('making kernels in a thread writes nothing into the arena but its own scratch', (t) => {
  // The memory is imported and shared: any data segment in gemm.wasm would be copied over the
  // user's arrays each time a thread instantiates the module. Fill everything, instantiate, compare.
  const arena = WasmArena.create(3 * SCRATCH_BYTES);
  const before = arena.alloc('float64', 16384);
  for (let i = 0; i < before.length; i++) before[i] = i + 0.5;
  const copy = before.slice();
  for (const variant of ['simd', 'relaxed-simd'] as const) {
    if (!gemmVariantAvailable(variant)) continue;
    new WasmKernels(arena, variant);
    t.deepEqual(before, copy, variant);
  }
});

test('the kernels allocate nothing in the arena per call, and a training step nothing per step', async (t) => {
  const arena = WasmArena.create(1 << 22);
  const k = new WasmKernels(arena);
  const [m, kk, n] = [33, 70, 19];
  const x = arena.alloc('float32', m * kk), w = arena.alloc('float32', kk * n), b = arena.alloc('float32', n);
  const y = arena.alloc('float32', m * n), dw = arena.alloc('float32', kk * n), dx = arena.alloc('float32', m * kk);
  const used = arena.used;
  for (let i = 0; i < 200; i++) {
    k.denseForward(x, w, b, y, m, kk, n);
    k.denseBackwardWeights(x, y, dw, b, m, kk, n);
    k.denseBackwardInput(y, w, dx, m, kk, n);
  }
  t.is(arena.used, used);
  // A whole training run: after the first steps have sized every buffer, more steps take no
  // arena space (the run's arena is fixed-size; a per-step allocation would fill it).
  const { Model } = await import('../../src/nn/model.js');
  const { dense } = await import('../../src/nn/dense.js');
  const { relu } = await import('../../src/nn/activation.js');
  const { Adam } = await import('../../src/optim/adam.js');
  const { Trainer } = await import('../../src/train/trainer.js');
  const { makeDataset } = await import('../../src/data/dataset.js');
  const { ParallelEngine } = await import('../../src/parallel/engine.js');
  const data = makeDataset({ x: Array.from({ length: 64 }, (_, i) => [i % 7, i % 5, i % 3]), labels: Array.from({ length: 64 }, (_, i) => i % 2) });
  const usedAfter = async (epochs: number) => {
    const model = new Model([dense(3, 8), relu(), dense(8, 2)], { seed: 1 });
    const tr = new Trainer(model, { optimizer: new Adam(model.parameters()), loss: 'softmax-cross-entropy', epochs, batchSize: 16, microShard: 8, threads: 2 });
    await tr.fit(data);
    const engine = tr.stepEngine as InstanceType<typeof ParallelEngine>;
    return (engine as unknown as { arena: WasmArena }).arena.used;
  };
  t.is(await usedAfter(20), await usedAfter(2), '20 epochs use the arena exactly as 2 do');
});
