/**
 * `gradpool compare`: train several configurations from the same initial weights and data
 * order, print a results table, and write the report, curves and JSON the flags ask for.
 * Small models (and models up to 2^20 parameters when the configurations fill the threads) run
 * several configurations at once, one thread each, in worker threads; others run one after
 * another, each data-parallel on all threads (the rule and its reasons: concurrentRuns.ts).
 * A run's numbers do not depend on which.
 */
import { checkPaths, datasetFile } from './paths.js';
import { writeFileAtomic } from '../io/atomicWrite.js';
import { ACTIVATIONS } from '../nn/activation.js';
import { curvesCsv, curvesJson } from '../report/curves.js';
import { reportHtml } from '../report/html.js';
import { entryFromHistory } from '../report/history.js';
import { summaryColumns } from '../report/summary.js';
import type { Comparison, ComparisonEntry } from '../report/types.js';
import type { LoadedData } from '../data/load.js';
import type { EpochRecord } from '../train/trainer.js';
import { fitToData, loadTables, runDataOf } from './build.js';
import { checkHiddenFlags, type RunConfig } from './config.js';
import { COMPARE_OPTIMIZERS, compareConfigs, fullOptimizerSettings, PRESETS, type CompareConfig } from './compareConfigs.js';
import { CONCURRENT_MODES, CONCURRENT_PARAMS, CONCURRENT_STEP_WORK, describePlan, labelled, planRuns, runConcurrently, type ConcurrentMode, type RunPlan } from './concurrentRuns.js';
import { flagHelp, FlagError, parseFlags, type FlagTable } from './flags.js';
import { duration, epochLine, num, pct, type Out } from './progress.js';
import { runTraining, type RunSummary } from './run.js';
import { DATA_FLAGS, LOOP_FLAGS, MODEL_FLAGS, OPTIMIZER_FLAGS, SCHEDULE_FLAGS } from './trainFlags.js';

export const COMPARE_OWN_FLAGS: FlagTable = Object.freeze({
  optimizers: { type: 'list', help: 'optimizers to compare, each with optional settings: sgd,momentum,adam:lr=0.001,rmsprop:lr=0.001:alpha=0.9', choices: COMPARE_OPTIMIZERS },
  lrs: { type: 'numbers', help: 'learning rates to compare, e.g. 0.001,0.01,0.1,1' },
  depths: { type: 'numbers', help: 'numbers of hidden layers to compare (each as wide as the first hidden layer of --model, or of the dataset\'s model)' },
  activations: { type: 'list', help: 'hidden activations to compare', choices: ACTIVATIONS },
  preset: { type: 'string', help: 'a ready-made comparison', choices: Object.keys(PRESETS) },
  target: { type: 'number', help: 'test accuracy to reach, as a fraction (0.95) or percent (95): the table gives the epochs it took' },
  report: { type: 'string', help: 'write an HTML report with SVG charts of every curve and the table' },
  csv: { type: 'string', help: 'write the raw curves as CSV (one row per configuration and epoch)' },
  json: { type: 'string', help: 'write the comparison (curves and results) as JSON' },
  concurrent: { type: 'string', help: `yes: configurations at once, one thread each, up to --threads at a time; no: one after another, data-parallel on all threads; auto: yes for small models (parameters × batch rows ≤ ${CONCURRENT_STEP_WORK.toLocaleString('en-US')}), or when there are at least as many configurations as threads and at most ${CONCURRENT_PARAMS.toLocaleString('en-US')} parameters (default auto)`, choices: CONCURRENT_MODES },
  quiet: { type: 'boolean', help: 'print only the table' },
  help: { type: 'boolean', help: 'show this help' },
});

export const COMPARE_FLAGS: FlagTable = Object.freeze({
  ...COMPARE_OWN_FLAGS, ...DATA_FLAGS, ...MODEL_FLAGS, ...OPTIMIZER_FLAGS, ...SCHEDULE_FLAGS, ...LOOP_FLAGS,
});

