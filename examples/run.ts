/**
 * `npm run example -- <name> [flags]`: the tutorial's examples.
 *   worked     the two-weight worked example, forward, backward and one step
 *   addition   a linear neuron learns x1 + x2
 *   xor        the 2-3-1 sigmoid network (--optimizer, --lr, --seed, --epochs)
 */
import { flagHelp, parseFlags, type FlagTable } from '../src/cli/flags.js';
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

const USAGE = `usage: npm run example -- <worked|addition|xor> [flags]\n${flagHelp(FLAGS)}`;

async function main(argv: string[]): Promise<void> {
  const { flags, positional } = parseFlags(argv, FLAGS);
  const [name] = positional;
  if (flags.help || !name) {
    console.log(USAGE);
    return;
  }
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
    default:
      throw new TypeError(`unknown example "${name}"; choose worked, addition or xor`);
  }
}

main(process.argv.slice(2)).catch((e: Error) => {
  console.error(`error: ${e.message}`);
  process.exitCode = 1;
});
