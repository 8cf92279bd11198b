/**
 * The arena a dense MLP needs for one thread's step, computed from its shapes: parameters,
 * gradients, Adam's two moments (2× parameters), the input batch and every layer's output, and the
 * gradients of those outputs, plus one thread's kernel scratch. Sized with WasmArena.bytesFor, so
 * alignment padding is counted exactly as the arena will lay it out.
 */
import { WasmArena, type ArenaRequest } from '../src/kernels/arena.js';
import type { DType } from '../src/tensor/dtype.js';

export interface MlpArenaSize {
  parameters: number;
  bytes: number;
}

export function mlpArenaSize(sizes: readonly number[], batch: number, dtype: DType): MlpArenaSize {
  const params: ArenaRequest[] = [];
  const rows: ArenaRequest[] = [{ dtype, length: batch * sizes[0] }];
  let parameters = 0;
  for (let l = 1; l < sizes.length; l++) {
    const [fanIn, fanOut] = [sizes[l - 1], sizes[l]];
    params.push({ dtype, length: fanIn * fanOut }, { dtype, length: fanOut });
    parameters += fanIn * fanOut + fanOut;
    const hidden = l < sizes.length - 1;
    // pre-activation output; hidden layers also keep the activation's output
    rows.push({ dtype, length: batch * fanOut });
    if (hidden) rows.push({ dtype, length: batch * fanOut });
  }
  const outputs = rows.slice(1);
  const requests = [...params, ...params, ...params, ...params, ...rows, ...outputs];
  return { parameters, bytes: WasmArena.bytesFor(requests, 1) };
}
