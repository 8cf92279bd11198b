/**
 * The per-step vector work of the parallel runtime besides forward/backward: the ordered slot
 * reduction (src/parallel/reduce.ts `reduceChunk`) and the Adam/AdamW and SGD updates
 * (src/optim/adam.ts `adamRange`, adamw.ts, sgd.ts), on arrays in the shared arena.
 *
 * Every formula is evaluated in f64, two elements per f64x2 vector, with the JS rule's
 * operations in the JS rule's order: f64 arithmetic, sqrt included, is IEEE in both, so a
 * float64 run is bit-identical to the JS reference. float32 arrays are widened on load
 * (promote) and rounded on store (demote, round-to-nearest-even like a Float32Array store), and
 * every value the JS rule reads back from a Float32Array after writing it (m, v, the momentum
 * buffer, AdamW's decayed parameter) is read back rounded here too, so float32 is bit-identical
 * as well, with two exceptions. Adam on float32 computes in f32x4 (rounding every operation to
 * f32, as PyTorch's float32 Adam does) and so agrees with the JS rule to a few ulps of each
 * array's largest value: widened to f64, its two divisions and square root made it 3.3 times
 * slower (2.5 against 0.76 ns an element). And float32 optimizer state that would be subnormal
 * (Adam's moments, SGD's momentum buffer) is stored as 0 (flushSubnormal below), where the JS
 * rule keeps it. No fused multiply-add anywhere: it would change the rounding.
 *
 * The sum of squares that `reduce` returns follows reduceChunk's fixed order: four partial sums
 * (two vectors of two lanes, element lo + 4j + r in partial r), combined as (a0 + a1) + (a2 + a3),
 * then the tail one by one; so it is bit-identical too (it feeds the clipping norm).
 *
 * Like gemm.ts, this module must have no static data (the memory is imported and shared).
 * Pointers are byte offsets into the arena.
 */

/** Two elements at ptr, as f64x2 (f32 widened). */
// @ts-ignore: decorator
@inline
function load2<T>(ptr: usize): v128 {
  if (sizeof<T>() == 4) return f64x2.promote_low_f32x4(v128.load64_zero(ptr));
  return v128.load(ptr);
}

/** Store an f64x2 as two elements at ptr (f32 rounded to nearest even). */
// @ts-ignore: decorator
@inline
function store2<T>(ptr: usize, v: v128): void {
  if (sizeof<T>() == 4) v128.store64_lane(ptr, f32x4.demote_f64x2_zero(v), 0);
  else v128.store(ptr, v);
}

/** What a load after store2 would read: v rounded to T and widened back (identity for f64). */
// @ts-ignore: decorator
@inline
function round2<T>(v: v128): v128 {
  if (sizeof<T>() == 4) return f64x2.promote_low_f32x4(f32x4.demote_f64x2_zero(v));
  return v;
}

// @ts-ignore: decorator
@inline
function ld<T>(ptr: usize): f64 {
  return <f64>load<T>(ptr);
}

// @ts-ignore: decorator
@inline
function st<T>(ptr: usize, v: f64): f64 {
  store<T>(ptr, <T>v);
  return <f64>load<T>(ptr);
}

/**
 * grads[lo..hi) = (Σ_{s<shards} slot_s[lo..hi)) · invBatch, slot s at slots + s·p elements,
 * slots added in order 0, 1, 2, … per element; returns Σ grads² over the chunk (unrounded values,
 * as the JS reference squares its f64 temporaries).
 */
// @ts-ignore: decorator
@inline
function reduce<T>(slots: usize, shards: i32, p: i32, grads: usize, lo: i32, hi: i32, invBatch: f64): f64 {
  const S = sizeof<T>();
  const stride = <usize>p * S;
  const inv = f64x2.splat(invBatch);
  let sq0 = f64x2.splat(0), sq1 = sq0;
  let i = lo;
  for (; i + 4 <= hi; i += 4) {
    let src = slots + <usize>i * S;
    let a0 = load2<T>(src), a1 = load2<T>(src + 2 * S);
    for (let k = 1; k < shards; k++) {
      src += stride;
      a0 = f64x2.add(a0, load2<T>(src));
      a1 = f64x2.add(a1, load2<T>(src + 2 * S));
    }
    const g0 = f64x2.mul(a0, inv), g1 = f64x2.mul(a1, inv);
    const dst = grads + <usize>i * S;
    store2<T>(dst, g0);
    store2<T>(dst + 2 * S, g1);
    sq0 = f64x2.add(sq0, f64x2.mul(g0, g0));
    sq1 = f64x2.add(sq1, f64x2.mul(g1, g1));
  }
  let sq = (f64x2.extract_lane(sq0, 0) + f64x2.extract_lane(sq0, 1)) + (f64x2.extract_lane(sq1, 0) + f64x2.extract_lane(sq1, 1));
  for (; i < hi; i++) {
    let src = slots + <usize>i * S;
    let s = ld<T>(src);
    for (let k = 1; k < shards; k++) {
      src += stride;
      s += ld<T>(src);
    }
    const g = s * invBatch;
    store<T>(grads + <usize>i * S, <T>g);
    sq += g * g;
  }
  return sq;
}

