/** What a comparison report shows: per configuration, its curves and its summary row. */
import type { EpochRecord } from '../train/trainer.js';

/** One epoch of a curve: the trainer's record without its throughput. */
export type CurvePoint = Omit<EpochRecord, 'samplesPerSecond'>;

export interface ComparisonEntry {
  label: string;
  epochs: CurvePoint[];
  finalTestLoss: number | null;
  finalTestAccuracy: number | null;
  bestTestLoss: number | null;
  bestTestAccuracy: number | null;
  /** First epoch whose test accuracy reached the target, null if never (or no target). */
  epochsToTarget: number | null;
  seconds: number;
  /** SHA-256 of the final parameters (gradpool compare's entries; absent for curvesReport's). */
  paramsSha256?: string;
  /** The optimizer and every setting it was given (createOptimizer's option names), when known. */
  optimizer?: { name: string; options: Record<string, number | boolean | number[]> };
}

export interface Comparison {
  title: string;
  /** A line about the shared settings (dataset, model, epochs, batch). */
  subtitle: string;
  /** The target accuracy, as a fraction, or null. */
  target: number | null;
  entries: ComparisonEntry[];
  /** Set when Ctrl-C ended the comparison: `entries` are the configurations that had finished. */
  interrupted?: { finished: number; configurations: number };
}

/** The curves a report draws: [key, chart title, y-axis label]. Accuracy ones only when present. */
export const METRICS = Object.freeze([
  ['trainLoss', 'Training loss', 'loss'],
  ['testLoss', 'Test loss', 'loss'],
  ['trainAccuracy', 'Training accuracy', 'accuracy (%)'],
  ['testAccuracy', 'Test accuracy', 'accuracy (%)'],
] as const);

export type MetricKey = (typeof METRICS)[number][0];

/** The best (lowest loss, highest accuracy) of a metric over the epochs, null when absent. */
export function best(points: readonly CurvePoint[], key: 'testLoss' | 'testAccuracy'): number | null {
  const values = points.map((p) => p[key]).filter((v): v is number => v !== null && Number.isFinite(v));
  if (values.length === 0) return null;
  return key === 'testLoss' ? Math.min(...values) : Math.max(...values);
}
