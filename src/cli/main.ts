#!/usr/bin/env node
/**
 * The `gradpool` binary: `gradpool train …` and `gradpool compare …`. A usage error (unknown
 * flag, bad value) exits with 2 and names the flag; any other failure (a bad CSV cell, a
 * corrupt checkpoint) exits with 1 and names the file and the reason. When stdout's reader goes
 * away (a pipe into `head`), the run stops as on Ctrl-C and the process exits quietly with 141.
 * Ctrl-C during compare ends every configuration's run (after its step in flight; runs in
 * worker threads at once), writes the table and files of the configurations that had finished,
 * and exits with 130 (train handles Ctrl-C itself: it can save a checkpoint).
 */
import { compareCommand, COMPARE_USAGE } from './compare.js';
import { FlagError } from './flags.js';
import { OUTPUT_CLOSED_EXIT, OutputClosed, watchOutput } from './outputClosed.js';
import { trainCommand, TRAIN_USAGE } from './train.js';

/** The reason of a stop by Ctrl-C. */
class Interrupted extends Error {
  constructor() {
    super('interrupted (Ctrl-C): every run stopped after its step in flight');
    this.name = 'Interrupted';
  }
}

const USAGE = `usage: gradpool <command> [flags]

Commands:
  train     train a network on a dataset and print its test accuracy
  compare   train several configurations from the same start and compare their curves

Run gradpool <command> --help for the flags of each.
`;

export async function main(argv: readonly string[], out = process.stdout, err = process.stderr): Promise<number> {
  const [command, ...rest] = argv;
  // A closed stdout (`gradpool train | head -1`) stops the run; the process then exits quietly.
  const watch = watchOutput(out);
  try {
    switch (command) {
      case 'train': {
        const code = await trainCommand(rest, out, watch.signal);
        watch.signal.throwIfAborted();
        return code;
      }
      case 'compare': {
        const interrupt = new AbortController();
        const onSignal = () => interrupt.abort(new Interrupted());
        process.once('SIGINT', onSignal);
        try {
          await compareCommand(rest, out, watch.signal, interrupt.signal);
          watch.signal.throwIfAborted();
          interrupt.signal.throwIfAborted();
        } finally {
          process.off('SIGINT', onSignal);
        }
        return 0;
      }
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        out.write(rest[0] === 'train' ? TRAIN_USAGE : rest[0] === 'compare' ? COMPARE_USAGE : USAGE);
        return 0;
      default:
        throw new FlagError(`unknown command ${JSON.stringify(command)}; the commands are train and compare`);
    }
  } catch (e) {
    if (e instanceof OutputClosed) return OUTPUT_CLOSED_EXIT;
    const prefix = command === 'train' || command === 'compare' ? `gradpool ${command}` : 'gradpool';
    if (e instanceof FlagError) {
      err.write(`${prefix}: ${e.message}\n(see ${prefix} --help)\n`);
      return 2;
    }
    const error = e as Error;
    err.write(`${prefix}: ${error?.message ?? String(e)}\n`);
    if (e instanceof Interrupted) return 130;
    if (process.env.GRADPOOL_DEBUG) err.write(`${error?.stack}\n`);
    return 1;
  } finally {
    watch.dispose();
  }
}

// Run when executed as the binary (not when imported by tests).
const invoked = process.argv[1] ? (await import('node:fs')).realpathSync(process.argv[1]) : '';
if (invoked === (await import('node:url')).fileURLToPath(import.meta.url)) {
  process.exitCode = await main(process.argv.slice(2));
}
