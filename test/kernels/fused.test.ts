import test from 'ava';
import { DTYPES, allocate } from '../../src/tensor/dtype.js';
import * as reference from '../../src/kernels/reference.js';
import { FUSED_ACTIVATIONS, referenceKernels } from '../../src/kernels/kernels.js';
import { WasmArena } from '../../src/kernels/arena.js';
import { WasmKernels } from '../../src/kernels/wasm-kernels.js';
import { SCRATCH_BYTES, gemmVariantAvailable } from '../../src/kernels/wasm-module.js';
import { EPS, SHAPES, fillReal, rng } from './util.js';

for (const variant of ['simd', 'relaxed-simd'] as const) {
  const maybe = gemmVariantAvailable(variant) ? test : test.skip;
  for (const dtype of DTYPES) {
    maybe(`the fused forward is the forward followed by the activation (${variant}, ${dtype})`, (t) => {
      const next = rng(31);
      for (const [m, k, n] of SHAPES.filter(([m, k, n]) => m * k * n < 2e6)) {
        const arena = WasmArena.create(SCRATCH_BYTES + 4 * 8 * (m * k + k * n + 2 * m * n + n) + 1024);
        const kernels = new WasmKernels(arena, variant);
        const x = fillReal(arena.alloc(dtype, m * k), next), w = fillReal(arena.alloc(dtype, k * n), next);
        const b = fillReal(arena.alloc(dtype, n), next);
        x[0] = NaN; // relu(NaN) is NaN, as torch.relu keeps it
        const pre = arena.alloc(dtype, m * n), y = arena.alloc(dtype, m * n);
        kernels.denseForward(x, w, b, pre, m, k, n);
        for (const activation of FUSED_ACTIVATIONS) {
          kernels.denseForwardActivation(x, w, b, y, m, k, n, activation);
          const expected = allocate(dtype, m * n);
          expected.set(pre);
          const f = activation === 'relu' ? (v: number) => (v > 0 || Number.isNaN(v) ? v : 0)
            : activation === 'tanh' ? Math.tanh : (v: number) => 1 / (1 + Math.exp(-v));
          for (let i = 0; i < expected.length; i++) expected[i] = f(expected[i]);
          const label = `${activation} ${m}×${k}×${n}`;
          if (activation === 'relu') {
            t.deepEqual([...y], [...expected], label);
            if (k > 0) t.true(Number.isNaN(y[0]), `${label}: a NaN input row stays NaN`);
          }
          else {
            // musl's tanh/exp (WASM) and fdlibm's (V8) agree to about an ulp of float64.
            const ok = y.every((v, i) => Math.abs(v - expected[i]) <= 4 * EPS[dtype] * Math.abs(expected[i]) + 1e-300
              || (Number.isNaN(v) && Number.isNaN(expected[i])));
            t.true(ok, label);
          }
        }
      }
    });
  }
}

test('the reference fused forward applies the activation, and an unknown one is refused by name', (t) => {
  const x = new Float64Array([1, -2]), w = new Float64Array([1]), y = new Float64Array(2);
  referenceKernels.denseForwardActivation!(x, w, null, y, 2, 1, 1, 'relu');
  t.deepEqual([...y], [1, 0]);
  reference.denseForwardActivation(x, w, null, y, 2, 1, 1, 'sigmoid');
  t.is(y[0], 1 / (1 + Math.exp(-1)));
  const arena = WasmArena.create(SCRATCH_BYTES + 4096);
  const kernels = new WasmKernels(arena);
  const xa = arena.alloc('float32', 2), wa = arena.alloc('float32', 1), ya = arena.alloc('float32', 2);
  t.throws(() => kernels.denseForwardActivation(xa, wa, null, ya, 2, 1, 1, 'gelu' as 'relu'), {
    message: 'activation must be one of relu, tanh, sigmoid, got "gelu" (string)',
  });
  xa.set([3, -3]);
  wa[0] = 1;
  kernels.denseForwardActivation(xa, wa, null, ya, 2, 1, 1, 'tanh');
  t.deepEqual([...ya], [Math.fround(Math.tanh(3)), Math.fround(Math.tanh(-3))]);
});

test('an empty reduction applies the activation to the bias', (t) => {
  const arena = WasmArena.create(SCRATCH_BYTES + 4096);
  const kernels = new WasmKernels(arena);
  const b = arena.alloc('float64', 2), y = arena.alloc('float64', 4);
  b.set([-1, 2]);
  kernels.denseForwardActivation(arena.alloc('float64', 0), arena.alloc('float64', 0), b, y, 2, 0, 2, 'relu');
  t.deepEqual([...y], [0, 2, 0, 2]);
});
