/**
 * The contract every optimizer file fulfils: a pure element-wise update over a flat range
 * [start, end) of the parameters, with its state in flat arrays of the same layout.
 *
 * Work is split in two so that the parallel runtime can run the update from several
 * threads at once on disjoint ranges of shared arrays:
 *
 * - `coefficients` runs once per step per parameter group, on one thread (the coordinator):
 *   everything that depends on the step count and the learning rate (bias corrections,
 *   NAdam's μ product) is folded into a handful of numbers, the step's "plan".
 * - `update` runs on any thread for any range. It reads only its arguments: the flat arrays,
 *   the group's static hyperparameters and the plan's coefficients. It never reads `h.lr`
 *   (the learning rate reaches it through the plan, so a schedule need not reach the workers).
 *
 * tinygrad's `nn/optim.py` is the model: each optimizer writes only its step.
 */
import type { FloatArray } from '../tensor/dtype.js';
import { checkFlag } from './validate.js';

export type OptimizerName = 'sgd' | 'adam' | 'adamw' | 'rmsprop' | 'adagrad' | 'adadelta' | 'adamax' | 'nadam';

export const OPTIMIZER_NAMES: readonly OptimizerName[] = Object.freeze([
  'sgd', 'adam', 'adamw', 'rmsprop', 'adagrad', 'adadelta', 'adamax', 'nadam',
]);

/** Hyperparameters every optimizer has. All values are plain JSON data. */
export interface BaseHyper {
  lr: number;
  weightDecay: number;
  /** Ascend instead of descend: the gradient's sign is flipped before the rule (and any weight decay) sees it. */
  maximize: boolean;
}

/** The flat state arrays of an optimizer, by name (e.g. `expAvg`), each as long as the parameters. */
export type StateArrays = Readonly<Record<string, FloatArray>>;

export interface UpdateRule<H extends BaseHyper = BaseHyper> {
  readonly name: OptimizerName;
  /** PyTorch's defaults, frozen. */
  readonly defaults: Readonly<H>;
  /** Throws PyTorch's message (`Invalid learning rate: -1`) for a bad value, a TypeError for a wrong type. */
  validate(h: H): void;
  /** The state arrays this configuration needs (SGD without momentum needs none). */
  stateNames(h: Readonly<H>): readonly string[];
  /** What a state array starts at: Adagrad's initialAccumulatorValue, 0 elsewhere. */
  initialValue(state: string, h: Readonly<H>): number;
  /** Scalars carried from step to step, per group, and their initial values (NAdam's μ product). */
  initialScalars(h: Readonly<H>): number[];
  /** How many coefficients `coefficients` writes per group. */
  readonly coefCount: number;
  /**
   * Once per step, per group: `step` is the new step count (1 on the first step) and `lr` the
   * group's current learning rate. Writes `coefCount` numbers into `out`; may advance `scalars`.
   */
  coefficients(h: Readonly<H>, lr: number, step: number, scalars: Float64Array, out: Float64Array): void;
  /** The update of elements [start, end); `c` holds this group's coefficients of this step. */
  update(p: FloatArray, g: FloatArray, s: StateArrays, start: number, end: number, h: Readonly<H>, c: Float64Array): void;
}

/** Freeze a rule, typing its methods' parameters from the contract; `validate` also checks `maximize`. */
export function defineRule<H extends BaseHyper>(rule: UpdateRule<H>): UpdateRule<H> {
  const validate = rule.validate;
  return Object.freeze({
    ...rule,
    validate(h: H): void {
      validate(h);
      checkFlag('maximize', h.maximize);
    },
  });
}
