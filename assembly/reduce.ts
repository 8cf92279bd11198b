/**
 * The per-step vector work of the parallel runtime besides forward/backward, built as one
 * module (dist/wasm/reduce.wasm, entry point this file): the ordered slot reduction and scaling
 * here (src/parallel/reduce.ts `reduceChunk`, clip.ts `scaleRange`), the Adam/AdamW and SGD
 * updates in update.ts (src/optim/adam.ts `adamRange`, adamw.ts, sgd.ts), re-exported below,
 * and the lane helpers in lanes.ts; on arrays in the shared arena.
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
 * Like gemm.ts, these files must have no static data (the memory is imported and shared).
 * Pointers are byte offsets into the arena.
 */

import { ld, load2, store2 } from './lanes';

export { adamF32, adamF64, sgdF32, sgdF64 } from './update';

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

