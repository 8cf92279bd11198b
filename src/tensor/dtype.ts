/** Element types a model can be built in. float64 is for checking against references; float32 is the fast path. */
export type DType = 'float32' | 'float64';
export type FloatArray = Float32Array | Float64Array;

export const DTYPES: readonly DType[] = Object.freeze(['float32', 'float64']);

export function bytesPer(dtype: DType): number {
  return dtype === 'float32' ? 4 : 8;
}

export function dtypeOf(a: FloatArray): DType {
  return a instanceof Float32Array ? 'float32' : 'float64';
}

/** A fresh zero-filled array of `length` elements. */
export function allocate(dtype: DType, length: number): FloatArray {
  return dtype === 'float32' ? new Float32Array(length) : new Float64Array(length);
}

/** A view of `length` elements at `byteOffset` of `buffer` (which may be shared memory). */
export function viewOf(dtype: DType, buffer: ArrayBufferLike, byteOffset: number, length: number): FloatArray {
  return dtype === 'float32'
    ? new Float32Array(buffer, byteOffset, length)
    : new Float64Array(buffer, byteOffset, length);
}

/**
 * Where a model's arrays come from. The default gives ordinary typed arrays; the parallel
 * runtime and the WASM kernels give views into one shared arena so that nothing is copied.
 */
export interface Allocator {
  alloc(dtype: DType, length: number): FloatArray;
}

export const heapAllocator: Allocator = Object.freeze({ alloc: allocate });
