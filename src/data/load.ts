/**
 * Datasets by name, ready to train on: `xor`, `addition`, `iris`, `mnist`, `spiral`, or
 * `csv:PATH`. Each is split into training and test rows (stratified and seeded with a fixed
 * seed, so the test set is the same in every run), then optionally standardized with the
 * training rows' statistics only, so nothing about the test set leaks into training.
 */
import { optionError } from '../errors.js';
import { additionTables, irisTable, spiralTable, xorTable } from './builtin.js';
import { csvTable, type CsvOptions } from './csvTable.js';
import { mnistTable } from './mnist.js';
import { SplitError, splitIndices } from './split.js';
import { standardization, standardize, subset, type Standardization, type Table } from './table.js';

export const DATASET_NAMES = Object.freeze(['xor', 'addition', 'iris', 'mnist', 'spiral'] as const);
/** Datasets whose test set is fixed (XOR: its own four points; addition: the tutorial's three queries). */
export const FIXED_TEST = Object.freeze(['xor', 'addition']);
/** Test fraction when none is given. */
export const DEFAULT_TEST_SPLIT = 0.2;
/** Seed of every split: the test rows do not change with the training seed. */
export const SPLIT_SEED = 0;

export interface DataOptions extends CsvOptions {
  /** Fraction of rows held out for testing (default 0.2; 0: no test set). Not for xor/addition. */
  testSplit?: number;
  standardize?: boolean;
}

export interface LoadedData {
  name: string;
  train: Table;
  test: Table | null;
  standardization: Standardization | null;
}

/** Whether `spec` names a dataset (`csv:` with a non-empty path, or a built-in name). */
export function isDatasetSpec(spec: string): boolean {
  return (spec.startsWith('csv:') && spec.length > 4) || (DATASET_NAMES as readonly string[]).includes(spec);
}

/** Split `t`; a fraction > 0 that holds out no row is refused (SplitError) rather than giving no test set. */
function splitTable(t: Table, fraction: number): { train: Table; test: Table | null } {
  if (fraction > 0 && Math.round(t.rows * fraction) === 0) throw new SplitError(t.rows, fraction, 0);
  const { train, test } = splitIndices(t.rows, fraction, SPLIT_SEED, t.task === 'classification' ? t.labels : undefined);
  return { train: subset(t, train), test: test.length > 0 ? subset(t, test) : null };
}

export function loadData(spec: string, options: DataOptions = {}): LoadedData {
  if (!isDatasetSpec(spec)) throw optionError('dataset', `one of ${DATASET_NAMES.join(', ')} or csv:PATH`, spec);
  let parts: { train: Table; test: Table | null };
  if (FIXED_TEST.includes(spec)) {
    if (options.testSplit !== undefined) throw new TypeError(`${spec} has a fixed test set; a test split does not apply`);
    if (spec === 'xor') {
      const t = xorTable();
      parts = { train: t, test: t };
    } else {
      parts = additionTables();
    }
  } else {
    const fraction = options.testSplit ?? DEFAULT_TEST_SPLIT;
    const table = spec === 'iris' ? irisTable() : spec === 'mnist' ? mnistTable() : spec === 'spiral' ? spiralTable() : csvTable(spec.slice(4), options);
    parts = splitTable(table, fraction);
  }
  if (!options.standardize) return { name: spec, ...parts, standardization: null };
  const s = standardization(parts.train);
  return { name: spec, train: standardize(parts.train, s), test: parts.test && standardize(parts.test, s), standardization: s };
}
