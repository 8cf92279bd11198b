/**
 * One blocked matrix product, C(i,j) = init(i,j) + Σ_q A(i,q)·B(q,j), written once for f32 and
 * f64 (v128 generics: f32x4 or f64x2). The three dense-layer products are this one product with
 * different strides, so no transpose is ever materialized (see kernels.ts in this folder).
 *
 * Structure (BLIS/GotoBLAS, much reduced): the reduction is cut into blocks of KC; for each block,
 * one panel of B (KC × NR, NR = two vectors) is packed contiguously and zero-padded into the
 * calling thread's scratch, then every 4-row strip of A runs the 4 × NR register-blocked
 * micro-kernel against it. Eight accumulators cover the add latency (4 cycles, 2 ports) and
 * leave registers for the two B vectors and the broadcast A value within x64's sixteen XMMs.
 * Packing pays most for dX, whose B (Wᵀ) is column-major; it also keeps the panel in L1.
 *
 * Edges (rows m % 4, columns n % NR, 1 × 1, primes) run the same micro-kernel on a small tile in
 * scratch and copy out the valid part, so there is one inner loop to get right and to make fast.
 * Nothing is allocated: all memory is the caller's (arrays in the shared arena, scratch per thread).
 */

/** Reduction block: KC·NR elements of packed B (8 KiB for both dtypes) stay in L1. */
export const KC: i32 = 256;
/** Rows per micro-kernel call. */
const MR: i32 = 4;

/** Bytes of per-thread scratch the kernels need: one packed panel plus one edge tile. */
export const SCRATCH_BYTES: i32 = KC * 32 + MR * 32;

/**
 * The 4 × NR micro-kernel. Rows of A start at a0..a3 and advance by `cs` bytes per reduction step;
 * B is a packed panel of kc rows of NR elements (32 bytes). The accumulators start from `init`
 * (row r at init + r·initRs; initRs = 0 broadcasts a bias row; init = 0 means zero) and the
 * result is stored to C (row r at c + r·ldc). init may equal c, which accumulates into C.
 */
// @ts-ignore: decorator
@inline
function micro<T>(
  a0: usize, a1: usize, a2: usize, a3: usize, cs: usize, bp: usize, kc: i32,
  init: usize, initRs: usize, c: usize, ldc: usize,
): void {
  let c00 = v128.splat<T>(0), c01 = c00, c10 = c00, c11 = c00;
  let c20 = c00, c21 = c00, c30 = c00, c31 = c00;
  if (init != 0) {
    c00 = v128.load(init); c01 = v128.load(init, 16); init += initRs;
    c10 = v128.load(init); c11 = v128.load(init, 16); init += initRs;
    c20 = v128.load(init); c21 = v128.load(init, 16); init += initRs;
    c30 = v128.load(init); c31 = v128.load(init, 16);
  }
  for (let q = 0; q < kc; q++) {
    const b0 = v128.load(bp);
    const b1 = v128.load(bp, 16);
    let s = v128.load_splat<T>(a0);
    c00 = v128.add<T>(c00, v128.mul<T>(s, b0));
    c01 = v128.add<T>(c01, v128.mul<T>(s, b1));
    s = v128.load_splat<T>(a1);
    c10 = v128.add<T>(c10, v128.mul<T>(s, b0));
    c11 = v128.add<T>(c11, v128.mul<T>(s, b1));
    s = v128.load_splat<T>(a2);
    c20 = v128.add<T>(c20, v128.mul<T>(s, b0));
    c21 = v128.add<T>(c21, v128.mul<T>(s, b1));
    s = v128.load_splat<T>(a3);
    c30 = v128.add<T>(c30, v128.mul<T>(s, b0));
    c31 = v128.add<T>(c31, v128.mul<T>(s, b1));
    a0 += cs; a1 += cs; a2 += cs; a3 += cs;
    bp += 32;
  }
  v128.store(c, c00); v128.store(c, c01, 16); c += ldc;
  v128.store(c, c10); v128.store(c, c11, 16); c += ldc;
  v128.store(c, c20); v128.store(c, c21, 16); c += ldc;
  v128.store(c, c30); v128.store(c, c31, 16);
}

/** The micro-kernel instantiated per dtype (not inlined into the driver, to keep register pressure local). */
function microF32(a0: usize, a1: usize, a2: usize, a3: usize, cs: usize, bp: usize, kc: i32,
  init: usize, initRs: usize, c: usize, ldc: usize): void {
  micro<f32>(a0, a1, a2, a3, cs, bp, kc, init, initRs, c, ldc);
}
function microF64(a0: usize, a1: usize, a2: usize, a3: usize, cs: usize, bp: usize, kc: i32,
  init: usize, initRs: usize, c: usize, ldc: usize): void {
  micro<f64>(a0, a1, a2, a3, cs, bp, kc, init, initRs, c, ldc);
}

