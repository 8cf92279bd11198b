/**
 * The WASM step kernels (assembly/reduce.ts) against the JS references they replace in the
 * worker: reduce.ts `reduceChunk`, clip.ts `scaleRange`, and the Adam, AdamW and SGD rules, on
 * random data, odd lengths and offset ranges. The parameters, gradients and optimizer state must
 * be bit-identical in both dtypes (same f64 operations in the same order, same rounding on
 * store), and so must the chunk's sum of squares (reduceChunk fixes a 4-way order both follow);
 * except Adam on float32, which computes in f32x4 and must agree to 4 ulps of each array's largest value.
 */
import test, { type ExecutionContext } from 'ava';
import { WasmArena } from '../../src/kernels/arena.js';
import { WasmStepKernels } from '../../src/kernels/wasm-reduce.js';
import type { ParamEntry } from '../../src/nn/params.js';
import { Adam, adamRange, type AdamHyper } from '../../src/optim/adam.js';
import { AdamW, adamwRule } from '../../src/optim/adamw.js';
import { clipGradValue, scaleRange } from '../../src/optim/clip.js';
import type { Optimizer } from '../../src/optim/optimizer.js';
import { SGD, sgdRule, type SGDHyper } from '../../src/optim/sgd.js';
import { reduceChunk } from '../../src/parallel/reduce.js';
import { WasmStep } from '../../src/parallel/wasmStep.js';
import { DTYPES, allocate, type DType, type FloatArray } from '../../src/tensor/dtype.js';
import { fillReal, rng, setup } from './util.js';

const LENGTHS = [1, 2, 3, 7, 64, 129, 1001];

/**
 * float64: bit for bit. float32 (Adam's f32x4 arithmetic rounds every operation to f32, the JS
 * rule only on store): each array within 4 ulps of its largest value, a normwise bound, since an
 * element that nearly cancels (m = β1·m + (1 − β1)·g) carries the rounding of its larger terms.
 */
function same(t: ExecutionContext, dtype: DType, got: FloatArray[], want: FloatArray[], what: string): void {
  if (dtype === 'float64') {
    t.deepEqual(got, want, what);
    return;
  }
  let worst = 0;
  for (let a = 0; a < want.length; a++) {
    let scale = 0;
    for (let i = 0; i < want[a].length; i++) scale = Math.max(scale, Math.abs(want[a][i]));
    const ulp = Math.max(scale * 2 ** -23, 2 ** -149);
    for (let i = 0; i < want[a].length; i++) worst = Math.max(worst, Math.abs(got[a][i] - want[a][i]) / ulp);
  }
  t.true(worst <= 4, `${what}: ${worst} ulps (of the array's largest value) apart`);
}

/** An arena array holding a copy of `src`, and a heap copy for the reference. */
function pair(arena: WasmArena, src: FloatArray): [FloatArray, FloatArray] {
  const a = arena.alloc(src instanceof Float32Array ? 'float32' : 'float64', src.length);
  a.set(src);
  return [a, src.slice()];
}

function random(dtype: DType, n: number, seed: number, scale = 1, positive = false): FloatArray {
  const a = fillReal(allocate(dtype, n), rng(seed));
  for (let i = 0; i < n; i++) a[i] = (positive ? Math.abs(a[i]) : a[i]) * scale;
  return a;
}