export const COMPARE_USAGE = `usage: gradpool compare (--optimizers LIST | --lrs LIST | --depths LIST | --activations LIST | --preset NAME) [flags]

Train several configurations from the same initial weights and the same data order, and
compare their training and test curves. Every train flag sets the shared configuration. With
--optimizers, each optimizer starts from the settings gradpool train uses for it on the dataset
(the dataset's own for its optimizer, else the suggested lr); sgd is plain SGD, momentum and
nesterov are SGD with momentum 0.9; optimizer flags (--lr, --weight-decay, …) then apply to each
optimizer that takes them, and "name:key=value" settings to one. --json and --report record
every setting each configuration used.

Presets:
${Object.entries(PRESETS).map(([k, p]) => `  ${k.padEnd(16)}${p.help}`).join('\n')}

Comparison:
${flagHelp(COMPARE_OWN_FLAGS)}

Shared configuration (as for gradpool train):
${flagHelp({ ...DATA_FLAGS, ...MODEL_FLAGS, ...OPTIMIZER_FLAGS, ...SCHEDULE_FLAGS, ...LOOP_FLAGS })}

Examples:
  gradpool compare --preset learning-rates --report lr.html
  gradpool compare --dataset iris --standardize --optimizers sgd,momentum,adam:lr=0.01 --epochs 50 --target 0.95
  gradpool compare --preset optimizers --epochs 10 --report optimizers.html --csv curves.csv
`;

export function entryOf(label: string, result: RunSummary, target: number | null): ComparisonEntry {
  // The final values are the run's own evaluation (after early stopping put the best weights back).
  return {
    ...entryFromHistory({ label, history: result.history }, target),
    finalTestLoss: result.final.testLoss,
    finalTestAccuracy: result.final.testAccuracy,
    paramsSha256: result.final.paramsSha256,
    optimizer: fullOptimizerSettings(result.config),
  };
}

/** The results as a fixed-width text table. */
export function textTable(c: Comparison): string {
  const columns = summaryColumns(c);
  const head = ['configuration', ...columns.map((col) => col.title.replace('accuracy', 'acc'))];
  if (c.target !== null) head.push(`epochs to ${pct(c.target)}`);
  head.push('time');
  const rows = c.entries.map((e) => {
    const r = [e.label, ...columns.map((col) => (col.kind === 'loss' ? num(col.value(e)) : pct(col.value(e))))];
    if (c.target !== null) r.push(e.epochsToTarget === null ? 'not reached' : String(e.epochsToTarget));
    r.push(duration(e.seconds));
    return r;
  });
  const widths = head.map((h, j) => Math.max(h.length, ...rows.map((r) => r[j].length)));
  const line = (r: string[]) => r.map((v, j) => (j === 0 ? v.padEnd(widths[j]) : v.padStart(widths[j]))).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n') + '\n';
}

function subtitle(configs: CompareConfig[]): string {
  const c = configs[0].config;
  const batch = c.batchSize === 'full' ? 'full batch' : `batch ${c.batchSize}`;
  return `${c.dataset}; model ${c.model.join('-')}; ${c.epochs} epochs; ${batch}; seed ${c.seed}; ${c.dtype}`;
}

/** --target counts epochs to a test accuracy: refused, naming it, where there is none (no test set, or regression). */
export function checkTarget(given: number, config: RunConfig, loaded: LoadedData): void {
  if (loaded.test === null) {
    throw new FlagError(`--target ${given}: the epochs to a test accuracy need a test set, and --test-split 0 holds out none of ${config.dataset}; drop --target, or give --test-split a fraction such as 0.2`);
  }
  if (loaded.train.task === 'regression') {
    throw new FlagError(`--target ${given}: ${config.dataset} is a regression task, which has no accuracy to reach; drop --target (the table and report give the test loss)`);
  }
}

export interface ComparisonOptions {
  /** The accuracy whose epochs the table reports, or null. */
  target?: number | null;
  /** --target as the user gave it (95 for 0.95), for errors. */
  targetGiven?: number;
  /** Run configurations at once, one after another, or decide by the model's size (planRuns). */
  concurrent?: ConcurrentMode;
  /** How the configurations will run, once decided. */
  onPlan?(plan: RunPlan): void;
  onEpoch?(label: string, record: EpochRecord): void;
  /** Aborting it stops every run; runComparison then throws its reason (outputClosed.ts). */
  stop?: AbortSignal;
  /**
   * Aborting it (Ctrl-C) stops every run after its step in flight; runComparison then returns
   * the configurations that had finished, marked `interrupted`.
   */
  interrupt?: AbortSignal;
}

/**
 * Run every configuration, at once in worker threads or one after another (planRuns), and
 * gather the results in the order of `configs`. The data are loaded once. An error names its
 * configuration.
 */
