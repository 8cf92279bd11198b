/**
 * The kernel suite: forward, dW and dX at the MLP's layer shapes and at 512×512×512, timed for
 * ml-matrix `mmul` (the baseline; with `.transpose()` where the op needs one), the plain reference,
 * and the WASM kernels in float64 and float32. As llm.c's dev/cpu benchmarks do, every
 * implementation is first checked against the reference on the same inputs; one that disagrees
 * is reported as such and never timed.
 */
import { Matrix } from 'ml-matrix';
import * as reference from '../src/kernels/reference.js';
import { WasmArena } from '../src/kernels/arena.js';
import { WasmKernels } from '../src/kernels/wasm-kernels.js';
import { bestGemmVariant } from '../src/kernels/wasm-module.js';
import type { DType, FloatArray } from '../src/tensor/dtype.js';
import { registerSuite, type BenchOptions, type BenchResults, type Impl, type Op } from './registry.js';
import { time } from './timing.js';
import { mlpArenaSize } from './mlp-arena.js';
import { formatTable } from './table.js';

/** A dense layer's products at batch `m`: X[m×k]·W[k×n]. */
interface Shape { m: number; k: number; n: number }
export const KERNEL_SHAPES: readonly Shape[] = [
  { m: 128, k: 784, n: 128 }, { m: 128, k: 128, n: 64 }, { m: 128, k: 64, n: 10 }, { m: 512, k: 512, n: 512 },
];
const OPS: readonly Op[] = ['forward', 'dW', 'dX'];
const COLUMNS: ReadonlyArray<{ impl: Impl; dtype: DType; title: string }> = [
  { impl: 'ml-matrix', dtype: 'float64', title: 'ml-matrix' },
  { impl: 'reference', dtype: 'float64', title: 'reference f64' },
  { impl: 'wasm', dtype: 'float64', title: 'WASM f64' },
  { impl: 'wasm', dtype: 'float32', title: 'WASM f32' },
];
const EPS: Record<DType, number> = { float32: 2 ** -24, float64: 2 ** -53 };

/** One implementation of one op on one shape: `run` is what is timed, `output` what is checked. */
interface Candidate { run: () => void; output: () => ArrayLike<number>; reset: () => void }

function random(length: number, seed: number): Float64Array {
  let s = seed >>> 0;
  const a = new Float64Array(length);
  for (let i = 0; i < length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = s / 2 ** 31 - 1;
  }
  return a;
}

const toMatrix = (a: Float64Array, rows: number, cols: number) =>
  new Matrix(Array.from({ length: rows }, (_, i) => Array.from(a.subarray(i * cols, (i + 1) * cols))));
const absOf = (a: Float64Array) => a.map(Math.abs);

/** The product's dimensions (m×k times k×n) for the JSON, and its reduction length. */
function product(op: Op, s: Shape): { m: number; k: number; n: number } {
  if (op === 'forward') return s;
  if (op === 'dW') return { m: s.k, k: s.m, n: s.n };
  return { m: s.m, k: s.n, n: s.k };
}

function candidates(op: Op, s: Shape, arena: WasmArena, kernels: WasmKernels): { expected: Float64Array; mag: Float64Array; by: Map<string, Candidate> } {
  const { m, k, n } = s;
  const x = random(m * k, 1), w = random(k * n, 2), b = random(n, 3), dy = random(m * n, 4);
  const outLength = op === 'forward' ? m * n : op === 'dW' ? k * n : m * k;
  const refOp = (xs: FloatArray, ws: FloatArray, bs: FloatArray, dys: FloatArray, out: FloatArray, db: FloatArray) => {
    if (op === 'forward') reference.denseForward(xs, ws, bs, out, m, k, n);
    else if (op === 'dW') reference.denseBackwardWeights(xs, dys, out, db, m, k, n);
    else reference.denseBackwardInput(dys, ws, out, m, k, n);
  };
  const expected = new Float64Array(outLength), mag = new Float64Array(outLength);
  refOp(x, w, b, dy, expected, new Float64Array(n));
  refOp(absOf(x), absOf(w), absOf(b), absOf(dy), mag, new Float64Array(n));

  const by = new Map<string, Candidate>();
  const X = toMatrix(x, m, k), W = toMatrix(w, k, n), DY = toMatrix(dy, m, n), B = Array.from(b);
  let ml = new Matrix(1, 1);
  const mlRun = op === 'forward' ? () => { ml = X.mmul(W).addRowVector(B); }
    : op === 'dW' ? () => { ml = X.transpose().mmul(DY); DY.sum('column'); }
      : () => { ml = DY.mmul(W.transpose()); };
  by.set('ml-matrix float64', { run: mlRun, output: () => ml.to1DArray(), reset: () => {} });

  const refOut = new Float64Array(outLength), refDb = new Float64Array(n);
  by.set('reference float64', {
    run: () => refOp(x, w, b, dy, refOut, refDb), output: () => refOut, reset: () => { refOut.fill(0); refDb.fill(0); },
  });

  for (const dtype of ['float64', 'float32'] as const) {
    const put = (a: Float64Array) => { const v = arena.alloc(dtype, a.length); v.set(a); return v; };
    const xa = put(x), wa = put(w), ba = put(b), dya = put(dy);
    const out = arena.alloc(dtype, outLength), db = arena.alloc(dtype, n);
    const run = op === 'forward' ? () => kernels.denseForward(xa, wa, ba, out, m, k, n)
      : op === 'dW' ? () => kernels.denseBackwardWeights(xa, dya, out, db, m, k, n)
        : () => kernels.denseBackwardInput(dya, wa, out, m, k, n);
    by.set(`wasm ${dtype}`, { run, output: () => out, reset: () => { out.fill(0); db.fill(0); } });
  }
  return { expected, mag, by };
}

