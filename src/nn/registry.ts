/** Rebuilds layers from their JSON configs (model files, the CLI, worker threads). */
import { optionError } from '../errors.js';
import { Activation, type ActivationName } from './activation.js';
import { BatchNorm1d } from './batchnorm.js';
import { Dense } from './dense.js';
import { Dropout } from './dropout.js';
import type { Initializer } from './init.js';
import type { Layer, LayerConfig } from './layer.js';
import { Residual } from './residual.js';
import { Sequential } from './sequential.js';

type Factory = (c: LayerConfig) => Layer;

const FACTORIES: Readonly<Record<string, Factory>> = Object.freeze({
  dense: (c) => new Dense(c.inputs as number, c.units as number, { init: c.init as Initializer, bias: c.bias as boolean }),
  activation: (c) => new Activation(c.name as ActivationName, c.negativeSlope === undefined ? undefined : { negativeSlope: c.negativeSlope as number }),
  dropout: (c) => new Dropout(c.p as number),
  batchnorm: (c) => new BatchNorm1d(c.features as number, { momentum: c.momentum as number, eps: c.eps as number }),
  residual: (c) => new Residual(layersFromConfig(c.layers as LayerConfig[])),
  sequential: (c) => new Sequential(layersFromConfig(c.layers as LayerConfig[])),
});

export function layerFromConfig(config: LayerConfig): Layer {
  const make = config && typeof config === 'object' && Object.hasOwn(FACTORIES, config.type) ? FACTORIES[config.type] : undefined;
  if (!make) throw optionError('layer config type', `one of ${Object.keys(FACTORIES).join(', ')}`, config?.type);
  return make(config);
}

export function layersFromConfig(configs: readonly LayerConfig[]): Layer[] {
  if (!Array.isArray(configs)) throw optionError('layers', 'an array of layer configs', configs);
  return configs.map(layerFromConfig);
}
