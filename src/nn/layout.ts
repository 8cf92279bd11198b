/**
 * Lays a layer tree out over flat arrays: walks it depth-first, gives each parameter tensor a
 * range of the one parameter array (and the same range of the gradient array), and each
 * running statistic a range of the state array. Runs twice: once to measure, once to bind.
 */
import type { Allocator, DType, FloatArray } from '../tensor/dtype.js';
import type { Binding, Layer } from './layer.js';
import type { ParamEntry } from './params.js';

export interface Layout {
  readonly paramCount: number;
  readonly stateCount: number;
  readonly entries: readonly ParamEntry[];
}

interface Target {
  readonly params: FloatArray;
  readonly grads: FloatArray;
  readonly state: FloatArray;
}

/**
 * The model each layer instance is laid out in. A layer keeps its input, output buffers and
 * parameter views on itself, so one instance used twice (in one model or in two) would get
 * wrong gradients, or leave the first model cut off from its own parameters: refused instead.
 */
const owners = new WeakMap<Layer, object>();

/** Bind every layer of `root` (whose children are the model's top-level layers) for `owner`. */
export function layOut(root: Layer, inputSize: number, dtype: DType, allocator: Allocator, target: Target | null, owner: object): Layout {
  const entries: ParamEntry[] = [];
  const seen = new Map<Layer, string>();
  let paramOffset = 0;
  let stateOffset = 0;
  let index = 0;
  const empty = dtype === 'float32' ? new Float32Array(0) : new Float64Array(0);

  const bindLayer = (layer: Layer, width: number, name: string, topLevel: number): void => {
    const first = seen.get(layer);
    if (first !== undefined) throw new TypeError(`layer ${name} is the same instance as layer ${first}; a layer can appear only once in a model (shared weights are not supported): create another one`);
    const other = owners.get(layer);
    if (other !== undefined && other !== owner) throw new TypeError(`layer ${name} already belongs to another model; create a new layer for this one`);
    seen.set(layer, name);
    // Recorded on the binding pass only: the measuring pass has checked every layer by then, so a
    // model refused there leaves its layers free for another.
    if (target) owners.set(layer, owner);
    const params: FloatArray[] = [];
    const grads: FloatArray[] = [];
    for (const spec of layer.paramSpecs(width)) {
      const size = spec.shape.reduce((a, b) => a * b, 1);
      entries.push({ name: `${name}.${spec.name}`, layer: topLevel, role: spec.role, offset: paramOffset, size, shape: spec.shape });
      params.push(target ? target.params.subarray(paramOffset, paramOffset + size) : empty);
      grads.push(target ? target.grads.subarray(paramOffset, paramOffset + size) : empty);
      paramOffset += size;
    }
    const stateSize = layer.stateSize(width);
    const state = target ? target.state.subarray(stateOffset, stateOffset + stateSize) : empty;
    stateOffset += stateSize;
    const binding: Binding = {
      dtype,
      allocator,
      params,
      grads,
      state,
      index: index++,
      bindChild: (child, childWidth, childName) => bindLayer(child, childWidth, `${name}.${childName}`, topLevel),
    };
    layer.bind(binding, width);
  };

  let width = inputSize;
  root.children().forEach((layer, i) => {
    bindLayer(layer, width, `${i}.${layer.type}`, i);
    width = layer.outputSize(width);
  });
  return { paramCount: paramOffset, stateCount: stateOffset, entries };
}
