/**
 * Every user-facing error is made here, so messages share one shape: what was expected,
 * and what was received (p-map's ``got `${x}` (${typeof x})``).
 */

/** `5 (number)`, `"abc" (string)`, `NaN (number)`. */
export function got(x: unknown): string {
  if (typeof x === 'string') return `"${x}" (string)`;
  if (Array.isArray(x)) return `array of length ${x.length}`;
  if (x !== null && typeof x === 'object') return `${(x as object).constructor?.name ?? 'object'}`;
  return `${String(x)} (${typeof x})`;
}

/** A bad option value: TypeError when the type is wrong, RangeError when the value is out of range. */
export function optionError(name: string, expected: string, value: unknown): TypeError | RangeError {
  const message = `${name} must be ${expected}, got ${got(value)}`;
  return typeof value === 'number' ? new RangeError(message) : new TypeError(message);
}

export function checkFinite(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw optionError(name, 'a finite number', value);
  return value;
}

export function checkPositiveInt(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw optionError(name, 'a positive integer', value);
  }
  return value;
}

export function checkNonNegativeInt(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw optionError(name, 'a non-negative integer', value);
  }
  return value;
}

/** A seed: the generators use it as a 32-bit unsigned integer, so 1.9 or 2³² would silently be 1 or 0. */
export function checkSeed(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 0xffffffff) {
    throw optionError(name, 'an integer in [0, 4294967295]', value);
  }
  return value;
}

/** A finite number in [lo, hi) or [lo, hi] (`closed`). */
export function checkRange(name: string, value: unknown, lo: number, hi: number, closed = false): number {
  const ok = typeof value === 'number' && Number.isFinite(value) && value >= lo && (closed ? value <= hi : value < hi);
  if (!ok) throw optionError(name, `a number in [${lo}, ${hi}${closed ? ']' : ')'}`, value);
  return value as number;
}

/** Throws a RangeError naming `what` unless [lo, hi) is a range of integers within [0, size]. */
export function checkSubrange(what: string, lo: number, hi: number, size: number): void {
  if (!(Number.isInteger(lo) && Number.isInteger(hi) && 0 <= lo && lo <= hi && hi <= size)) throw new RangeError(`${what} [${lo}, ${hi}) are not within [0, ${size}]`);
}

export function checkOneOf<T extends string>(name: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !allowed.includes(value as T)) {
    throw optionError(name, `one of ${allowed.join(', ')}`, value);
  }
  return value as T;
}

export function checkBoolean(name: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw optionError(name, 'a boolean', value);
  return value;
}

/**
 * Merge user options over frozen defaults, rejecting keys the defaults do not have
 * (nanoGPT's configurator: an unknown key is a typo, not a wish).
 */
export function mergeOptions<T extends object>(what: string, defaults: Readonly<T>, options: Partial<T> | undefined): T {
  if (options === undefined) return { ...defaults };
  if (options === null || typeof options !== 'object') throw optionError(what, 'an options object', options);
  for (const key of Object.keys(options)) {
    if (!(key in defaults)) throw new TypeError(`${what}: unknown option "${key}"; known options: ${Object.keys(defaults).join(', ')}`);
  }
  const merged = { ...defaults } as T;
  for (const [key, value] of Object.entries(options)) if (value !== undefined) (merged as Record<string, unknown>)[key] = value;
  return merged;
}

/** Two shapes that should agree and do not. */
export class ShapeError extends RangeError {
  constructor(what: string, expected: string, actual: string) {
    super(`${what}: expected shape ${expected}, got ${actual}`);
    this.name = 'ShapeError';
  }
}

/** Input data that cannot be trained on (NaN, Infinity, bad labels). */
export class DataError extends RangeError {
  constructor(message: string) {
    super(message);
    this.name = 'DataError';
  }
}

/** A model or checkpoint file that is missing, corrupt, truncated or of another architecture. */
export class FileFormatError extends Error {
  constructor(readonly file: string, reason: string) {
    super(`${file}: ${reason}`);
    this.name = 'FileFormatError';
  }
}
