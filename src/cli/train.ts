/** `gradpool train`: one run, with progress, a summary, and the files the flags ask for. */
import { checkPaths, checkSaveTarget, datasetFile } from './paths.js';
import { writeFileAtomic } from '../io/atomicWrite.js';
import { jsonDocument } from '../io/json.js';
import { buildConfig, type RunConfig } from './config.js';
import { flagHelp, FlagError, parseFlags } from './flags.js';
import { Progress, type Out } from './progress.js';
import { runTraining, type RunResult } from './run.js';
import { writeParamsFile } from './paramsFile.js';
import { DATA_FLAGS, LOOP_FLAGS, MODEL_FLAGS, OPTIMIZER_FLAGS, SCHEDULE_FLAGS, TRAIN_FLAGS, TRAIN_OUTPUT_FLAGS } from './trainFlags.js';

export const TRAIN_USAGE = `usage: gradpool train [flags]

Train a multilayer perceptron on a dataset and print the test accuracy. With no flags it
trains the MNIST MLP 784-128-64-10 (SGD, momentum 0.9, lr 0.05, batch 128, 20 epochs).

Data:
${flagHelp(DATA_FLAGS)}

Model:
${flagHelp(MODEL_FLAGS)}

Optimizer (flags that the optimizer does not take are errors):
${flagHelp(OPTIMIZER_FLAGS)}

Schedule and clipping:
${flagHelp(SCHEDULE_FLAGS)}

Loop:
${flagHelp(LOOP_FLAGS)}

Files and output:
${flagHelp(TRAIN_OUTPUT_FLAGS)}

Examples:
  gradpool train --dataset xor
  gradpool train --dataset iris --standardize --model 4-16-3 --optimizer adam --lr 0.01
  gradpool train --dataset csv:data.csv --label price --task regression --standardize
  gradpool train --epochs 30 --save run.ckpt --json run.json     # then --resume run.ckpt
`;

/** The --json document: {config, epochs: [...], final: {...}}. */
export function runJson(result: RunResult): { config: RunConfig; epochs: object[]; final: object } {
  return {
    config: result.config,
    epochs: result.history.map((r) => ({
      epoch: r.epoch,
      trainLoss: r.trainLoss,
      trainAccuracy: r.trainAccuracy,
      testLoss: r.testLoss,
      testAccuracy: r.testAccuracy,
      seconds: r.seconds,
      samplesPerSecond: r.samplesPerSecond,
    })),
    final: {
      trainLoss: result.final.trainLoss,
      testLoss: result.final.testLoss,
      testAccuracy: result.final.testAccuracy,
      paramsSha256: result.final.paramsSha256,
    },
  };
}

/**
 * Runs `gradpool train`; resolves with the exit code (130 after SIGINT, as shells report it).
 * When `stop` is aborted (stdout failed: outputClosed.ts) the run stops as on SIGINT, its
 * checkpoint written, and the abort's reason is thrown; nothing more is written.
 */
export async function trainCommand(argv: readonly string[], out: Out, stop?: AbortSignal): Promise<number> {
  const { flags, positional } = parseFlags(argv, TRAIN_FLAGS);
  if (flags.help) {
    out.write(TRAIN_USAGE);
    return 0;
  }
  if (positional.length > 0) throw new FlagError(`unexpected argument ${JSON.stringify(positional[0])}; flags start with --`);
  const config = buildConfig(flags);
  const path = (k: string) => flags[k] as string | undefined;
  checkPaths(
    { '--save': { path: path('save'), kind: null }, '--save-params': { path: path('save-params'), kind: 'params' }, '--json': { path: path('json'), kind: 'run' } },
    { '--dataset': datasetFile(flags), '--init-params': path('init-params'), '--resume': path('resume') },
    { save: '--save', resume: '--resume' },
  );
  checkSaveTarget(path('save'), path('resume'));
  const progress = new Progress(out, flags.quiet === true);
  const result = await runTraining(config, {
    save: (flags.save as string | undefined) ?? null,
    resume: (flags.resume as string | undefined) ?? null,
    hooks: { onStart: (i) => progress.start(i), onProgress: (i) => progress.progress(i), onEpoch: (r) => progress.epoch(r) },
    interruptible: true,
    stop,
  });
  stop?.throwIfAborted();
  if (result.interrupted) {
    const save = flags.save as string | undefined;
    out.write(`\ninterrupted after ${result.history.length} full epoch${result.history.length === 1 ? '' : 's'}; ${save ? `checkpoint written to ${save}: continue with the same flags and --resume ${save}` : 'no checkpoint was asked for (--save FILE)'}\n`);
    return 130;
  }
  progress.summary(result);
  if (flags['save-params']) writeParamsFile(flags['save-params'] as string, result.model);
  if (flags.json) writeFileAtomic(flags.json as string, jsonDocument(runJson(result)));
  return 0;
}
