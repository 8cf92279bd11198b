/**
 * Hyperparameter checks with PyTorch's own messages (`torch/optim/*.py`), e.g.
 * `Invalid learning rate: -1` and `Invalid beta parameter at index 0: 1.0`, thrown as
 * RangeError. Where PyTorch names an option in snake_case (`Invalid weight_decay value`) we
 * name ours (`Invalid weightDecay value`). A value of the wrong type is a TypeError from
 * `optionError`. Unlike PyTorch, NaN and ±Infinity are rejected everywhere.
 */
import { optionError } from '../errors.js';

function checkNumber(option: string, value: unknown): number {
  if (typeof value !== 'number') throw optionError(`options.${option}`, 'a finite number', value);
  return value;
}

/** An integer as Python prints a float (1 → `1.0`), so `betas: [1, 0.999]` reads as PyTorch prints it. */
export function pyFloat(x: number): string {
  return Number.isInteger(x) && Math.abs(x) < 1e16 ? x.toFixed(1) : String(x);
}

/** `0 <= lr`, PyTorch's `Invalid learning rate: {lr}`. */
export function checkLr(value: unknown): number {
  const lr = checkNumber('lr', value);
  if (!(Number.isFinite(lr) && lr >= 0)) throw new RangeError(`Invalid learning rate: ${lr}`);
  return lr;
}

/** `0 <= eps`, PyTorch's `Invalid epsilon value: {eps}`. */
export function checkEps(value: unknown): number {
  const eps = checkNumber('eps', value);
  if (!(Number.isFinite(eps) && eps >= 0)) throw new RangeError(`Invalid epsilon value: ${eps}`);
  return eps;
}

/** `0 <= value`, PyTorch's `Invalid {option} value: {value}` (momentum, weight_decay, lr_decay, ...). */
export function checkNonNegative(option: string, value: unknown): number {
  const x = checkNumber(option, value);
  if (!(Number.isFinite(x) && x >= 0)) throw new RangeError(`Invalid ${option} value: ${x}`);
  return x;
}

/** `0 <= value <= 1` (Adadelta's rho): `Invalid {option} value: {value}`. */
export function checkUnitClosed(option: string, value: unknown): number {
  const x = checkNumber(option, value);
  if (!(x >= 0 && x <= 1)) throw new RangeError(`Invalid ${option} value: ${x}`);
  return x;
}

/** Any finite number (SGD's dampening, which PyTorch does not check). */
export function checkFiniteOption(option: string, value: unknown): number {
  const x = checkNumber(option, value);
  if (!Number.isFinite(x)) throw optionError(`options.${option}`, 'a finite number', x);
  return x;
}

/** `0 <= betas[i] < 1`, PyTorch's `Invalid beta parameter at index {i}: {beta}`. */
export function checkBetas(value: unknown): [number, number] {
  if (!Array.isArray(value) || value.length !== 2) throw optionError('options.betas', 'an array [beta1, beta2]', value);
  value.forEach((b, i) => {
    const beta = checkNumber(`betas[${i}]`, b);
    if (!(beta >= 0 && beta < 1)) throw new RangeError(`Invalid beta parameter at index ${i}: ${pyFloat(beta)}`);
  });
  return [value[0], value[1]];
}

export function checkFlag(option: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw optionError(`options.${option}`, 'a boolean', value);
  return value;
}
