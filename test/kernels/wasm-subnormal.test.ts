/**
 * Subnormal floats in the float32 WASM step kernels (assembly/update.ts): moments and momentum
 * buffers that would be subnormal are stored as 0 (x86 computes on subnormals ~100x slower), and
 * Adam's step of a tiny first moment is taken without subnormal arithmetic.
 */
import test from 'ava';
import { setup } from './util.js';

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