for (const dtype of DTYPES) {
  test(`${dtype}: reduce equals reduceChunk bit for bit, its sum of squares included`, (t) => {
    const { arena, k } = setup();
    for (const p of LENGTHS) {
      for (const shards of [1, 2, 3, 5]) {
        const [slots, slotsRef] = pair(arena, random(dtype, shards * p, p * 10 + shards));
        const grads = arena.alloc(dtype, p);
        const gradsRef = allocate(dtype, p);
        for (const [lo, hi] of [[0, p], [Math.min(1, p), p], [0, p >> 1], [p >> 2, p - (p >> 3)]]) {
          const inv = 1 / (32 * shards - 3);
          const sq = k.reduce(slots, shards, grads, lo, hi, inv);
          const sqRef = reduceChunk(slotsRef, shards, gradsRef, lo, hi, inv);
          t.deepEqual(grads, gradsRef, `p ${p}, ${shards} slots, [${lo}, ${hi})`);
          t.is(sq, sqRef, 'sum of squares, in the same order');
        }
        t.deepEqual(slots, slotsRef, 'slots untouched');
      }
    }
  });

  test(`${dtype}: scale equals scaleRange bit for bit`, (t) => {
    const { arena, k } = setup();
    for (const p of LENGTHS) {
      const [g, ref] = pair(arena, random(dtype, p, p));
      k.scale(g, 1 % p, p, 0.3712);
      scaleRange(ref, 0.3712, 1 % p, p);
      t.deepEqual(g, ref);
    }
  });

  for (const amsgrad of [false, true]) {
    for (const l2 of [0, 0.01]) {
      test(`${dtype}: adam (amsgrad ${amsgrad}, l2 ${l2}) equals adamRange (float64 bit for bit, float32 to 4 ulps of the largest value)`, (t) => {
        const { arena, k } = setup();
        const h: AdamHyper = { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: l2, amsgrad, maximize: false };
        for (const n of LENGTHS) {
          const [p, pr] = pair(arena, random(dtype, n, 1));
          const [m, mr] = pair(arena, random(dtype, n, 2, 0.1));
          const [v, vr] = pair(arena, random(dtype, n, 3, 0.01, true));
          const [vm, vmr] = pair(arena, random(dtype, n, 4, 0.01, true));
          for (let step = 1; step <= 3; step++) {
            const [g, gr] = pair(arena, random(dtype, n, 10 + step));
            const stepSize = h.lr / (1 - 0.9 ** step);
            const bc2 = Math.sqrt(1 - 0.999 ** step);
            const lo = n > 2 ? 1 : 0;
            k.adam(p, g, m, v, amsgrad ? vm : null, lo, n, { beta1: 0.9, beta2: 0.999, eps: 1e-8, l2 }, 1, stepSize, bc2);
            adamRange(pr, gr, { expAvg: mr, expAvgSq: vr, maxExpAvgSq: vmr }, lo, n, h, l2, stepSize, bc2);
          }
          same(t, dtype, [p, m, v, vm], [pr, mr, vr, vmr], `n ${n}`);
        }
      });
    }
  }

  test(`${dtype}: adamw equals adamwRule.update (float64 bit for bit, float32 to 4 ulps of the largest value)`, (t) => {
    const { arena, k } = setup();
    const h: AdamHyper = { lr: 3e-3, betas: [0.8, 0.99], eps: 1e-6, weightDecay: 0.1, amsgrad: true, maximize: false };
    for (const n of LENGTHS) {
      const [p, pr] = pair(arena, random(dtype, n, 5));
      const [m, mr] = pair(arena, allocate(dtype, n));
      const [v, vr] = pair(arena, allocate(dtype, n));
      const [vm, vmr] = pair(arena, allocate(dtype, n));
      for (let step = 1; step <= 3; step++) {
        const [g, gr] = pair(arena, random(dtype, n, 20 + step));
        const c = new Float64Array(3);
        adamwRule.coefficients(h, h.lr, step, new Float64Array(0), c);
        k.adam(p, g, m, v, vm, 0, n, { beta1: 0.8, beta2: 0.99, eps: 1e-6, l2: 0 }, c[2], c[0], c[1]);
        adamwRule.update(pr, gr, { expAvg: mr, expAvgSq: vr, maxExpAvgSq: vmr }, 0, n, h, c);
      }
      same(t, dtype, [p, m, v, vm], [pr, mr, vr, vmr], `n ${n}`);
    }
  });

  const SGD_CASES: SGDHyper[] = [
    { lr: 0.1, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false },
    { lr: 0.05, momentum: 0.9, dampening: 0, weightDecay: 0, nesterov: false, maximize: false },
    { lr: 0.05, momentum: 0.9, dampening: 0.1, weightDecay: 1e-3, nesterov: false, maximize: false },
    { lr: 0.05, momentum: 0.8, dampening: 0, weightDecay: 1e-2, nesterov: true, maximize: false },
  ];
  for (const h of SGD_CASES) {
    test(`${dtype}: sgd ${JSON.stringify(h)} equals sgdRule.update bit for bit`, (t) => {
      const { arena, k } = setup();
      for (const n of LENGTHS) {
        const [p, pr] = pair(arena, random(dtype, n, 6));
        const [b, br] = pair(arena, allocate(dtype, n));
        for (let step = 1; step <= 3; step++) {
          const [g, gr] = pair(arena, random(dtype, n, 30 + step));
          const c = new Float64Array(2);
          sgdRule.coefficients(h, h.lr, step, new Float64Array(0), c);
          k.sgd(p, g, h.momentum !== 0 ? b : null, 0, n, h, c[0], c[1] === 1);
          sgdRule.update(pr, gr, { momentumBuffer: br }, 0, n, h, c);
        }
        t.deepEqual([p, b], [pr, br], `n ${n}`);
      }
    });
  }

  test(`${dtype}: WasmStep updates every group of an optimizer as updateRange does`, (t) => {
    const { arena, k } = setup();
    const n = 1003;
    const entries: ParamEntry[] = [
      { name: 'layers.0.W', layer: 0, role: 'weight', offset: 0, size: 900, shape: [30, 30] },
      { name: 'layers.0.b', layer: 0, role: 'bias', offset: 900, size: 30, shape: [30] },
      { name: 'layers.1.W', layer: 1, role: 'weight', offset: 930, size: 70, shape: [7, 10] },
      { name: 'layers.1.b', layer: 1, role: 'bias', offset: 1000, size: 3, shape: [3] },
    ];
    const makers: Array<(params: { dtype: DType; values: FloatArray; grads: FloatArray; entries: ParamEntry[] }, alloc?: WasmArena) => Optimizer> = [
      (ps, a) => new Adam(ps, { lr: 0.01, weightDecay: 1e-3, groups: [{ layers: [1], lr: 0.003, amsgrad: true }] }, a),
      (ps, a) => new AdamW(ps, { lr: 0.01, noDecayOn: ['bias'] }, a),
      (ps, a) => new SGD(ps, { lr: 0.1, momentum: 0.9, nesterov: true, groups: [{ layers: [1], nesterov: false, momentum: 0 }] }, a),
    ];
    for (const make of makers) {
      const [values, valuesRef] = pair(arena, random(dtype, n, 7));
      const grads = arena.alloc(dtype, n);
      const gradsRef = allocate(dtype, n);
      const opt = make({ dtype, values, grads, entries }, arena);
      const ref = make({ dtype, values: valuesRef, grads: gradsRef, entries });
      const step = new WasmStep(k, opt, { clipNorm: 1, clipValue: 0.8 });
      t.true(step.wasmUpdate, `${opt.name} runs on WASM`);
      for (let s = 1; s <= 3; s++) {
        const g = random(dtype, n, 40 + s);
        grads.set(g);
        gradsRef.set(g);
        const plan = opt.beginStep();
        ref.beginStep();
        for (let lo = 0; lo < n; lo += 256) step.updateChunk(0.75, plan, lo, Math.min(n, lo + 256));
        scaleRange(gradsRef, 0.75);
        clipGradValue(gradsRef, 0.8);
        ref.updateRange(0, n);
      }
      const names = Object.keys(ref.state).sort();
      const exact = dtype === 'float64' || opt.name === 'sgd';
      same(t, exact ? 'float64' : dtype, [values, ...names.map((k) => opt.state[k])], [valuesRef, ...names.map((k) => ref.state[k])], opt.name);
    }
  });
}