/**
 * Pack B(q0 .. q0+kc, j0 .. j0+nr) into `dst` as kc rows of NR elements, zero-padding columns
 * nr .. NR. B(q,j) is at b + q·brs + j·bcs. Row-contiguous full panels (forward, dW) copy two
 * vectors per row; the transposed case (dX) gathers.
 */
// @ts-ignore: decorator
@inline
function pack<T>(b: usize, brs: usize, bcs: usize, kc: i32, nr: i32, dst: usize): void {
  const S = sizeof<T>();
  const NR = 32 / <i32>S;
  if (bcs == S && nr == NR) {
    for (let q = 0; q < kc; q++) {
      v128.store(dst, v128.load(b));
      v128.store(dst, v128.load(b, 16), 16);
      b += brs; dst += 32;
    }
    return;
  }
  if (nr < NR) memory.fill(dst, 0, <usize>kc * 32);
  if (brs == S) {
    // Column j of the panel is contiguous in q: walk it that way (dX's Wᵀ: rows of W).
    for (let j = 0; j < nr; j++) {
      let src = b + <usize>j * bcs;
      let out = dst + <usize>j * S;
      for (let q = 0; q < kc; q++) {
        store<T>(out, load<T>(src));
        src += S; out += 32;
      }
    }
    return;
  }
  for (let q = 0; q < kc; q++) {
    const row = b + <usize>q * brs;
    const out = dst + <usize>q * 32;
    for (let j = 0; j < nr; j++) store<T>(out + <usize>j * S, load<T>(row + <usize>j * bcs));
  }
}

/**
 * C[m×n] = init + A[m×k]·B[k×n], with A(i,q) at a + i·ars + q·acs, B(q,j) at b + q·brs + j·bcs,
 * C(i,j) at c + i·ldc + j·sizeof<T>. The first reduction block starts from init (row i at
 * init + i·initRs, 0 = zeros); later blocks accumulate onto C.
 */
// @ts-ignore: decorator
@inline
function gemm<T>(
  a: usize, ars: usize, acs: usize, b: usize, brs: usize, bcs: usize, c: usize, ldc: usize,
  m: i32, k: i32, n: i32, init: usize, initRs: usize, scratch: usize,
): void {
  const S = sizeof<T>();
  const NR = 32 / <i32>S;
  const panel = scratch;
  const tile = scratch + <usize>KC * 32;
  if (k == 0) {
    // An empty reduction still defines C: it is the init (bias, C itself, or zero).
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
      const v: T = init != 0 ? load<T>(init + <usize>i * initRs + <usize>j * S) : <T>0;
      store<T>(c + <usize>i * ldc + <usize>j * S, v);
    }
    return;
  }
  for (let p0 = 0; p0 < k; p0 += KC) {
    const kc = min(KC, k - p0);
    const ap = a + <usize>p0 * acs;
    for (let j0 = 0; j0 < n; j0 += NR) {
      const nr = min(NR, n - j0);
      pack<T>(b + <usize>p0 * brs + <usize>j0 * bcs, brs, bcs, kc, nr, panel);
      const cj = c + <usize>j0 * S;
      const ij = p0 == 0 ? (init != 0 ? init + <usize>j0 * S : 0) : cj;
      const irs = p0 == 0 ? initRs : ldc;
      for (let i0 = 0; i0 < m; i0 += MR) {
        const mr = min(MR, m - i0);
        const a0 = ap + <usize>i0 * ars;
        // Missing rows read row mr-1 again; their results are discarded.
        const a1 = mr > 1 ? a0 + ars : a0;
        const a2 = mr > 2 ? a0 + 2 * ars : a1;
        const a3 = mr > 3 ? a0 + 3 * ars : a2;
        const ci = cj + <usize>i0 * ldc;
        const ii = ij != 0 ? ij + <usize>i0 * irs : 0;
        if (mr == MR && nr == NR) {
          if (S == 4) microF32(a0, a1, a2, a3, acs, panel, kc, ii, irs, ci, ldc);
          else microF64(a0, a1, a2, a3, acs, panel, kc, ii, irs, ci, ldc);
          continue;
        }
        // Edge tile: stage init in the tile, run the full kernel there, copy the valid part out.
        for (let r = 0; r < MR; r++) for (let j = 0; j < NR; j++) {
          const v: T = ii != 0 && r < mr && j < nr ? load<T>(ii + <usize>r * irs + <usize>j * S) : <T>0;
          store<T>(tile + <usize>(r * NR + j) * S, v);
        }
        if (S == 4) microF32(a0, a1, a2, a3, acs, panel, kc, tile, 32, tile, 32);
        else microF64(a0, a1, a2, a3, acs, panel, kc, tile, 32, tile, 32);
        for (let r = 0; r < mr; r++) for (let j = 0; j < nr; j++) {
          store<T>(ci + <usize>r * ldc + <usize>j * S, load<T>(tile + <usize>(r * NR + j) * S));
        }
      }
    }
  }
}

