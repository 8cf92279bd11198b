/**
 * A remote run's data crosses to its thread without stalling the caller's event loop. Sent as
 * it is, a typed array is copied by the structured clone in one go: about 25 ms for 6,144
 * MNIST rows on this machine kind, a pause of every timer and I/O callback of the caller. A
 * SharedArrayBuffer crosses as a handle, so flat typed-array inputs (x, targets) are copied
 * into shared memory here, a slice per event-loop turn. The caller's arrays are not touched.
 * Other forms (number[][], a Matrix) are sent as they are.
 */
import type { DatasetInput } from '../data/dataset.js';
import type { FlatInput } from '../tensor/convert.js';
import type { SessionSpec } from './session.js';

/** Elements copied per event-loop turn (2 MB of float32: about a millisecond). */
const SLICE = 1 << 19;

type Typed = Float32Array | Float64Array | Int32Array | Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Uint8ClampedArray;

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

function flatTyped(input: unknown): (FlatInput & { data: Typed }) | null {
  if (!input || typeof input !== 'object' || !('data' in input) || !('shape' in input)) return null;
  const data = (input as FlatInput).data;
  return ArrayBuffer.isView(data) && !(data instanceof DataView) && !(data.buffer instanceof SharedArrayBuffer) ? (input as FlatInput & { data: Typed }) : null;
}

/** `data` copied into a SharedArrayBuffer of the same type, SLICE elements per turn. */
async function shared(data: Typed): Promise<Typed> {
  const Type = data.constructor as new (buffer: SharedArrayBuffer) => Typed;
  const out = new Type(new SharedArrayBuffer(data.byteLength));
  for (let i = 0; i < data.length; i += SLICE) {
    if (i > 0) await turn();
    out.set(data.subarray(i, i + SLICE), i);
  }
  return out;
}

async function shareInput<T>(input: T): Promise<T> {
  const flat = flatTyped(input);
  return flat ? ({ ...flat, data: await shared(flat.data) } as T) : input;
}

async function shareDataset(ds: DatasetInput | undefined): Promise<DatasetInput | undefined> {
  if (!ds || typeof ds !== 'object') return ds;
  const x = await shareInput(ds.x);
  const targets = await shareInput(ds.targets);
  return x === ds.x && targets === ds.targets ? ds : { ...ds, x, ...(ds.targets !== undefined ? { targets } : {}) };
}

/** The spec with its flat typed-array data in shared memory (see above); everything else as it is. */
export async function shareSpec(spec: SessionSpec): Promise<SessionSpec> {
  if (!spec || typeof spec !== 'object') return spec;
  const data = (await shareDataset(spec.data)) as DatasetInput;
  const validation = await shareDataset(spec.validation);
  return { ...spec, data, ...(spec.validation !== undefined ? { validation } : {}) };
}