export function reduceF32(slots: usize, shards: i32, p: i32, grads: usize, lo: i32, hi: i32, invBatch: f64): f64 {
  return reduce<f32>(slots, shards, p, grads, lo, hi, invBatch);
}
export function reduceF64(slots: usize, shards: i32, p: i32, grads: usize, lo: i32, hi: i32, invBatch: f64): f64 {
  return reduce<f64>(slots, shards, p, grads, lo, hi, invBatch);
}

/** g[lo..hi) ← g · factor (clip_grad_norm_'s scale; src/optim/clip.ts scaleRange). */
// @ts-ignore: decorator
@inline
function scale<T>(g: usize, lo: i32, hi: i32, factor: f64): void {
  const S = sizeof<T>();
  const f = f64x2.splat(factor);
  let i = lo;
  for (; i + 2 <= hi; i += 2) store2<T>(g + <usize>i * S, f64x2.mul(load2<T>(g + <usize>i * S), f));
  for (; i < hi; i++) store<T>(g + <usize>i * S, <T>(ld<T>(g + <usize>i * S) * factor));
}

export function scaleF32(g: usize, lo: i32, hi: i32, factor: f64): void {
  scale<f32>(g, lo, hi, factor);
}
export function scaleF64(g: usize, lo: i32, hi: i32, factor: f64): void {
  scale<f64>(g, lo, hi, factor);
}

/**
 * Adam over [lo, hi), src/optim/adam.ts `adamRange` operation for operation: coupled decay
 * `l2`; `keep` ≠ 1 first decays the parameters as AdamW does (p ← p·keep, stored); `vMax` = 0
 * means no amsgrad. stepSize and bc2Sqrt come from the step's plan. On float32 the bulk runs in
 * f32x4 (see the top of the file), the last 1-3 elements in f64 rounded once (both store
 * would-be-subnormal moments as 0). `adam` picks one of eight
 * copies of the loop with the three options as constants: a test left in the loop body doubled
 * its time (V8 then reloads the splatted constants on every iteration).
 */
// @ts-ignore: decorator
@inline
function adam<T>(
  p: usize, g: usize, m: usize, v: usize, vMax: usize, lo: i32, hi: i32,
  beta1: f64, beta2: f64, eps: f64, l2: f64, keep: f64, stepSize: f64, bc2Sqrt: f64,
): void {
  if (vMax == 0) {
    if (keep != 1.0) {
      if (l2 != 0) adamLoop<T>(p, g, m, v, vMax, lo, hi, beta1, beta2, eps, l2, keep, stepSize, bc2Sqrt, true, true, false);
      else adamLoop<T>(p, g, m, v, vMax, lo, hi, beta1, beta2, eps, l2, keep, stepSize, bc2Sqrt, true, false, false);
    } else if (l2 != 0) adamLoop<T>(p, g, m, v, vMax, lo, hi, beta1, beta2, eps, l2, keep, stepSize, bc2Sqrt, false, true, false);
    else adamLoop<T>(p, g, m, v, vMax, lo, hi, beta1, beta2, eps, l2, keep, stepSize, bc2Sqrt, false, false, false);
  } else {
    if (keep != 1.0) {
      if (l2 != 0) adamLoop<T>(p, g, m, v, vMax, lo, hi, beta1, beta2, eps, l2, keep, stepSize, bc2Sqrt, true, true, true);
      else adamLoop<T>(p, g, m, v, vMax, lo, hi, beta1, beta2, eps, l2, keep, stepSize, bc2Sqrt, true, false, true);
    } else if (l2 != 0) adamLoop<T>(p, g, m, v, vMax, lo, hi, beta1, beta2, eps, l2, keep, stepSize, bc2Sqrt, false, true, true);
    else adamLoop<T>(p, g, m, v, vMax, lo, hi, beta1, beta2, eps, l2, keep, stepSize, bc2Sqrt, false, false, true);
  }
}

/** The smallest normal f32, 2⁻¹²⁶ (about 1.2e-38). */
const MIN_NORMAL_F32: f32 = 1.1754943508222875e-38;

