/**
 * `npm run example -- <name> [flags]`: the tutorial's examples.
 *   worked     the two-weight worked example, forward, backward and one step
 *   addition   a linear neuron learns x1 + x2
 *   xor        the 2-3-1 sigmoid network (--optimizer, --lr, --seed, --epochs)
 */
import { FlagError, flagHelp, parseFlags, type FlagTable } from '../src/cli/flags.js';
import { OPTIMIZER_NAMES } from '../src/optim/rule.js';
import { addition } from './addition.js';
import { worked } from './worked.js';
import { xor } from './xor.js';

const FLAGS: FlagTable = Object.freeze({
  optimizer: { type: 'string', help: 'optimizer for xor', choices: OPTIMIZER_NAMES },
  lr: { type: 'number', help: 'learning rate (xor default 1.0, addition 0.02)' },
  seed: { type: 'int', help: 'seed of the initial weights (default 0)' },
  epochs: { type: 'int', help: 'epochs (xor default 2000, addition 40)' },
  help: { type: 'boolean', help: 'show this help' },
});

/** The flags each example takes; any other is an error rather than silently ignored. */
const EXAMPLE_FLAGS: Readonly<Record<string, readonly string[]>> = Object.freeze({
  worked: [],
  addition: ['lr', 'seed', 'epochs'],
  xor: ['optimizer', 'lr', 'seed', 'epochs'],
});

const USAGE = `usage: npm run example -- <worked|addition|xor> [flags]\n${flagHelp(FLAGS)}\n  worked takes no flags; addition takes --lr --seed --epochs; xor takes --optimizer --lr --seed --epochs`;

/** Refuse flags that `name` does not use, naming the flag and the example. */
function checkExampleFlags(name: string, flags: Record<string, unknown>): void {
  const takes = EXAMPLE_FLAGS[name];
  if (!takes) throw new FlagError(`unknown example "${name}"; choose worked, addition or xor`);
  for (const flag of Object.keys(flags)) {
    if (flag !== 'help' && !takes.includes(flag)) {
      throw new FlagError(`--${flag} does not apply to the ${name} example; ${takes.length === 0 ? 'it takes no flags' : `it takes ${takes.map((f) => `--${f}`).join(', ')}`}`);
    }
  }
}

/** Refuse values the library would refuse later without naming the flag, as gradpool train does. */
function checkExampleValues(flags: Record<string, unknown>): void {
  const need = (flag: string, ok: (v: number) => boolean, expected: string) => {
    const v = flags[flag] as number | undefined;
    if (v !== undefined && !ok(v)) throw new FlagError(`--${flag} must be ${expected}, got ${v}`);
  };
  need('epochs', (v) => v >= 1, 'a positive integer');
  need('lr', (v) => v >= 0, '>= 0');
  need('seed', (v) => v >= 0 && v <= 0xffffffff, 'an integer in [0, 4294967295]');
}

async function main(argv: string[]): Promise<void> {
  const { flags, positional } = parseFlags(argv, FLAGS);
  const [name, ...extra] = positional;
  if (flags.help || !name) {
    console.log(USAGE);
    return;
  }
  if (extra.length > 0) throw new FlagError(`unexpected argument ${JSON.stringify(extra[0])} after the example's name; flags start with --`);
  checkExampleFlags(name, flags);
  checkExampleValues(flags);
  const common = { seed: flags.seed as number | undefined, epochs: flags.epochs as number | undefined, lr: flags.lr as number | undefined };
  switch (name) {
    case 'worked':
      worked();
      return;
    case 'addition':
      await addition(console.log, common);
      return;
    case 'xor':
      await xor(console.log, { ...common, optimizer: flags.optimizer as never });
      return;
  }
}

main(process.argv.slice(2)).catch((e: Error) => {
  console.error(`error: ${e.message}`);
  // A usage error (a flag that does not apply, a bad value) exits with 2, as gradpool's do.
  process.exitCode = e instanceof FlagError ? 2 : 1;
});
