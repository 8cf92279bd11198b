/**
 * Loss curves of runs made in a script: `curvesReport([{ label, history }, …])` turns trainer
 * histories (what `fit()` returns) into the self-contained HTML report `gradpool compare
 * --report` writes: a chart per metric, one curve per run, and a table of final and best values.
 */
import { optionError } from '../errors.js';
import type { EpochRecord } from '../train/records.js';
import { reportHtml } from './html.js';
import { best, type Comparison, type ComparisonEntry } from './types.js';

export interface RunHistory {
  /** The curve's name in the legend and the table. */
  label: string;
  history: readonly EpochRecord[];
}

export interface CurvesReportOptions {
  title?: string;
  /** A line under the title, e.g. the shared settings. */
  subtitle?: string;
  /** A test accuracy (a fraction) whose first epoch the table gives per run. */
  target?: number | null;
}

/** The report's entry for one run: its curves, and final and best values from its history. */
export function entryFromHistory(run: RunHistory, target: number | null): ComparisonEntry {
  const epochs = run.history.map((r) => ({
    epoch: r.epoch, trainLoss: r.trainLoss, trainAccuracy: r.trainAccuracy, testLoss: r.testLoss, testAccuracy: r.testAccuracy, seconds: r.seconds,
  }));
  const last = epochs[epochs.length - 1];
  const reached = target === null ? undefined : epochs.find((p) => p.testAccuracy !== null && p.testAccuracy >= target);
  return {
    label: run.label,
    epochs,
    finalTestLoss: last?.testLoss ?? null,
    finalTestAccuracy: last?.testAccuracy ?? null,
    bestTestLoss: best(epochs, 'testLoss'),
    bestTestAccuracy: best(epochs, 'testAccuracy'),
    epochsToTarget: reached ? reached.epoch : null,
    seconds: epochs.reduce((s, p) => s + p.seconds, 0),
  };
}

/** The HTML report of `runs` (write it to a .html file and open it in a browser). */
export function curvesReport(runs: readonly RunHistory[], options: CurvesReportOptions = {}): string {
  if (!Array.isArray(runs) || runs.length === 0) throw optionError('curvesReport runs', 'a non-empty array of { label, history }', runs);
  runs.forEach((r, i) => {
    if (!r || typeof r.label !== 'string' || !Array.isArray(r.history)) throw optionError(`curvesReport runs[${i}]`, '{ label: string, history: EpochRecord[] } (history as fit() returns it)', r);
  });
  const labels = runs.map((r) => r.label);
  const repeated = labels.find((l, i) => labels.indexOf(l) !== i);
  if (repeated !== undefined) throw new TypeError(`curvesReport runs: the label "${repeated}" is given twice; each run needs its own`);
  const target = options.target ?? null;
  if (target !== null && !(typeof target === 'number' && target > 0 && target <= 1)) throw optionError('curvesReport options.target', 'a test accuracy in (0, 1]', target);
  const comparison: Comparison = {
    title: options.title ?? `loss curves: ${labels.join(', ')}`,
    subtitle: options.subtitle ?? '',
    target,
    entries: runs.map((r) => entryFromHistory(r, target)),
  };
  return reportHtml(comparison);
}