test('arrays outside the arena, or of mixed dtypes, are not accepted and keep the JS path', (t) => {
  const { arena, k } = setup();
  const inArena = arena.alloc('float64', 8);
  t.true(k.accepts(inArena, arena.alloc('float64', 8), null));
  t.false(k.accepts(new Float64Array(8), inArena));
  t.false(k.accepts(inArena, arena.alloc('float32', 8)));
  const heap = { dtype: 'float64' as const, values: new Float64Array(8), grads: new Float64Array(8), entries: [] };
  const step = new WasmStep(k, new Adam(heap), { clipNorm: null, clipValue: null });
  t.false(step.wasmUpdate);
  const slots = fillReal(new Float64Array(16), rng(1));
  const grads = new Float64Array(8);
  const ref = new Float64Array(8);
  t.is(step.reduceChunk(slots, 2, grads, 0, 8, 0.5), reduceChunk(slots, 2, ref, 0, 8, 0.5));
  t.deepEqual(grads, ref);
});

test('slots closer together than a gradient array (a stride): WASM and JS read slot s at s·stride, bit for bit', (t) => {
  const { arena, k } = setup();
  for (const dtype of ['float32', 'float64'] as const) {
    const stride = 5, shards = 3, p = 12;
    const slots = arena.alloc(dtype, (shards - 1) * stride + p);
    fillReal(slots, rng(7));
    const grads = arena.alloc(dtype, p), ref = allocate(dtype, p);
    const sq = k.reduce(slots, shards, grads, 2, 7, 0.25, stride);
    t.is(sq, reduceChunk(slots, shards, ref, 2, 7, 0.25, stride), dtype);
    t.deepEqual(grads, ref, dtype);
    const expected = (slots[2] + slots[2 + stride] + slots[2 + 2 * stride]) * 0.25;
    t.is(grads[2], dtype === 'float32' ? Math.fround(expected) : expected);
    t.throws(() => k.reduce(slots, 5, grads, 2, 7, 1, stride), { instanceOf: RangeError, message: /5 slots 5 apart, read up to 7/ });
  }
});

