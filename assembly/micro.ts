/**
 * The 4 × NR register-blocked micro-kernel (NR = two vectors: 8 f32 or 4 f64 columns), written
 * once for both dtypes with v128 generics. Both operands are packed (pack.ts): A as kc steps of
 * 4 row values, B as kc steps of NR column values, so the loop carries two pointers and every load
 * has an immediate offset. Eight accumulators, two B vectors, one broadcast and a product
 * temporary fit in the 15 XMM registers V8 allocates on x64.
 *
 * Measured and rejected (node --print-wasm-code, Node 20): unrolling the loop 2× or 4× made
 * TurboFan hoist the loads and spill accumulators (23-27 GFLOP/s instead of 32); a 6 × 8 tile
 * spills in the mul + add build and gains nothing in the fused one.
 *
 * `madd` is mul + add (two roundings) in the baseline build, and relaxed_madd (a fused
 * multiply-add on x64 with FMA) in the relaxed-SIMD build.
 */
// @ts-ignore: decorator
@inline
export function madd<T>(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return v128.relaxed_madd<T>(a, b, c);
  return v128.add<T>(c, v128.mul<T>(a, b));
}

/**
 * C[4×NR] = init + Apacked[4×kc]·Bpacked[kc×NR]. The accumulators start from `init` (row r at
 * init + r·initRs: initRs = 0 broadcasts a bias row, init = C accumulates onto C, init = 0 is zero)
 * and the result is stored at c (row r at c + r·ldc).
 */
// @ts-ignore: decorator
@inline
function micro<T>(ap: usize, bp: usize, kc: i32, init: usize, initRs: usize, c: usize, ldc: usize): void {
  const S = sizeof<T>();
  let c00 = v128.splat<T>(0), c01 = c00, c10 = c00, c11 = c00;
  let c20 = c00, c21 = c00, c30 = c00, c31 = c00;
  if (init != 0) {
    c00 = v128.load(init); c01 = v128.load(init, 16); init += initRs;
    c10 = v128.load(init); c11 = v128.load(init, 16); init += initRs;
    c20 = v128.load(init); c21 = v128.load(init, 16); init += initRs;
    c30 = v128.load(init); c31 = v128.load(init, 16);
  }
  let b0: v128, b1: v128, s: v128;
  for (let q = 0; q < kc; q++) {
    b0 = v128.load(bp, 0); b1 = v128.load(bp, 16);
    s = v128.load_splat<T>(ap, 0 * S); c00 = madd<T>(s, b0, c00); c01 = madd<T>(s, b1, c01);
    s = v128.load_splat<T>(ap, 1 * S); c10 = madd<T>(s, b0, c10); c11 = madd<T>(s, b1, c11);
    s = v128.load_splat<T>(ap, 2 * S); c20 = madd<T>(s, b0, c20); c21 = madd<T>(s, b1, c21);
    s = v128.load_splat<T>(ap, 3 * S); c30 = madd<T>(s, b0, c30); c31 = madd<T>(s, b1, c31);
    ap += 4 * S;
    bp += 32;
  }
  v128.store(c, c00); v128.store(c, c01, 16); c += ldc;
  v128.store(c, c10); v128.store(c, c11, 16); c += ldc;
  v128.store(c, c20); v128.store(c, c21, 16); c += ldc;
  v128.store(c, c30); v128.store(c, c31, 16);
}

/** Instantiated per dtype and not inlined into the driver, to keep register pressure local. */
export function microF32(ap: usize, bp: usize, kc: i32, init: usize, initRs: usize, c: usize, ldc: usize): void {
  micro<f32>(ap, bp, kc, init, initRs, c, ldc);
}
export function microF64(ap: usize, bp: usize, kc: i32, init: usize, initRs: usize, c: usize, ldc: usize): void {
  micro<f64>(ap, bp, kc, init, initRs, c, ldc);
}
