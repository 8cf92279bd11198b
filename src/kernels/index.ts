/**
 * The kernels folder's public surface, for src/index.ts and the parallel runtime to re-export.
 * Typical use, once per thread:
 *
 *   const arena = WasmArena.create(WasmArena.bytesFor(requests, threads)); // coordinator
 *   const arena = WasmArena.open(workerData.arena);                        // each worker
 *   setKernels(new WasmKernels(arena));                                    // each thread
 *   // model arrays come from arena.alloc (the Allocator contract)
 */
export { kernels, setKernels, referenceKernels, FUSED_ACTIVATIONS, type Kernels, type FusedActivation } from './kernels.js';
export { WasmArena, ARENA_ALIGN, ARENA_HEADER_BYTES, ARENA_MAX_BYTES, type ArenaHandle, type ArenaRequest } from './arena.js';
export { WasmKernels } from './wasm-kernels.js';
export {
  SCRATCH_BYTES, bestGemmVariant, gemmVariantAvailable, type GemmVariant, type WasmMemory,
} from './wasm-module.js';
