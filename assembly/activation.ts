/**
 * Activations applied to a freshly stored output tile while it is still in L1, so the forward
 * pass fuses Y = f(X·W + b) instead of making a second pass over Y. The formulas are those of
 * src/nn/activation.ts and src/kernels/reference.ts, evaluated in f64 (as JS does) and rounded to
 * the array's type: relu is x > 0 ? x : 0 (so NaN and -0 become 0), tanh is Math.tanh, sigmoid is
 * 1 / (1 + exp(-x)). AssemblyScript's Math is a port of musl, V8's of fdlibm: both are within an
 * ulp, not always the same ulp, so tanh and sigmoid agree with the reference to a few ulps.
 *
 * The module must have no static data: the memory is imported and shared, so a data segment would
 * be copied over the arena (at offset 1024, over the user's arrays) whenever a thread instantiates
 * it. test/kernels/arena.test.ts checks that instantiation leaves the memory untouched.
 */

export const ACT_NONE: i32 = 0;
export const ACT_RELU: i32 = 1;
export const ACT_TANH: i32 = 2;
export const ACT_SIGMOID: i32 = 3;

// @ts-ignore: decorator
@inline
function scalar<T>(v: T, act: i32): T {
  const x = <f64>v;
  if (act == ACT_RELU) return x > 0 || x != x ? v : <T>0;
  if (act == ACT_TANH) return <T>Math.tanh(x);
  // 1 + e^-x written as 2 + expm1(-x): AssemblyScript's Math.exp reads a lookup table that would be
  // a data segment, written into the shared arena at every instantiation; expm1 has no table.
  return <T>(1.0 / (2.0 + Math.expm1(-x)));
}

/** Apply `act` to the rows × cols tile at c (row stride ldc bytes). */
// @ts-ignore: decorator
@inline
export function activateTile<T>(c: usize, ldc: usize, rows: i32, cols: i32, act: i32): void {
  const S = sizeof<T>();
  const L = 16 / <i32>S;
  const zero = v128.splat<T>(0);
  for (let r = 0; r < rows; r++) {
    const row = c + <usize>r * ldc;
    let j = 0;
    // max(0, x): x above 0, NaN kept (WebAssembly's max propagates it), +0 for 0 and -0: the
    // scalar relu above.
    if (act == ACT_RELU) for (; j + L <= cols; j += L) v128.store(row + <usize>j * S, v128.max<T>(zero, v128.load(row + <usize>j * S)));
    for (; j < cols; j++) store<T>(row + <usize>j * S, scalar<T>(load<T>(row + <usize>j * S), act));
  }
}
