/**
 * The optimizer updates of the parallel runtime on the shared arena: Adam/AdamW and SGD (with
 * momentum, dampening, weight decay, Nesterov), operation for operation as src/optim/adam.ts
 * `adamRange`, adamw.ts and sgd.ts; see reduce.ts for the rounding rules they follow.
 */
import { flushed, flushed2, flushSubnormal, ld, load2, MIN_NORMAL_F32, round2, st, store2 } from './lanes';

/**
 * Adam over [lo, hi), src/optim/adam.ts `adamRange` operation for operation: coupled decay
 * `l2`; `keep` ≠ 1 first decays the parameters as AdamW does (p ← p·keep, stored); `vMax` = 0
 * means no amsgrad. stepSize and bc2Sqrt come from the step's plan. On float32 the bulk runs in
 * f32x4 (see the top of the file), the last 1-3 elements in f64 rounded once (both store
 * would-be-subnormal moments as 0). The f32x4 loop computes the step
 * −stepSize·m/denom as ((−stepSize·2^k)·m/denom)·2^−k, with 2^k scaling the step size to [1, 2):
 * the same bits wherever −stepSize·m and the step are normal (power-of-2 scaling is exact), and
 * no subnormal product where |m| < 2⁻¹²⁶/stepSize. Such an m is the tail of a moment decaying
 * after its gradient went to 0 (a ReLU unit that died): about 66 steps of every such parameter
 * at β1 = 0.9 and lr = 1e-3, on which x86 computed the product and the division after it ~25×
 * slower. The scaled product is clamped to ±F32.MAX_VALUE: it overflows (|m| > 1.7e38) only
 * where v is already infinite, and the step must then be 0, as unscaled, not ∞/∞. (A scale in
 * [0.5, 1) cannot overflow, but leaves m in [2⁻¹²⁶, 2⁻¹²⁵) on the slow path: the long run's late
 * epochs measured 3× slower.) `adam` picks
 * one of eight copies of the loop with the three options as constants: a test left in the loop body doubled
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
    const BC = f32x4.splat(<f32>bc2Sqrt);
    const TINY = f32x4.splat(MIN_NORMAL_F32);
    // stepSize·2^k in [1, 2), and 2^−k to undo it (see above).
    const k = min(max(127 - <i32>((reinterpret<u32>(<f32>stepSize) >> 23) & 0xff), 0), 126);
    const MAX = f32x4.splat(F32.MAX_VALUE), NMAX = f32x4.splat(-F32.MAX_VALUE);
    // pmin/pmax are one x86 instruction each (min/max, which order NaN and ±0, are several); a NaN product stays NaN.
    const NSK = f32x4.splat(<f32>(-stepSize) * reinterpret<f32>(<u32>(127 + k) << 23));
    const UNSCALE = f32x4.splat(reinterpret<f32>(<u32>(127 - k) << 23));
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
      v128.store(p + o, f32x4.add(pi, f32x4.mul(f32x4.div(f32x4.pmin(f32x4.pmax(f32x4.mul(NSK, mi), NMAX), MAX), denom), UNSCALE)));
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