/**
 * x with every lane whose magnitude is below `tiny` (a subnormal) set to +0; NaN and ±∞ kept.
 * Where a parameter's gradient stays 0 (a dead ReLU unit, an input that is always 0), Adam's
 * first moment decays by β1 a step and is subnormal after several hundred steps; x86 computes
 * on subnormal f32 about a hundred times slower, and WebAssembly cannot put the CPU in
 * flush-to-zero mode (what PyTorch's set_flush_denormal does). Measured (`npm run bench`, long
 * run, epochs 24-26): the update took 3.8 ms per step without this and 0.9 ms with it (0.11 early
 * in the run). Only float32 values below 1.2e-38 change: Adam's two moments and SGD's momentum
 * buffer; float64 is untouched.
 */
// @ts-ignore: decorator
@inline
function flushSubnormal(x: v128, tiny: v128): v128 {
  return v128.andnot(x, f32x4.lt(f32x4.abs(x), tiny));
}

/** flushSubnormal for the f64x2 loop: for f32, x rounded to f32, 0 where that is subnormal; f64: x. */
// @ts-ignore: decorator
@inline
function flushed2<T>(x: v128): v128 {
  if (sizeof<T>() != 4) return x;
  const r = round2<T>(x);
  return v128.andnot(r, f64x2.lt(f64x2.abs(r), f64x2.splat(<f64>MIN_NORMAL_F32)));
}

/** flushSubnormal for one element: for f32, x rounded to f32, 0 where that is subnormal; f64: x. */
// @ts-ignore: decorator
@inline
function flushed<T>(x: f64): f64 {
  if (sizeof<T>() != 4) return x;
  const r = <f64><f32>x;
  return abs(r) < <f64>MIN_NORMAL_F32 ? 0 : r;
}

// @ts-ignore: decorator
@inline
function adamLoop<T>(
  p: usize, g: usize, m: usize, v: usize, vMax: usize, lo: i32, hi: i32,
  beta1: f64, beta2: f64, eps: f64, l2: f64, keep: f64, stepSize: f64, bc2Sqrt: f64,
  decay: bool, coupled: bool, ams: bool,
): void {
  const S = sizeof<T>();
  const c1 = 1.0 - beta1, c2 = 1.0 - beta2;
  let i = lo;
  if (S == 4) {
    // float32: f32x4 arithmetic, the same operations in the same order, each rounded to f32.
    const B1 = f32x4.splat(<f32>beta1), B2 = f32x4.splat(<f32>beta2), C1 = f32x4.splat(<f32>c1), C2 = f32x4.splat(<f32>c2);
    const E = f32x4.splat(<f32>eps), L2 = f32x4.splat(<f32>l2), K = f32x4.splat(<f32>keep);
    const BC = f32x4.splat(<f32>bc2Sqrt), NS = f32x4.splat(<f32>-stepSize);
    const TINY = f32x4.splat(MIN_NORMAL_F32);
    for (; i + 4 <= hi; i += 4) {
      const o = <usize>i << 2;
      let pi = v128.load(p + o);
      if (decay) pi = f32x4.mul(pi, K);
      let gi = v128.load(g + o);
      if (coupled) gi = f32x4.add(gi, f32x4.mul(L2, pi));
      const mi = flushSubnormal(f32x4.add(f32x4.mul(v128.load(m + o), B1), f32x4.mul(C1, gi)), TINY);
      v128.store(m + o, mi);
      let vi = flushSubnormal(f32x4.add(f32x4.mul(v128.load(v + o), B2), f32x4.mul(f32x4.mul(C2, gi), gi)), TINY);
      v128.store(v + o, vi);
      if (ams) {
        vi = f32x4.max(v128.load(vMax + o), vi);
        v128.store(vMax + o, vi);
      }
      const denom = f32x4.add(f32x4.div(f32x4.sqrt(vi), BC), E);
      v128.store(p + o, f32x4.add(pi, f32x4.div(f32x4.mul(NS, mi), denom)));
    }
  }
  const B1 = f64x2.splat(beta1), B2 = f64x2.splat(beta2), C1 = f64x2.splat(c1), C2 = f64x2.splat(c2);
  const E = f64x2.splat(eps), L2 = f64x2.splat(l2), K = f64x2.splat(keep), BC = f64x2.splat(bc2Sqrt), NS = f64x2.splat(-stepSize);
  for (; i + 2 <= hi; i += 2) {
    const o = <usize>i * S;
    let pi = load2<T>(p + o);
    if (decay) {
      pi = f64x2.mul(pi, K);
      store2<T>(p + o, pi);
      pi = round2<T>(pi);
    }
    let gi = load2<T>(g + o);
    if (coupled) gi = f64x2.add(gi, f64x2.mul(L2, pi));
    let mi = flushed2<T>(f64x2.add(f64x2.mul(load2<T>(m + o), B1), f64x2.mul(C1, gi)));
    store2<T>(m + o, mi);
    mi = round2<T>(mi);
    let vi = flushed2<T>(f64x2.add(f64x2.mul(load2<T>(v + o), B2), f64x2.mul(f64x2.mul(C2, gi), gi)));
    store2<T>(v + o, vi);
    vi = round2<T>(vi);
    if (ams) {
      vi = f64x2.max(load2<T>(vMax + o), vi);
      store2<T>(vMax + o, vi);
    }
    const denom = f64x2.add(f64x2.div(f64x2.sqrt(vi), BC), E);
    store2<T>(p + o, f64x2.add(pi, f64x2.div(f64x2.mul(NS, mi), denom)));
  }
  for (; i < hi; i++) {
    const o = <usize>i * S;
    let pi = ld<T>(p + o);
    if (decay) pi = st<T>(p + o, pi * keep);
    let gi = ld<T>(g + o);
    if (coupled) gi = gi + l2 * pi;
    const mi = st<T>(m + o, flushed<T>(ld<T>(m + o) * beta1 + c1 * gi));
    let vi = st<T>(v + o, flushed<T>(ld<T>(v + o) * beta2 + c2 * gi * gi));
    if (ams) vi = st<T>(vMax + o, max(ld<T>(vMax + o), vi));
    const denom = Math.sqrt(vi) / bc2Sqrt + eps;
    store<T>(p + o, <T>(pi + (-stepSize * mi) / denom));
  }
}

