/**
 * Optimizers by name: a table, not an `if (name === 'adam')` chain. The CLI's
 * `--optimizer=adam` and worker threads rebuilding an optimizer from its spec both look here.
 */
import { checkOneOf, optionError } from '../errors.js';
import type { ParamSet } from '../nn/params.js';
import type { Allocator, FloatArray } from '../tensor/dtype.js';
import { adadeltaRule, type AdadeltaHyper } from './adadelta.js';
import { adagradRule, type AdagradHyper } from './adagrad.js';
import { adamRule, type AdamHyper } from './adam.js';
import { adamaxRule, type AdamaxHyper } from './adamax.js';
import { adamwRule, type AdamWHyper } from './adamw.js';
import type { OptimizerOptions } from './groups.js';
import { nadamRule, type NAdamHyper } from './nadam.js';
import { Optimizer, setupOptimizer, type OptimizerSpec } from './optimizer.js';
import { rmspropRule, type RMSpropHyper } from './rmsprop.js';
import { OPTIMIZER_NAMES, type BaseHyper, type OptimizerName, type UpdateRule } from './rule.js';
import { sgdRule, type SGDHyper } from './sgd.js';

export interface HyperByName {
  sgd: SGDHyper;
  adam: AdamHyper;
  adamw: AdamWHyper;
  rmsprop: RMSpropHyper;
  adagrad: AdagradHyper;
  adadelta: AdadeltaHyper;
  adamax: AdamaxHyper;
  nadam: NAdamHyper;
}

export const RULES: { readonly [N in OptimizerName]: UpdateRule<HyperByName[N]> } = Object.freeze({
  sgd: sgdRule,
  adam: adamRule,
  adamw: adamwRule,
  rmsprop: rmspropRule,
  adagrad: adagradRule,
  adadelta: adadeltaRule,
  adamax: adamaxRule,
  nadam: nadamRule,
});

/** The update rule called `name` (TypeError naming the known ones otherwise). */
export function ruleOf<N extends OptimizerName>(name: N): UpdateRule<HyperByName[N]> {
  return RULES[checkOneOf('optimizer', name, OPTIMIZER_NAMES) as N];
}

/** `createOptimizer('adam', model.parameters(), { lr: 1e-3 })`: same as `new Adam(...)`. */
export function createOptimizer<N extends OptimizerName>(
  name: N, params: ParamSet, options?: OptimizerOptions<HyperByName[N]>, allocator?: Allocator,
): Optimizer<HyperByName[N]> {
  const rule = ruleOf(name);
  return new Optimizer(rule, params, setupOptimizer(rule, params, options, allocator));
}

/**
 * Rebuild, in another thread, the optimizer `spec` describes (`optimizer.toSpec()`), over
 * `params` and `state`: views of the same shared arrays. Its `updateRange` then updates
 * those arrays in place, given each step's plan from the coordinator's `beginStep()`.
 */
export function optimizerFromSpec(spec: OptimizerSpec, params: ParamSet, state: Readonly<Record<string, FloatArray>>): Optimizer<BaseHyper> {
  if (spec === null || typeof spec !== 'object') throw optionError('spec', 'an optimizer spec', spec);
  const rule = ruleOf(spec.rule) as unknown as UpdateRule<BaseHyper>;
  if (spec.dtype !== params.dtype) throw new TypeError(`spec is for ${spec.dtype} parameters, got ${params.dtype}`);
  if (spec.length !== params.values.length) throw new RangeError(`spec is for ${spec.length} parameters, got ${params.values.length}`);
  if (!Array.isArray(spec.groups)) throw optionError('spec.groups', 'an array', spec.groups);
  return new Optimizer(rule, params, { groups: spec.groups, state });
}
