/** Optimizers, parameter groups, clipping and learning-rate schedules (re-exports only). */
export { OPTIMIZER_NAMES, defineRule, type BaseHyper, type OptimizerName, type StateArrays, type UpdateRule } from './rule.js';
export { Optimizer, setupOptimizer, type LrGroups, type OptimizerSetup, type OptimizerSpec, type OptimizerStateDict } from './optimizer.js';
export { resolveGroups, type GroupOptions, type GroupSelector, type OptimizerOptions, type ParamGroup } from './groups.js';
export { RULES, createOptimizer, optimizerFromSpec, ruleOf, type HyperByName } from './registry.js';
export { SGD, SGD_DEFAULTS, sgdRule, type SGDHyper } from './sgd.js';
export { Adam, ADAM_DEFAULTS, adamRule, type AdamHyper } from './adam.js';
export { AdamW, ADAMW_DEFAULTS, adamwRule, type AdamWHyper } from './adamw.js';
export { RMSprop, RMSPROP_DEFAULTS, rmspropRule, type RMSpropHyper } from './rmsprop.js';
export { Adagrad, ADAGRAD_DEFAULTS, adagradRule, type AdagradHyper } from './adagrad.js';
export { Adadelta, ADADELTA_DEFAULTS, adadeltaRule, type AdadeltaHyper } from './adadelta.js';
export { Adamax, ADAMAX_DEFAULTS, adamaxRule, type AdamaxHyper } from './adamax.js';
export { NAdam, NADAM_DEFAULTS, nadamRule, type NAdamHyper } from './nadam.js';
export { CLIP_NORM_EPS, clipCoefficient, clipGradNorm, clipGradValue, scaleRange, sumOfSquares } from './clip.js';
export * from './schedules/index.js';