export function adamF32(
  p: usize, g: usize, m: usize, v: usize, vMax: usize, lo: i32, hi: i32,
  beta1: f64, beta2: f64, eps: f64, l2: f64, keep: f64, stepSize: f64, bc2Sqrt: f64,
): void {
  adam<f32>(p, g, m, v, vMax, lo, hi, beta1, beta2, eps, l2, keep, stepSize, bc2Sqrt);
}
export function adamF64(
  p: usize, g: usize, m: usize, v: usize, vMax: usize, lo: i32, hi: i32,
  beta1: f64, beta2: f64, eps: f64, l2: f64, keep: f64, stepSize: f64, bc2Sqrt: f64,
): void {
  adam<f64>(p, g, m, v, vMax, lo, hi, beta1, beta2, eps, l2, keep, stepSize, bc2Sqrt);
}

/**
 * SGD over [lo, hi), src/optim/sgd.ts operation for operation: `buf` = 0 means no momentum;
 * `first` ≠ 0 on the first step (the buffer takes the raw gradient). A float32 momentum buffer
 * that would be subnormal is stored as 0, as Adam's moments are (flushSubnormal).
 */
// @ts-ignore: decorator
@inline
function sgd<T>(
  p: usize, g: usize, buf: usize, lo: i32, hi: i32,
  lr: f64, momentum: f64, dampening: f64, weightDecay: f64, nesterov: i32, first: i32,
): void {
  const S = sizeof<T>();
  const c = 1.0 - dampening;
  const MU = f64x2.splat(momentum), C = f64x2.splat(c), WD = f64x2.splat(weightDecay), NLR = f64x2.splat(-lr);
  let i = lo;
  for (; i + 2 <= hi; i += 2) {
    const o = <usize>i * S;
    const pi = load2<T>(p + o);
    let d = load2<T>(g + o);
    if (weightDecay != 0) d = f64x2.add(d, f64x2.mul(WD, pi));
    if (buf != 0) {
      let b = flushed2<T>(first != 0 ? d : f64x2.add(f64x2.mul(load2<T>(buf + o), MU), f64x2.mul(C, d)));
      store2<T>(buf + o, b);
      b = round2<T>(b);
      d = nesterov != 0 ? f64x2.add(d, f64x2.mul(MU, b)) : b;
    }
    store2<T>(p + o, f64x2.add(pi, f64x2.mul(NLR, d)));
  }
  for (; i < hi; i++) {
    const o = <usize>i * S;
    const pi = ld<T>(p + o);
    let d = ld<T>(g + o);
    if (weightDecay != 0) d = d + weightDecay * pi;
    if (buf != 0) {
      const b = st<T>(buf + o, flushed<T>(first != 0 ? d : ld<T>(buf + o) * momentum + c * d));
      d = nesterov != 0 ? d + momentum * b : b;
    }
    store<T>(p + o, <T>(pi + -lr * d));
  }
}

export function sgdF32(
  p: usize, g: usize, buf: usize, lo: i32, hi: i32, lr: f64, momentum: f64, dampening: f64, weightDecay: f64, nesterov: i32, first: i32,
): void {
  sgd<f32>(p, g, buf, lo, hi, lr, momentum, dampening, weightDecay, nesterov, first);
}
export function sgdF64(
  p: usize, g: usize, buf: usize, lo: i32, hi: i32, lr: f64, momentum: f64, dampening: f64, weightDecay: f64, nesterov: i32, first: i32,
): void {
  sgd<f64>(p, g, buf, lo, hi, lr, momentum, dampening, weightDecay, nesterov, first);
}