export async function runComparison(configs: CompareConfig[], options: ComparisonOptions = {}): Promise<Comparison> {
  const target = options.target ?? null;
  const loaded = loadTables(configs[0].config);
  if (target !== null) checkTarget(options.targetGiven ?? target, configs[0].config, loaded);
  for (const { label, config } of configs) {
    try {
      fitToData(config, loaded);
    } catch (e) {
      throw labelled(label, e);
    }
  }
  // With the data's widths known, --residual must act on at least one model (compareConfigs could not always tell).
  if (configs[0].config.residual) checkHiddenFlags(['residual'], configs.map((c) => c.config.model), configs[0].config.dataset);
  const plan = planRuns(configs, loaded.train.rows, options.concurrent ?? 'auto');
  options.onPlan?.(plan);
  const { stop, interrupt } = options;
  let results: Array<RunSummary | undefined>;
  if (plan.concurrent) {
    const each = configs.map(({ label, config }) => ({ label, config: { ...config, threads: plan.threadsEach } }));
    results = await runConcurrently(each, loaded, plan.slots, options.onEpoch, stop, interrupt);
  } else {
    const data = runDataOf(configs[0].config, loaded);
    const either = stop && interrupt ? AbortSignal.any([stop, interrupt]) : (stop ?? interrupt);
    results = [];
    for (const { label, config } of configs) {
      stop?.throwIfAborted();
      if (interrupt?.aborted) break;
      try {
        const { model: _model, ...summary } = await runTraining(config, { data, hooks: { onEpoch: (r) => options.onEpoch?.(label, r) }, stop: either });
        // A run that Ctrl-C cut short has no result.
        if (!summary.interrupted) results.push(summary);
      } catch (e) {
        throw labelled(label, e);
      }
    }
    stop?.throwIfAborted();
  }
  const entries = configs.flatMap(({ label }, i) => (results[i] ? [entryOf(label, results[i]!, target)] : []));
  const what = configs.map((c) => c.label).join(', ');
  const comparison: Comparison = { title: `gradpool compare: ${what}`, subtitle: subtitle(configs), target, entries };
  if (interrupt?.aborted) comparison.interrupted = { finished: entries.length, configurations: configs.length };
  return comparison;
}

/**
 * Runs `gradpool compare`. When `stop` is aborted (stdout failed) the runs end and its reason is
 * thrown; no file is written. When `interrupt` is (Ctrl-C), the runs end after their step in
 * flight, and the table and files hold the configurations that had finished.
 */
export async function compareCommand(argv: readonly string[], out: Out, stop?: AbortSignal, interrupt?: AbortSignal): Promise<void> {
  const { flags, positional } = parseFlags(argv, COMPARE_FLAGS);
  if (flags.help) {
    out.write(COMPARE_USAGE);
    return;
  }
  if (positional.length > 0) throw new FlagError(`unexpected argument ${JSON.stringify(positional[0])}; flags start with --`);
  let target: number | null = (flags.target as number | undefined) ?? null;
  if (target !== null) {
    if (!(target > 0 && target <= 100)) throw new FlagError(`--target must be an accuracy in (0, 1] or a percent in (1, 100], got ${target}`);
    if (target > 1) target /= 100;
  }
  const configs = compareConfigs(flags);
  const path = (k: string) => flags[k] as string | undefined;
  checkPaths({ '--report': { path: path('report'), kind: 'report' }, '--csv': { path: path('csv'), kind: 'curves' }, '--json': { path: path('json'), kind: 'comparison' } }, { '--dataset': datasetFile(flags) });
  const quiet = flags.quiet === true;
  const width = Math.max(...configs.map((c) => c.label.length));
  const comparison = await runComparison(configs, {
    target,
    targetGiven: flags.target as number | undefined,
    concurrent: (flags.concurrent as ConcurrentMode | undefined) ?? 'auto',
    onPlan: (plan) => {
      if (!quiet) out.write(describePlan(plan, configs.length));
    },
    // One line per finished epoch, labelled: runs at once interleave their lines.
    onEpoch: (label, r) => {
      if (!quiet) out.write(`${label.padEnd(width)}  ${epochLine(r, configs[0].config.epochs)}\n`);
    },
    stop,
    interrupt,
  });
  const cut = comparison.interrupted;
  if (cut) comparison.subtitle += `; interrupted: ${cut.finished} of ${cut.configurations} configurations finished`;
  if (comparison.entries.length > 0) {
    out.write(textTable(comparison));
    if (flags.report) writeFileAtomic(flags.report as string, reportHtml(comparison));
    if (flags.csv) writeFileAtomic(flags.csv as string, curvesCsv(comparison));
    if (flags.json) writeFileAtomic(flags.json as string, curvesJson(comparison));
  }
  if (cut) {
    const files = ['report', 'csv', 'json'].filter((k) => flags[k]).map((k) => `--${k}`);
    const kept = cut.finished === 0 ? 'no file was written' : files.length > 0 ? `the table and ${files.join(', ')} hold ${cut.finished === 1 ? 'it' : 'those'}` : `the table holds ${cut.finished === 1 ? 'it' : 'those'}`;
    out.write(`interrupted: ${cut.finished} of ${cut.configurations} configurations had finished; ${kept}\n`);
  }
}
