/**
 * One blocked matrix product, C(i,j) = init(i,j) + Σ_q A(i,q)·B(q,j), written once for f32 and
 * f64 (v128 generics: f32x4 or f64x2). The three dense-layer products are this one product with
 * different strides, so no transpose is ever materialized: forward is X·W, dW is Xᵀ·dY read
 * through X's strides, dX is dY·Wᵀ read through W's strides.
 *
 * Structure (GotoBLAS/BLIS, reduced): the reduction is cut into blocks of KC; the rows of A into
 * blocks of MC, packed once per block into 4-row strips (pack.ts); then for each panel of NR
 * columns of B, packed into L1, every strip runs the 4 × NR micro-kernel (micro.ts). Edge tiles
 * (rows m % 4, columns n % NR, 1 × 1, primes) run the same micro-kernel on zero-padded strips into
 * a tile in scratch and copy out the valid part, so there is one inner loop to get right and fast.
 *
 * Nothing is allocated: the arrays are the caller's (in the shared arena) and the packing space is
 * the calling thread's scratch region, SCRATCH_BYTES long, whose offset the caller passes in.
 */
import { microF32, microF64 } from './micro';
import { packStrip } from './pack';
import { activateTile } from './activation';

/** Reduction block: a packed B panel (KC × 32 bytes = 8 KiB) stays in L1. */
export const KC: i32 = 256;
/** Rows per micro-kernel call. */
const MR: i32 = 4;
/** Bytes for the packed block of A (MC × KC elements: MC = 128 f32 or 64 f64 rows); it lives in L2. */
const A_BYTES: i32 = 131072;

/** Bytes of per-thread scratch: packed A block, packed B panel, edge tile. */
export const SCRATCH_BYTES: i32 = A_BYTES + KC * 32 + MR * 32;

/**
 * C[m×n] = init + A[m×k]·B[k×n], with A(i,q) at a + i·ars + q·acs, B(q,j) at b + q·brs + j·bcs,
 * C(i,j) at c + i·ldc + j·sizeof<T>. The first reduction block starts from init (row i at
 * init + i·initRs; 0 = zeros); later blocks accumulate onto C. After the last block, each tile
 * gets the activation `act` (activation.ts; 0 = none) while it is still in L1.
 */
