/**
 * WasmArena: one shared `WebAssembly.Memory` holding a model's arrays, so that the WASM kernels
 * work on them in place and every worker thread sees the same bytes without copying (guide §1:
 * parameters, gradient slots, optimizer state and data live in one shared arena).
 *
 * - The size is fixed at creation (initial = maximum pages); it never grows, so views handed out
 *   stay valid and every thread's `memory.buffer` keeps one length.
 * - `alloc` is a 64-byte-aligned bump allocator (cache-line aligned, so arrays owned by different
 *   threads never share a line). Its top lives in the memory's header and moves by
 *   compare-and-swap, so an arena re-opened in another thread allocates from the same space.
 *   Nothing is ever freed or reused, so every allocation is zero-filled, as `allocate` promises.
 * - Byte offset 0 is the header and is never handed out: the kernels take 0 to mean "no array".
 * - `handle()` is structured-cloneable (piscina's workerData, postMessage); `WasmArena.open`
 *   re-opens it in the receiving thread.
 */
import { bytesPer, viewOf, type Allocator, type DType, type FloatArray } from '../tensor/dtype.js';
import { checkNonNegativeInt, optionError } from '../errors.js';
import { SCRATCH_BYTES, WebAssemblyApi, type WasmMemory } from './wasm-module.js';

const PAGE = 65536;
/** Alignment of every allocation, in bytes (one cache line). */
export const ARENA_ALIGN = 64;
/** Bytes at the start of the memory reserved for the header. */
export const ARENA_HEADER_BYTES = 64;
/** Largest arena: offsets are kept in an Int32 header cell. */
export const ARENA_MAX_BYTES = 32767 * PAGE;

const MAGIC = 0x67706172; // "gpar"
const H_MAGIC = 0;
const H_CAPACITY = 1;
const H_TOP = 2;

/** What another thread needs to re-open an arena: pass it in workerData or postMessage. */
export interface ArenaHandle {
  readonly memory: WasmMemory;
  readonly byteLength: number;
}

/** One array an arena must hold, for sizing with `WasmArena.bytesFor`. */
export interface ArenaRequest {
  readonly dtype: DType;
  readonly length: number;
}

function alignUp(n: number): number {
  return Math.ceil(n / ARENA_ALIGN) * ARENA_ALIGN;
}

export class WasmArena implements Allocator {
  readonly memory: WasmMemory;
  /** The memory's buffer, fixed for the arena's life (the memory never grows). */
  readonly buffer: SharedArrayBuffer;
  readonly byteLength: number;
  private readonly header: Int32Array;

  private constructor(memory: WasmMemory) {
    this.memory = memory;
    this.buffer = memory.buffer as unknown as SharedArrayBuffer;
    this.byteLength = this.buffer.byteLength;
    this.header = new Int32Array(this.buffer, 0, ARENA_HEADER_BYTES / 4);
  }

  /**
   * A new arena of at least `bytes` bytes (rounded up to whole 64 KiB pages), header included.
   * Size it with `WasmArena.bytesFor`.
   */
  static create(bytes: number): WasmArena {
    checkNonNegativeInt('bytes', bytes);
    const pages = Math.max(1, Math.ceil((bytes + ARENA_HEADER_BYTES) / PAGE));
    if (pages * PAGE > ARENA_MAX_BYTES) throw optionError('bytes', `at most ${ARENA_MAX_BYTES - ARENA_HEADER_BYTES}`, bytes);
    const memory = new WebAssemblyApi.Memory({ initial: pages, maximum: pages, shared: true });
    const arena = new WasmArena(memory);
    arena.header[H_CAPACITY] = arena.byteLength;
    Atomics.store(arena.header, H_TOP, ARENA_HEADER_BYTES);
    Atomics.store(arena.header, H_MAGIC, MAGIC);
    return arena;
  }

  /** Re-open an arena in another thread from its handle. */
  static open(handle: ArenaHandle): WasmArena {
    if (handle === null || typeof handle !== 'object' || !(handle.memory instanceof WebAssemblyApi.Memory)) {
      throw optionError('handle', 'an ArenaHandle { memory, byteLength } from WasmArena#handle()', handle);
    }
    const arena = new WasmArena(handle.memory);
    if (!(arena.buffer instanceof SharedArrayBuffer) || Atomics.load(arena.header, H_MAGIC) !== MAGIC
      || arena.byteLength !== handle.byteLength) {
      throw optionError('handle.memory', 'the shared memory of a WasmArena', handle.memory);
    }
    return arena;
  }

  /**
   * Bytes an arena needs for `requests` (each aligned as `alloc` aligns it) plus kernel scratch
   * for `threads` threads (one `WasmKernels` per thread).
   */
  static bytesFor(requests: Iterable<ArenaRequest>, threads = 1): number {
    checkNonNegativeInt('threads', threads);
    let bytes = ARENA_HEADER_BYTES;
    let i = 0;
    for (const r of requests) {
      checkNonNegativeInt(`requests[${i++}].length`, r.length);
      bytes = alignUp(bytes) + r.length * bytesPer(r.dtype);
    }
    for (let t = 0; t < threads; t++) bytes = alignUp(bytes) + SCRATCH_BYTES;
    return alignUp(bytes);
  }

  /** Bytes allocated so far (header included). */
  get used(): number {
    return Atomics.load(this.header, H_TOP);
  }

  handle(): ArenaHandle {
    return { memory: this.memory, byteLength: this.byteLength };
  }

  /** Reserve `bytes` bytes, 64-byte aligned, from any thread; returns the byte offset. */
  allocBytes(bytes: number): number {
    checkNonNegativeInt('bytes', bytes);
    for (;;) {
      const top = Atomics.load(this.header, H_TOP);
      const start = alignUp(top);
      const end = start + bytes;
      if (end > this.byteLength) {
        throw new RangeError(`WasmArena is full: ${bytes} bytes requested, ${this.byteLength - start} of ${this.byteLength} left; size it with WasmArena.bytesFor`);
      }
      if (Atomics.compareExchange(this.header, H_TOP, top, end) === top) return start;
    }
  }

  /** A zero-filled array of `length` elements in the arena (the Allocator contract). */
  alloc(dtype: DType, length: number): FloatArray {
    checkNonNegativeInt('length', length);
    return viewOf(dtype, this.buffer, this.allocBytes(length * bytesPer(dtype)), length);
  }

  /** A view of memory already allocated (e.g. by another thread, whose offsets were passed along). */
  view(dtype: DType, byteOffset: number, length: number): FloatArray {
    checkNonNegativeInt('byteOffset', byteOffset);
    checkNonNegativeInt('length', length);
    if (byteOffset < ARENA_HEADER_BYTES || byteOffset + length * bytesPer(dtype) > this.used) {
      throw new RangeError(`WasmArena.view: bytes [${byteOffset}, ${byteOffset + length * bytesPer(dtype)}) are not allocated (allocated: [${ARENA_HEADER_BYTES}, ${this.used}))`);
    }
    return viewOf(dtype, this.buffer, byteOffset, length);
  }

  /** Whether `a` is a view of this arena's memory (then the kernels can use its byteOffset as a pointer). */
  owns(a: FloatArray): boolean {
    return a.buffer === this.buffer;
  }
}
