/**
 * The summary columns of a comparison's table. With a test set: the final test loss and accuracy
 * (gradpool compare evaluates the final weights) and the best over the epochs. Without one
 * (`--test-split 0`, or histories without test metrics) every test cell would be empty, so the
 * table compares the training metrics of the epochs instead: the last epoch's and the best.
 */
import type { Comparison, ComparisonEntry, CurvePoint } from './types.js';

export interface SummaryColumn {
  /** As the HTML table heads it; the text table abbreviates "accuracy" to "acc". */
  readonly title: string;
  readonly kind: 'loss' | 'accuracy';
  value(e: ComparisonEntry): number | null;
}

/** Whether any entry has a test metric. */
export function hasTestMetrics(c: Comparison): boolean {
  return c.entries.some((e) => e.finalTestLoss !== null || e.finalTestAccuracy !== null || e.epochs.some((p) => p.testLoss !== null || p.testAccuracy !== null));
}

const last = (e: ComparisonEntry, key: 'trainLoss' | 'trainAccuracy') => e.epochs[e.epochs.length - 1]?.[key] ?? null;

function bestOf(points: readonly CurvePoint[], key: 'trainLoss' | 'trainAccuracy'): number | null {
  const values = points.map((p) => p[key]).filter((v): v is number => v !== null && Number.isFinite(v));
  if (values.length === 0) return null;
  return key === 'trainLoss' ? Math.min(...values) : Math.max(...values);
}

const TEST_COLUMNS: readonly SummaryColumn[] = Object.freeze([
  { title: 'final test loss', kind: 'loss', value: (e) => e.finalTestLoss },
  { title: 'final test accuracy', kind: 'accuracy', value: (e) => e.finalTestAccuracy },
  { title: 'best test loss', kind: 'loss', value: (e) => e.bestTestLoss },
  { title: 'best test accuracy', kind: 'accuracy', value: (e) => e.bestTestAccuracy },
]);

const TRAIN_COLUMNS: readonly SummaryColumn[] = Object.freeze([
  { title: 'last train loss', kind: 'loss', value: (e) => last(e, 'trainLoss') },
  { title: 'last train accuracy', kind: 'accuracy', value: (e) => last(e, 'trainAccuracy') },
  { title: 'best train loss', kind: 'loss', value: (e) => bestOf(e.epochs, 'trainLoss') },
  { title: 'best train accuracy', kind: 'accuracy', value: (e) => bestOf(e.epochs, 'trainAccuracy') },
]);

export function summaryColumns(c: Comparison): readonly SummaryColumn[] {
  return hasTestMetrics(c) ? TEST_COLUMNS : TRAIN_COLUMNS;
}
