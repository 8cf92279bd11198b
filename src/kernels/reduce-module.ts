/**
 * Loading the compiled step kernels (assembly/reduce.ts → dist/wasm/reduce.wasm, built by
 * `npm run build:wasm`): the ordered slot reduction and the Adam/AdamW/SGD updates. Like
 * gemm.wasm it imports the arena's shared memory and has no data segment, so an instance per
 * thread works in place on the arena. One build only: the kernels must not fuse multiply-adds
 * (they are bit-identical to the JS rules), so there is nothing for relaxed SIMD to add.
 */
import { readFileSync } from 'node:fs';
import { WebAssemblyApi, type WasmMemory } from './wasm-module.js';

/** The exports of reduce.wasm. Pointers are byte offsets into the imported memory; 0 means "no array". */
export interface ReduceExports {
  reduceF32(slots: number, shards: number, p: number, grads: number, lo: number, hi: number, invBatch: number): number;
  reduceF64(slots: number, shards: number, p: number, grads: number, lo: number, hi: number, invBatch: number): number;
  scaleF32(g: number, lo: number, hi: number, factor: number): void;
  scaleF64(g: number, lo: number, hi: number, factor: number): void;
  adamF32(p: number, g: number, m: number, v: number, vMax: number, lo: number, hi: number,
    beta1: number, beta2: number, eps: number, l2: number, keep: number, stepSize: number, bc2Sqrt: number): void;
  adamF64(p: number, g: number, m: number, v: number, vMax: number, lo: number, hi: number,
    beta1: number, beta2: number, eps: number, l2: number, keep: number, stepSize: number, bc2Sqrt: number): void;
  sgdF32(p: number, g: number, buf: number, lo: number, hi: number,
    lr: number, momentum: number, dampening: number, weightDecay: number, nesterov: number, first: number): void;
  sgdF64(p: number, g: number, buf: number, lo: number, hi: number,
    lr: number, momentum: number, dampening: number, weightDecay: number, nesterov: number, first: number): void;
}

/** Where `npm run build:wasm` puts the module, relative to this file's compiled location (dist/src/kernels/). */
export const REDUCE_WASM_URL = new URL('../../wasm/reduce.wasm', import.meta.url);

let compiled: object | undefined;

/** The compiled module, cached for this thread. Throws with a hint when the build step was skipped. */
export function reduceModule(): object {
  if (!compiled) {
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(REDUCE_WASM_URL);
    } catch (cause) {
      throw new Error(`WASM step kernels not found at ${REDUCE_WASM_URL.pathname}; run \`npm run build:wasm\``, { cause });
    }
    compiled = new WebAssemblyApi.Module(bytes);
  }
  return compiled;
}

/** A new instance of the step kernels working on `memory` (the arena's shared memory). */
export function instantiateReduce(memory: WasmMemory): ReduceExports {
  return new WebAssemblyApi.Instance(reduceModule(), { env: { memory } }).exports as unknown as ReduceExports;
}
