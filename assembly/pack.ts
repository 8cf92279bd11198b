/**
 * Packing operands into the calling thread's scratch, in the order the micro-kernel reads them
 * (micro.ts). Packing turns every layout the three products need (row-major X, Xᵀ for dW,
 * Wᵀ for dX) into two contiguous streams, so one micro-kernel serves all of them; it also keeps
 * power-of-two strides (k = 512) from thrashing a few L1 sets. Short strips and panels are
 * zero-padded, so edge tiles compute zeros rather than reading past the operands.
 */

/** f32: four rows p0..p3 of 4 contiguous values → 4 vectors of one value per row, `stride` apart. */
// @ts-ignore: decorator
@inline
function transpose4(p0: usize, p1: usize, p2: usize, p3: usize, dst: usize, stride: usize): void {
  const r0 = v128.load(p0), r1 = v128.load(p1), r2 = v128.load(p2), r3 = v128.load(p3);
  const t0 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5);
  const t1 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5);
  const t2 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7);
  const t3 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
  v128.store(dst, v128.shuffle<f32>(t0, t1, 0, 1, 4, 5));
  v128.store(dst + stride, v128.shuffle<f32>(t0, t1, 2, 3, 6, 7));
  v128.store(dst + 2 * stride, v128.shuffle<f32>(t2, t3, 0, 1, 4, 5));
  v128.store(dst + 3 * stride, v128.shuffle<f32>(t2, t3, 2, 3, 6, 7));
}

/** f64: two rows of 2 contiguous values → 2 vectors of one value per row, `stride` apart. */
// @ts-ignore: decorator
@inline
function transpose2(p0: usize, p1: usize, dst: usize, stride: usize): void {
  const r0 = v128.load(p0), r1 = v128.load(p1);
  v128.store(dst, v128.shuffle<f64>(r0, r1, 0, 2));
  v128.store(dst + stride, v128.shuffle<f64>(r0, r1, 1, 3));
}

/**
 * Pack a strip of `w` ≤ W columns over kc steps: element (q, j) is at src + q·qs + j·js and goes
 * to dst + (q·W + j)·S; columns w..W are zero. A strips are W = 4 wide (the micro-kernel's rows,
 * j = row), B panels W = 32 / S (two vectors). W is a constant at every call site.
 */
// @ts-ignore: decorator
@inline
export function packStrip<T>(src: usize, qs: usize, js: usize, kc: i32, w: i32, W: i32, dst: usize): void {
  const S = sizeof<T>();
  const step = <usize>W * S;
  let q = 0;
  if (w == W && js == S) {
    // Each step's W values are contiguous (B of forward and dW; A of dW): vector copies.
    for (; q < kc; q++) {
      v128.store(dst, v128.load(src));
      if (step == 32) v128.store(dst, v128.load(src, 16), 16);
      src += qs; dst += step;
    }
    return;
  }
  if (w == W && qs == S) {
    // Each column is contiguous (A of forward and dX; B of dX, which is Wᵀ): transpose in blocks.
    if (S == 4) {
      for (; q + 4 <= kc; q += 4) {
        const s = src + <usize>q * S, d = dst + <usize>q * step;
        transpose4(s, s + js, s + 2 * js, s + 3 * js, d, step);
        if (W == 8) transpose4(s + 4 * js, s + 5 * js, s + 6 * js, s + 7 * js, d + 16, step);
      }
    } else {
      for (; q + 2 <= kc; q += 2) {
        const s = src + <usize>q * S, d = dst + <usize>q * step;
        transpose2(s, s + js, d, step);
        transpose2(s + 2 * js, s + 3 * js, d + 16, step);
      }
    }
  }
  // Remaining steps, and short or strided strips, one element at a time.
  for (; q < kc; q++) {
    const s = src + <usize>q * qs, d = dst + <usize>q * step;
    let j = 0;
    for (; j < w; j++) store<T>(d + <usize>j * S, load<T>(s + <usize>j * js));
    for (; j < W; j++) store<T>(d + <usize>j * S, <T>0);
  }
}
