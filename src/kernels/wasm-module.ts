/**
 * Loading the compiled AssemblyScript kernels (assembly/gemm.ts → dist/wasm/gemm*.wasm, built by
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
  validate(bytes: Uint8Array): boolean;
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
  /** act: 0 none, 1 relu, 2 tanh, 3 sigmoid (assembly/activation.ts). */
  forwardF32(x: number, w: number, b: number, y: number, m: number, k: number, n: number, scratch: number, act: number): void;
  forwardF64(x: number, w: number, b: number, y: number, m: number, k: number, n: number, scratch: number, act: number): void;
  backwardWeightsF32(x: number, dy: number, dw: number, db: number, m: number, k: number, n: number, scratch: number): void;
  backwardWeightsF64(x: number, dy: number, dw: number, db: number, m: number, k: number, n: number, scratch: number): void;
  backwardInputF32(dy: number, w: number, dx: number, m: number, k: number, n: number, scratch: number): void;
  backwardInputF64(dy: number, w: number, dx: number, m: number, k: number, n: number, scratch: number): void;
  weightRowsF32(x: number, dy: number, dw: number, m: number, k: number, n: number, k0: number, k1: number, scratch: number): void;
  weightRowsF64(x: number, dy: number, dw: number, m: number, k: number, n: number, k0: number, k1: number, scratch: number): void;
  columnSumsF32(dy: number, db: number, m: number, n: number, c0: number, c1: number): void;
  columnSumsF64(dy: number, db: number, m: number, n: number, c0: number, c1: number): void;
}

/**
 * The two builds of assembly/gemm.ts: `simd` (WASM SIMD 128, multiply then add) runs everywhere
 * Node 20 does; `relaxed-simd` uses relaxed_madd, a fused multiply-add on x64, and is about a
 * quarter faster, but Node 20 compiles it only under `--experimental-wasm-relaxed-simd` (V8 ships
 * relaxed SIMD from 11.4; Node 22 has it on). Both give results within the same rounding bound;
 * they differ in the last bits, so one process uses one variant everywhere (`bestGemmVariant`),
 * the fused one only when asked for.
 */
export type GemmVariant = 'simd' | 'relaxed-simd';

/** Where `npm run build:wasm` puts each build, relative to this file's compiled location (dist/src/kernels/). */
export const GEMM_WASM_URLS: Readonly<Record<GemmVariant, URL>> = Object.freeze({
  simd: new URL('../../wasm/gemm.wasm', import.meta.url),
  'relaxed-simd': new URL('../../wasm/gemm-relaxed.wasm', import.meta.url),
});

const bytes = new Map<GemmVariant, Uint8Array>();
const compiled = new Map<GemmVariant, object>();

function gemmBytes(variant: GemmVariant): Uint8Array {
  let b = bytes.get(variant);
  if (!b) {
    const url = GEMM_WASM_URLS[variant];
    try {
      b = readFileSync(url);
    } catch (cause) {
      throw new Error(`WASM kernels not found at ${url.pathname}; run \`npm run build:wasm\``, { cause });
    }
    bytes.set(variant, b);
  }
  return b;
}

/** Whether this Node can compile `variant`. */
export function gemmVariantAvailable(variant: GemmVariant): boolean {
  return WebAssemblyApi.validate(gemmBytes(variant));
}

let best: GemmVariant | undefined;

/**
 * The variant this process uses, the same answer in every thread: `simd` unless the environment
 * asks for the fused build with GRADPOOL_WASM=relaxed-simd (and this Node can compile it).
 * `simd` is the default because its float64 products round exactly like the reference kernels
 * (a fused multiply-add rounds once, so results would move in the last bits), which keeps the
 * parallel runtime equal to the serial reference and results equal across Node versions.
 */
export function bestGemmVariant(): GemmVariant {
  best ??= process.env.GRADPOOL_WASM === 'relaxed-simd' && gemmVariantAvailable('relaxed-simd') ? 'relaxed-simd' : 'simd';
  return best;
}

/** The compiled module, cached for this thread. Throws with a hint when the build step was skipped. */
export function gemmModule(variant: GemmVariant = bestGemmVariant()): object {
  let m = compiled.get(variant);
  if (!m) {
    m = new WebAssemblyApi.Module(gemmBytes(variant));
    compiled.set(variant, m);
  }
  return m;
}

/** A new instance of the kernels working on `memory` (which must be shared; see WasmArena). */
export function instantiateGemm(memory: WasmMemory, variant: GemmVariant = bestGemmVariant()): GemmExports {
  const instance = new WebAssemblyApi.Instance(gemmModule(variant), { env: { memory } });
  return instance.exports as unknown as GemmExports;
}

/**
 * Bytes of per-thread scratch reserved for each kernel instance (144 KiB): a packed block of A, a packed panel of B
 * and one edge tile. Checked against the module's own SCRATCH_BYTES when an instance is made.
 */
export const SCRATCH_BYTES = 147456;
