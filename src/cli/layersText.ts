/**
 * A built model's layers as `train` prints them on its first line: `dense, sigmoid, dense,
 * sigmoid` for xor's 2-3-1 (its sigmoid output unit included), `dense` for addition's linear
 * neuron, `dense, batchnorm, relu, residual(dense, batchnorm, relu, dropout 0.1), dense` with
 * the model flags. Read from the model itself, so it shows what trains, not what was asked.
 */
import type { LayerConfig } from '../nn/layer.js';

function layerText(layer: LayerConfig): string {
  switch (layer.type) {
    case 'activation':
      return String(layer.name);
    case 'dropout':
      return `dropout ${layer.p}`;
    case 'residual':
      return `residual(${layersText(layer.layers as LayerConfig[])})`;
    case 'sequential':
      return `(${layersText(layer.layers as LayerConfig[])})`;
    default:
      return layer.type;
  }
}

export function layersText(layers: readonly LayerConfig[]): string {
  return layers.map(layerText).join(', ');
}
