/**
 * Loading the compiled AssemblyScript kernels (assembly/gemm.ts → dist/wasm/gemm.wasm, built by
 * `npm run build:wasm`). The module imports its memory, so one shared `WebAssembly.Memory` (the
 * arena) is handed to an instance in every thread and the kernels work on it in place.
 * Compiled once per thread, synchronously: the module is a few kilobytes.
 */
import { readFileSync } from 'node:fs';

/*
 * The few WebAssembly JS API types used here, declared locally: the project's tsconfig has no DOM
 * lib and @types/node 20 does not declare `WebAssembly`, and a global declaration from this folder
 * could clash with one added elsewhere later. A real `WebAssembly.Memory` satisfies `WasmMemory`.
 */
export interface WasmMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
  grow(deltaPages: number): number;
}
export interface WasmGlobal {
  readonly value: unknown;
}
interface WebAssemblyApi {
  Memory: new (descriptor: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { readonly exports: object };
}
/** The global `WebAssembly` object, typed by the declarations above. */
export const WebAssemblyApi = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;

/** The exports of gemm.wasm. Pointers are byte offsets into the imported memory. */
export interface GemmExports {
  readonly KC: WasmGlobal;
  readonly SCRATCH_BYTES: WasmGlobal;
  forwardF32(x: number, w: number, b: number, y: number, m: number, k: number, n: number, scratch: number): void;
  forwardF64(x: number, w: number, b: number, y: number, m: number, k: number, n: number, scratch: number): void;
  backwardWeightsF32(x: number, dy: number, dw: number, db: number, m: number, k: number, n: number, scratch: number): void;
  backwardWeightsF64(x: number, dy: number, dw: number, db: number, m: number, k: number, n: number, scratch: number): void;
  backwardInputF32(dy: number, w: number, dx: number, m: number, k: number, n: number, scratch: number): void;
  backwardInputF64(dy: number, w: number, dx: number, m: number, k: number, n: number, scratch: number): void;
}

/** Where `npm run build:wasm` puts the module, relative to this file's compiled location (dist/src/kernels/). */
export const GEMM_WASM_URL = new URL('../../wasm/gemm.wasm', import.meta.url);

let compiled: object | undefined;

/** The compiled module, cached for this thread. Throws with a hint when the build step was skipped. */
export function gemmModule(): object {
  if (compiled) return compiled;
  let bytes: Buffer;
  try {
    bytes = readFileSync(GEMM_WASM_URL);
  } catch (cause) {
    throw new Error(`WASM kernels not found at ${GEMM_WASM_URL.pathname}; run \`npm run build:wasm\``, { cause });
  }
  compiled = new WebAssemblyApi.Module(bytes);
  return compiled;
}

/** A new instance of the kernels working on `memory` (which must be shared; see WasmArena). */
export function instantiateGemm(memory: WasmMemory): GemmExports {
  const instance = new WebAssemblyApi.Instance(gemmModule(), { env: { memory } });
  return instance.exports as unknown as GemmExports;
}

/**
 * Bytes of per-thread scratch reserved for each kernel instance: a packed panel of B (KC × 32 bytes)
 * and one edge tile. Checked against the module's own SCRATCH_BYTES when an instance is made.
 */
export const SCRATCH_BYTES = 16384;
