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
import { fillReal, rng } from './util.js';

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

function setup(bytes = 1 << 22): { arena: WasmArena; k: WasmStepKernels } {
  const arena = WasmArena.create(bytes);
  return { arena, k: new WasmStepKernels(arena) };
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

test('float32 Adam stores moments that would be subnormal as 0 (x86 computes on subnormals ~100x slower); normal ones as the JS rule', (t) => {
  const { arena, k } = setup();
  const n = 11; // 8 in the f32x4 loop, then 2 in the f64x2 loop and 1 alone
  const [p, g, m, v] = [0, 1, 2, 3].map(() => arena.alloc('float32', n));
  p.fill(0.5);
  g.fill(0); // a parameter that gets no gradient: its moments only decay
  m.set([1.2e-38, -1.2e-38, 1.3e-38, 1e-30, 2e-38, 0, -1e-30, 1.25e-38, 1.2e-38, 1e-30, -1.2e-38]);
  v.set([1.2e-38, 1e-20, 1.3e-38, 1e-30, 1.2e-38, 0, 1e-20, 1e-30, 1e-30, 1.2e-38, 1.2e-38]);
  const m0 = Float64Array.from(m), v0 = Float64Array.from(v);
  k.adam(p, g, m, v, null, 0, n, { beta1: 0.9, beta2: 0.999, eps: 1e-8, l2: 0 }, 1, 1e-3, 1);
  const MIN_NORMAL = 2 ** -126;
  for (let i = 0; i < n; i++) {
    // The f32x4 loop (i < 8) computes in f32; the others in f64, rounded once, as the JS rule.
    const mExact = i < 8 ? Math.fround(m0[i] * Math.fround(0.9)) : Math.fround(m0[i] * 0.9);
    const vExact = i < 8 ? Math.fround(v0[i] * Math.fround(0.999)) : Math.fround(v0[i] * 0.999);
    t.is(m[i], Math.abs(mExact) < MIN_NORMAL ? 0 : mExact, `m[${i}] from ${m0[i]}`);
    t.is(v[i], Math.abs(vExact) < MIN_NORMAL ? 0 : vExact, `v[${i}] from ${v0[i]}`);
    t.false(m[i] !== 0 && Math.abs(m[i]) < MIN_NORMAL, 'no subnormal is stored');
  }
  t.is(m[0], 0, '1.2e-38 · 0.9 is subnormal: flushed');
  t.not(m[3], 0, '1e-30 · 0.9 is normal: kept');
  t.is(m[8], 0, 'the same in the f64x2 loop');
  t.is(m[10], 0, 'and for the last element alone');
});

test('float32 Adam: a first moment so small that stepSize·m is subnormal still takes its step, without subnormal arithmetic; normal ones bit for bit as before; an overflowing one is clamped', (t) => {
  const { arena, k } = setup();
  const n = 8; // the f32x4 loop only
  const [p, g, m, v] = [0, 1, 2, 3].map(() => arena.alloc('float32', n));
  const stepSize = 1e-3;
  // Lanes 0-3: stepSize·m below 2^-126 (m < 1.2e-35); lanes 4-7: normal.
  m.set([1e-36, -3e-37, 1.1e-35, 2e-38, 1e-30, -0.25, 3e-3, 1e-20]);
  p.set([1e-30, -2e-31, 5e-32, 1e-33, 0.5, -0.5, 1.25, 3]);
  v.set([1e-30, 1e-31, 4e-30, 1e-29, 1e-6, 2e-3, 1e-4, 1e-30]);
  g.fill(0);
  const [p0, m0, v0] = [p, m, v].map((a) => Float64Array.from(a));
  k.adam(p, g, m, v, null, 0, n, { beta1: 0.9, beta2: 0.999, eps: 1e-8, l2: 0 }, 1, stepSize, 1);
  const f = Math.fround;
  const kExp = 10; // 1e-3 · 2^10 = 1.024, in [1, 2)
  for (let i = 0; i < n; i++) {
    const mi = f(m0[i] * f(0.9));
    const vi = f(v0[i] * f(0.999));
    const denom = f(f(Math.sqrt(vi)) + f(1e-8));
    // The scaled step: no subnormal in it, and the unscaled one's bits wherever that one is normal.
    const scaled = f(f(f(f(f(-stepSize) * 2 ** kExp) * mi) / denom) * 2 ** -kExp);
    t.is(p[i], f(p0[i] + scaled), `p[${i}] with m = ${m0[i]}`);
    const plain = f(f(f(-stepSize) * mi) / denom);
    if (Math.abs(f(f(-stepSize) * mi)) >= 2 ** -126) t.is(p[i], f(p0[i] + plain), `p[${i}]: a normal step·m gives the unscaled bits`);
    else t.not(p[i], p0[i], `p[${i}]: the step of a subnormal step·m still moves a parameter this small`);
    // And either way close to the step computed in float64.
    const exact = p0[i] + (-stepSize * mi) / (Math.sqrt(vi) + 1e-8);
    t.true(Math.abs(p[i] - exact) <= Math.abs(exact) * 2 ** -22, `p[${i}] = ${p[i]}, float64 step gives ${exact}`);
  }
  // A moment near the float32 maximum times 1.024 overflows; then v is infinite too (g² is), and
  // the step must be 0, as unscaled, not ∞/∞ = NaN: the product is clamped.
  const big = 3.4e38;
  m.set([big, -big, 0, 0, 0, 0, 0, 0]);
  g.set([big, -big, 0, 0, 0, 0, 0, 0]);
  v.fill(0);
  p.fill(0.5);
  k.adam(p, g, m, v, null, 0, n, { beta1: 0.9, beta2: 0.999, eps: 1e-8, l2: 0 }, 1, stepSize, 1);
  t.is(v[0], Infinity);
  t.deepEqual([...p.subarray(0, 2)], [0.5, 0.5], 'v = ∞: the parameter stays');
});

test('float32 SGD stores a momentum buffer that would be subnormal as 0', (t) => {
  const { arena, k } = setup();
  const n = 5; // 4 in the f64x2 loop, 1 alone
  const [p, g, buf] = [0, 1, 2].map(() => arena.alloc('float32', n));
  p.fill(0.5);
  g.fill(0);
  buf.set([1.2e-38, 1e-30, -1.2e-38, 2e-38, 1.2e-38]);
  const b0 = Float64Array.from(buf);
  k.sgd(p, g, buf, 0, n, { momentum: 0.9, dampening: 0, weightDecay: 0, nesterov: false }, 0.1, false);
  for (let i = 0; i < n; i++) {
    const exact = Math.fround(b0[i] * 0.9);
    t.is(buf[i], Math.abs(exact) < 2 ** -126 ? 0 : exact, `buf[${i}] from ${b0[i]}`);
  }
  t.is(buf[0], 0);
  t.is(buf[4], 0, 'the last element alone too');
  t.not(buf[1], 0);
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