test('bad ranges throw instead of writing past the arrays', (t) => {
  const { arena, k } = setup();
  const g = arena.alloc('float32', 10);
  t.throws(() => k.scale(g, 0, 11, 2), { instanceOf: RangeError });
  t.throws(() => k.reduce(arena.alloc('float32', 15), 2, g, 0, 10, 1), { instanceOf: RangeError });
});

test('an array outside the arena is refused instead of being read through its byteOffset', (t) => {
  const { arena, k } = setup();
  const g = arena.alloc('float32', 10);
  t.throws(() => k.scale(new Float32Array(10), 0, 10, 2), { instanceOf: TypeError, message: /arena/ });
  t.throws(() => k.reduce(new Float32Array(20), 2, g, 0, 10, 1), { instanceOf: TypeError });
  const h = { beta1: 0.9, beta2: 0.999, eps: 1e-8, l2: 0 };
  t.throws(() => k.adam(g, g, g, new Float32Array(10), null, 0, 10, h, 1, 1e-3, 1), { instanceOf: TypeError });
  t.throws(() => k.sgd(g, arena.alloc('float64', 10), null, 0, 10, { momentum: 0, dampening: 0, weightDecay: 0, nesterov: false }, 0.1, true), { instanceOf: TypeError });
});

test('instantiating the step kernels leaves the shared memory untouched (no data segment)', (t) => {
  const arena = WasmArena.create(1 << 20);
  const before = arena.alloc('float64', 16384);
  for (let i = 0; i < before.length; i++) before[i] = i + 0.5;
  const copy = before.slice();
  new WasmStepKernels(arena);
  new WasmStepKernels(arena);
  t.deepEqual(before, copy);
});
