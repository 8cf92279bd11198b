/**
 * `--key value` / `--key=value` / `--flag` parsing against a declared table, nanoGPT-style:
 * an unknown flag or a value of the wrong type is an error that names the flag.
 */
import { got } from '../errors.js';

/** `numbers`: a comma-separated list of finite numbers (`--betas 0.9,0.999`, `--lrs 0.01,0.1`). */
export type FlagType = 'string' | 'number' | 'int' | 'boolean' | 'list' | 'numbers';

export interface FlagSpec {
  readonly type: FlagType;
  readonly help: string;
  /** Allowed values for strings (and list items). */
  readonly choices?: readonly string[];
}

export type FlagTable = Readonly<Record<string, FlagSpec>>;
export type FlagValues = Record<string, string | number | boolean | string[] | number[]>;

export class FlagError extends TypeError {
  constructor(message: string) {
    super(message);
    this.name = 'FlagError';
  }
}

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/** A decimal number (`1e-3`, `-0.5`), or NaN: not hex, binary, octal or empty. */
export function decimal(raw: string): number {
  return DECIMAL.test(raw.trim()) ? Number(raw) : NaN;
}

function convert(flag: string, spec: FlagSpec, raw: string): string | number | boolean | string[] | number[] {
  switch (spec.type) {
    case 'number':
    case 'int': {
      // Decimal only (as CSV cells): Number() would also take 0x10, 0b101 and 0o7.
      const v = decimal(raw);
      if (!Number.isFinite(v) || (spec.type === 'int' && !Number.isInteger(v))) {
        throw new FlagError(`--${flag} must be ${spec.type === 'int' ? 'an integer' : 'a finite number'}, got ${got(raw)}`);
      }
      return v;
    }
    case 'boolean':
      if (raw === 'true') return true;
      if (raw === 'false') return false;
      throw new FlagError(`--${flag} must be true or false, got ${got(raw)}`);
    case 'list': {
      const items = raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
      if (items.length === 0) throw new FlagError(`--${flag} must be a comma-separated list, got ${got(raw)}`);
      if (spec.choices) for (const it of items) checkChoice(flag, spec.choices, it.split(':')[0]);
      return items;
    }
    case 'numbers': {
      // Each item decimal, as a single number flag takes it (not 0x10, 0b1 or 0o7).
      const items = raw.split(',').map((s) => s.trim());
      const values = items.map(decimal);
      const bad = values.findIndex((v) => !Number.isFinite(v));
      if (bad >= 0) throw new FlagError(`--${flag} must be a comma-separated list of numbers, got ${got(raw)} (item ${bad + 1}: ${got(items[bad])})`);
      return values;
    }
    case 'string':
      // An empty value (an unset shell variable) would quietly mean "not given": no file read or written.
      if (raw === '') throw new FlagError(`--${flag} needs a value, got ""`);
      if (spec.choices) checkChoice(flag, spec.choices, raw);
      return raw;
  }
}

function checkChoice(flag: string, choices: readonly string[], value: string): void {
  if (!choices.includes(value)) throw new FlagError(`--${flag} must be one of ${choices.join(', ')}, got ${got(value)}`);
}

/** Parse `argv` against `table`; returns the values given and the positional arguments. */
export function parseFlags(argv: readonly string[], table: FlagTable): { flags: FlagValues; positional: string[] } {
  const flags: FlagValues = {};
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    // -h is --help, as in most command-line tools, where the table has --help.
    const arg = argv[i] === '-h' && Object.hasOwn(table, 'help') ? '--help' : argv[i];
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    let name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
    let negated = false;
    if (!Object.hasOwn(table, name) && name.startsWith('no-') && Object.hasOwn(table, name.slice(3)) && table[name.slice(3)].type === 'boolean') {
      name = name.slice(3);
      negated = true;
    }
    // Own keys only: --toString or --constructor are unknown flags, not Object's methods.
    const spec = Object.hasOwn(table, name) ? table[name] : undefined;
    if (!spec) throw new FlagError(`unknown flag --${name}; known flags: ${Object.keys(table).map((k) => `--${k}`).join(' ')}`);
    if (Object.hasOwn(flags, name)) throw new FlagError(`--${name} is given twice`);
    if (spec.type === 'boolean' && eq < 0) {
      const next = argv[i + 1];
      if (next === 'true' || next === 'false') throw new FlagError(`--${name} ${next}: a boolean flag takes its value after "=" (--${name}=${next}), or is given as --${name} or --no-${name}`);
      flags[name] = !negated;
      continue;
    }
    if (negated) throw new FlagError(`--no-${name} takes no value`);
    let raw: string;
    if (eq >= 0) raw = arg.slice(eq + 1);
    else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) raw = argv[++i];
    else throw new FlagError(`--${name} needs a value (${spec.help})`);
    flags[name] = convert(name, spec, raw);
  }
  return { flags, positional };
}

/** A help text block listing the flags of `table`. */
export function flagHelp(table: FlagTable): string {
  const width = Math.max(...Object.keys(table).map((k) => k.length)) + 4;
  return Object.entries(table)
    .map(([k, s]) => `  --${k.padEnd(width)}${s.help}${s.choices ? ` (${s.choices.join('|')})` : ''}`)
    .join('\n');
}