// @ts-ignore: decorator
@inline
function gemm<T>(
  a: usize, ars: usize, acs: usize, b: usize, brs: usize, bcs: usize, c: usize, ldc: usize,
  m: i32, k: i32, n: i32, init: usize, initRs: usize, scratch: usize, act: i32,
): void {
  const S = sizeof<T>();
  const NR = 32 / <i32>S;
  const MC = A_BYTES / (KC * <i32>S);
  const ablock = scratch;
  const panel = scratch + <usize>A_BYTES;
  const tile = panel + <usize>KC * 32;
  if (k == 0) {
    // An empty reduction still defines C: it is the init (bias, C itself, or zero).
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
      const v: T = init != 0 ? load<T>(init + <usize>i * initRs + <usize>j * S) : <T>0;
      store<T>(c + <usize>i * ldc + <usize>j * S, v);
    }
    if (act != 0) activateTile<T>(c, ldc, m, n, act);
    return;
  }
  for (let p0 = 0; p0 < k; p0 += KC) {
    const kc = min(KC, k - p0);
    const stripBytes = <usize>kc * MR * S;
    const last = p0 + kc >= k;
    for (let i0 = 0; i0 < m; i0 += MC) {
      const mc = min(MC, m - i0);
      const full = mc - mc % MR;
      const ai = a + <usize>i0 * ars + <usize>p0 * acs;
      if (ars == S) {
        // A's rows are adjacent (dW: A = Xᵀ, one row of X is a run of A's rows). Walk X row by
        // row: reading strip by strip would stride by k·S and, for k = 512, hit two L1 sets.
        for (let q = 0; q < kc; q++) {
          const src = ai + <usize>q * acs;
          const dst = ablock + <usize>q * MR * S;
          for (let r = 0; r < full; r += MR) {
            const d = dst + <usize>(r / MR) * stripBytes;
            v128.store(d, v128.load(src + <usize>r * S));
            if (S == 8) v128.store(d, v128.load(src + <usize>r * S, 16), 16);
          }
        }
      } else {
        for (let r = 0; r < full; r += MR) {
          packStrip<T>(ai + <usize>r * ars, acs, ars, kc, MR, MR, ablock + <usize>(r / MR) * stripBytes);
        }
      }
      if (full < mc) {
        packStrip<T>(ai + <usize>full * ars, acs, ars, kc, mc - full, MR, ablock + <usize>(full / MR) * stripBytes);
      }
      for (let j0 = 0; j0 < n; j0 += NR) {
        const nr = min(NR, n - j0);
        packStrip<T>(b + <usize>p0 * brs + <usize>j0 * bcs, brs, bcs, kc, nr, NR, panel);
        const cj = c + <usize>i0 * ldc + <usize>j0 * S;
        // The first reduction block starts from init; later ones from C.
        const irs = p0 == 0 ? initRs : ldc;
        const ij = p0 == 0 ? (init != 0 ? init + <usize>i0 * initRs + <usize>j0 * S : 0) : cj;
        for (let r = 0; r < mc; r += MR) {
          const mr = min(MR, mc - r);
          const ap = ablock + <usize>(r / MR) * stripBytes;
          const ci = cj + <usize>r * ldc;
          const ii = ij != 0 ? ij + <usize>r * irs : 0;
          if (mr == MR && nr == NR) {
            if (S == 4) microF32(ap, panel, kc, ii, irs, ci, ldc);
            else microF64(ap, panel, kc, ii, irs, ci, ldc);
            if (last && act != 0) activateTile<T>(ci, ldc, MR, NR, act);
            continue;
          }
          // Edge tile: stage init in the tile, run the full kernel there, copy the valid part out.
          for (let t = 0; t < MR; t++) for (let j = 0; j < NR; j++) {
            const v: T = ii != 0 && t < mr && j < nr ? load<T>(ii + <usize>t * irs + <usize>j * S) : <T>0;
            store<T>(tile + <usize>(t * NR + j) * S, v);
          }
          if (S == 4) microF32(ap, panel, kc, tile, 32, tile, 32);
          else microF64(ap, panel, kc, tile, 32, tile, 32);
          for (let t = 0; t < mr; t++) for (let j = 0; j < nr; j++) {
            store<T>(ci + <usize>t * ldc + <usize>j * S, load<T>(tile + <usize>(t * NR + j) * S));
          }
          if (last && act != 0) activateTile<T>(ci, ldc, mr, nr, act);
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

/** Y[m×n] = act(X[m×k]·W[k×n] + b) (b = 0: no bias; act: activation.ts, 0 = none). */
// @ts-ignore: decorator
@inline
function forward<T>(x: usize, w: usize, b: usize, y: usize, m: i32, k: i32, n: i32, scratch: usize, act: i32): void {
  const S = sizeof<T>();
  gemm<T>(x, <usize>k * S, S, w, <usize>n * S, S, y, <usize>n * S, m, k, n, b, 0, scratch, act);
}

/** dW[k×n] += Xᵀ·dY, db[n] += column sums of dY (db = 0: none). */
// @ts-ignore: decorator
@inline
function backwardWeights<T>(x: usize, dy: usize, dw: usize, db: usize, m: i32, k: i32, n: i32, scratch: usize): void {
  const S = sizeof<T>();
  const ldw = <usize>n * S;
  gemm<T>(x, S, <usize>k * S, dy, ldw, S, dw, ldw, k, m, n, dw, ldw, scratch, 0);
  if (db != 0) colsum<T>(dy, db, m, n);
}

/**
 * dW rows k0..k1 = X[:, k0..k1)ᵀ·dY over all m rows, overwritten (not added to): the weight
 * gradient of a whole batch for one range of input features. The sum over rows runs in row
 * order for every element, whatever the range, so ranges computed on different threads agree
 * with one product over all of dW.
 */
// @ts-ignore: decorator
@inline
function weightRows<T>(x: usize, dy: usize, dw: usize, m: i32, k: i32, n: i32, k0: i32, k1: i32, scratch: usize): void {
  const S = sizeof<T>();
  const ldw = <usize>n * S;
  gemm<T>(x + <usize>k0 * S, S, <usize>k * S, dy, ldw, S, dw + <usize>k0 * ldw, ldw, k1 - k0, m, n, 0, 0, scratch, 0);
}

/** db[j] = Σ_i dY(i, j) for columns j in [c0, c1), rows in order, overwritten. */
// @ts-ignore: decorator
@inline
function columnSums<T>(dy: usize, db: usize, m: i32, n: i32, c0: i32, c1: i32): void {
  const S = sizeof<T>();
  const L = 16 / <i32>S;
  const ld = <usize>n * S;
  let j = c0;
  for (; j + L <= c1; j += L) {
    let p = dy + <usize>j * S;
    let acc = v128.splat<T>(0);
    for (let i = 0; i < m; i++) { acc = v128.add<T>(acc, v128.load(p)); p += ld; }
    v128.store(db + <usize>j * S, acc);
  }
  for (; j < c1; j++) {
    let p = dy + <usize>j * S;
    let acc: T = <T>0;
    for (let i = 0; i < m; i++) { acc += load<T>(p); p += ld; }
    store<T>(db + <usize>j * S, acc);
  }
}

/** dX[m×k] = dY[m×n]·Wᵀ. */
// @ts-ignore: decorator
@inline
function backwardInput<T>(dy: usize, w: usize, dx: usize, m: i32, k: i32, n: i32, scratch: usize): void {
  const S = sizeof<T>();
  gemm<T>(dy, <usize>n * S, S, w, S, <usize>n * S, dx, <usize>k * S, m, n, k, 0, 0, scratch, 0);
}

export function forwardF32(x: usize, w: usize, b: usize, y: usize, m: i32, k: i32, n: i32, scratch: usize, act: i32): void {
  forward<f32>(x, w, b, y, m, k, n, scratch, act);
}
export function forwardF64(x: usize, w: usize, b: usize, y: usize, m: i32, k: i32, n: i32, scratch: usize, act: i32): void {
  forward<f64>(x, w, b, y, m, k, n, scratch, act);
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
export function weightRowsF32(x: usize, dy: usize, dw: usize, m: i32, k: i32, n: i32, k0: i32, k1: i32, scratch: usize): void {
  weightRows<f32>(x, dy, dw, m, k, n, k0, k1, scratch);
}
export function weightRowsF64(x: usize, dy: usize, dw: usize, m: i32, k: i32, n: i32, k0: i32, k1: i32, scratch: usize): void {
  weightRows<f64>(x, dy, dw, m, k, n, k0, k1, scratch);
}
export function columnSumsF32(dy: usize, db: usize, m: i32, n: i32, c0: i32, c1: i32): void {
  columnSums<f32>(dy, db, m, n, c0, c1);
}
export function columnSumsF64(dy: usize, db: usize, m: i32, n: i32, c0: i32, c1: i32): void {
  columnSums<f64>(dy, db, m, n, c0, c1);
}
