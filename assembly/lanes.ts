/**
 * Elements as f64 lanes, for the step kernels (reduce.ts, update.ts): float32 arrays are widened
 * on load and rounded on store exactly as a Float32Array store rounds, so code written once in
 * f64 reproduces the JS rules bit for bit; and the float32 subnormal flush of the updates.
 * Everything here is inlined: no static data (the memory is imported and shared).
 */

/** Two elements at ptr, as f64x2 (f32 widened). */
// @ts-ignore: decorator
@inline
export function load2<T>(ptr: usize): v128 {
  if (sizeof<T>() == 4) return f64x2.promote_low_f32x4(v128.load64_zero(ptr));
  return v128.load(ptr);
}

/** Store an f64x2 as two elements at ptr (f32 rounded to nearest even). */
// @ts-ignore: decorator
@inline
export function store2<T>(ptr: usize, v: v128): void {
  if (sizeof<T>() == 4) v128.store64_lane(ptr, f32x4.demote_f64x2_zero(v), 0);
  else v128.store(ptr, v);
}

/** What a load after store2 would read: v rounded to T and widened back (identity for f64). */
// @ts-ignore: decorator
@inline
export function round2<T>(v: v128): v128 {
  if (sizeof<T>() == 4) return f64x2.promote_low_f32x4(f32x4.demote_f64x2_zero(v));
  return v;
}

// @ts-ignore: decorator
@inline
export function ld<T>(ptr: usize): f64 {
  return <f64>load<T>(ptr);
}

// @ts-ignore: decorator
@inline
export function st<T>(ptr: usize, v: f64): f64 {
  store<T>(ptr, <T>v);
  return <f64>load<T>(ptr);
}

/** The smallest normal f32, 2⁻¹²⁶ (about 1.2e-38). */
export const MIN_NORMAL_F32: f32 = 1.1754943508222875e-38;

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
export function flushSubnormal(x: v128, tiny: v128): v128 {
  return v128.andnot(x, f32x4.lt(f32x4.abs(x), tiny));
}

/** flushSubnormal for the f64x2 loop: for f32, x rounded to f32, 0 where that is subnormal; f64: x. */
// @ts-ignore: decorator
@inline
export function flushed2<T>(x: v128): v128 {
  if (sizeof<T>() != 4) return x;
  const r = round2<T>(x);
  return v128.andnot(r, f64x2.lt(f64x2.abs(r), f64x2.splat(<f64>MIN_NORMAL_F32)));
}

/** flushSubnormal for one element: for f32, x rounded to f32, 0 where that is subnormal; f64: x. */
// @ts-ignore: decorator
@inline
export function flushed<T>(x: f64): f64 {
  if (sizeof<T>() != 4) return x;
  const r = <f64><f32>x;
  return abs(r) < <f64>MIN_NORMAL_F32 ? 0 : r;
}