/** db[j] += Σ_i dY(i,j), vectorized across columns. */
// @ts-ignore: decorator
@inline
function colsum<T>(dy: usize, db: usize, m: i32, n: i32): void {
  const S = sizeof<T>();
  const L = 16 / <i32>S;
  const ld = <usize>n * S;
  let j = 0;
  for (; j + L <= n; j += L) {
    let acc = v128.load(db + <usize>j * S);
    let p = dy + <usize>j * S;
    for (let i = 0; i < m; i++) { acc = v128.add<T>(acc, v128.load(p)); p += ld; }
    v128.store(db + <usize>j * S, acc);
  }
  for (; j < n; j++) {
    let acc = load<T>(db + <usize>j * S);
    let p = dy + <usize>j * S;
    for (let i = 0; i < m; i++) { acc += load<T>(p); p += ld; }
    store<T>(db + <usize>j * S, acc);
  }
}

// The three dense-layer products. Pointers are byte offsets into the shared memory.

/** Y[m×n] = X[m×k]·W[k×n] + b (b = 0: no bias). */
// @ts-ignore: decorator
@inline
function forward<T>(x: usize, w: usize, b: usize, y: usize, m: i32, k: i32, n: i32, scratch: usize): void {
  const S = sizeof<T>();
  gemm<T>(x, <usize>k * S, S, w, <usize>n * S, S, y, <usize>n * S, m, k, n, b, 0, scratch);
}

/** dW[k×n] += Xᵀ·dY, db[n] += column sums of dY (db = 0: none). */
// @ts-ignore: decorator
@inline
function backwardWeights<T>(x: usize, dy: usize, dw: usize, db: usize, m: i32, k: i32, n: i32, scratch: usize): void {
  const S = sizeof<T>();
  const ldw = <usize>n * S;
  gemm<T>(x, S, <usize>k * S, dy, ldw, S, dw, ldw, k, m, n, dw, ldw, scratch);
  if (db != 0) colsum<T>(dy, db, m, n);
}

/** dX[m×k] = dY[m×n]·Wᵀ. */
// @ts-ignore: decorator
@inline
function backwardInput<T>(dy: usize, w: usize, dx: usize, m: i32, k: i32, n: i32, scratch: usize): void {
  const S = sizeof<T>();
  gemm<T>(dy, <usize>n * S, S, w, S, <usize>n * S, dx, <usize>k * S, m, n, k, 0, 0, scratch);
}

export function forwardF32(x: usize, w: usize, b: usize, y: usize, m: i32, k: i32, n: i32, scratch: usize): void {
  forward<f32>(x, w, b, y, m, k, n, scratch);
}
export function forwardF64(x: usize, w: usize, b: usize, y: usize, m: i32, k: i32, n: i32, scratch: usize): void {
  forward<f64>(x, w, b, y, m, k, n, scratch);
}
export function backwardWeightsF32(x: usize, dy: usize, dw: usize, db: usize, m: i32, k: i32, n: i32, scratch: usize): void {
  backwardWeights<f32>(x, dy, dw, db, m, k, n, scratch);
}
export function backwardWeightsF64(x: usize, dy: usize, dw: usize, db: usize, m: i32, k: i32, n: i32, scratch: usize): void {
  backwardWeights<f64>(x, dy, dw, db, m, k, n, scratch);
}
export function backwardInputF32(dy: usize, w: usize, dx: usize, m: i32, k: i32, n: i32, scratch: usize): void {
  backwardInput<f32>(dy, w, dx, m, k, n, scratch);
}
export function backwardInputF64(dy: usize, w: usize, dx: usize, m: i32, k: i32, n: i32, scratch: usize): void {
  backwardInput<f64>(dy, w, dx, m, k, n, scratch);
}