/**
 * Largest |got - expected| relative to the rounding bound 2·(terms+4)·eps·mag (Higham §3.1,
 * doubled for the two computations, with room for rounding the inputs to float32). ≤ 1 agrees.
 */
export function disagreement(got: ArrayLike<number>, expected: Float64Array, mag: Float64Array, terms: number, dtype: DType): number {
  if (got.length !== expected.length) return Infinity;
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    const err = Math.abs(got[i] - expected[i]);
    if (!(err <= Infinity)) return Infinity; // NaN
    worst = Math.max(worst, err / (2 * (terms + 4) * EPS[dtype] * mag[i] + 1e-300));
  }
  return worst;
}

async function run(options: BenchOptions, results: BenchResults): Promise<void> {
  const { log, quick } = options;
  const table: string[][] = [];
  const refused: string[] = [];
  for (const s of KERNEL_SHAPES) {
    for (const op of OPS) {
      // A fresh arena per row, holding that row's inputs and outputs in both dtypes.
      const { m, k, n } = s;
      const requests = (['float32', 'float64'] as const).flatMap((dtype) =>
        [m * k, k * n, n, m * n, Math.max(m * n, k * n, m * k), n].map((length) => ({ dtype, length })));
      const arena = WasmArena.create(WasmArena.bytesFor(requests, 1));
      const kernels = new WasmKernels(arena);
      const { expected, mag, by } = candidates(op, s, arena, kernels);
      const p = product(op, s);
      const label = `${op.padEnd(7)} ${s.m}×${s.k}→${s.n}`;
      const cells: string[] = [label];
      let baseline = NaN;
      for (const col of COLUMNS) {
        const c = by.get(`${col.impl} ${col.dtype}`)!;
        c.reset();
        c.run();
        const bad = disagreement(c.output(), expected, mag, p.k, col.dtype);
        if (!(bad <= 1)) {
          refused.push(`${label} ${col.title}: disagrees with the reference (error ${bad.toPrecision(3)}× the rounding bound); not timed`);
          cells.push('✗ wrong');
          continue;
        }
        const t = time(`${label} ${col.title}`, c.run, quick);
        const gflops = (2 * s.m * s.k * s.n) / t.seconds / 1e9;
        results.kernels.push({ op, dtype: col.dtype, impl: col.impl, ...p, gflops });
        if (col.impl === 'ml-matrix') baseline = gflops;
        const ratio = col.impl === 'ml-matrix' || !(baseline > 0) ? '' : ` ×${(gflops / baseline).toFixed(gflops / baseline < 10 ? 1 : 0)}`;
        cells.push(`${gflops.toFixed(gflops < 10 ? 2 : 1)}${ratio}`);
      }
      table.push(cells);
    }
  }
  const variant = bestGemmVariant();
  log(`GFLOP/s, one thread (×: ratio to ml-matrix mmul; a row is batch×in→out of a dense layer; WASM build: ${variant})`);
  log(formatTable(['op', ...COLUMNS.map((c) => c.title)], table));
  for (const line of refused) log(line);
  if (variant === 'simd') log('(the relaxed-SIMD build, with fused multiply-add, needs Node ≥ 22 or node --experimental-wasm-relaxed-simd)');
  results.wasmVariant = variant;
  for (const dtype of ['float32', 'float64'] as const) {
    const { parameters, bytes } = mlpArenaSize([784, 128, 64, 10], 128, dtype);
    log(`arena for MLP 784-128-64-10, batch 128, ${dtype}: ${bytes} bytes (${(bytes / 2 ** 20).toFixed(2)} MiB; ${parameters} parameters; params + grads + Adam m, v + activations and their grads + 1 scratch)`);
    results[`arenaBytes_${dtype}`] = bytes;
  }
}

registerSuite({ name: 'kernels', run });
