/**
 * A CSV file as a dataset: the label is the last column unless named, and the task is
 * classification when every label is an integer in 0..K-1 (K ≥ 2), regression when a label is
 * negative or not an integer, or when asked. Non-negative integer labels that are not 0..K-1
 * (a class missing, as with labels 1..10) or that hold a single class are refused, since a
 * classifier would have empty classes or nothing to tell apart: the error suggests relabelling
 * or --task regression. Errors in labels point at the cell, as parse errors do.
 */
import { readFileSync } from 'node:fs';
import { DataError, optionError } from '../errors.js';
import { cellColumn, csvError, csvText, parseCsv, shownName, shownNames } from './csv.js';
import type { Table } from './table.js';

export interface CsvOptions {
  /** The label column's name (default: the last column). */
  label?: string;
  /** Force the task; by default it is inferred from the labels. */
  task?: 'classification' | 'regression';
}

export function csvTable(file: string, options: CsvOptions = {}): Table {
  if (options.task !== undefined && options.task !== 'classification' && options.task !== 'regression') throw optionError('csv options.task', '"classification" or "regression"', options.task);
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    throw new DataError(`${file}: cannot read the CSV file: ${(e as Error).message}`);
  }
  const text = csvText(bytes, file);
  const t = parseCsv(text, file);
  const width = t.header.length;
  if (width < 2) throw csvError(file, t.headerLine, 1, `need at least two columns (features and a label), got ${width}: ${shownNames(t.header)}`);
  let labelCol = width - 1;
  if (options.label !== undefined) {
    labelCol = t.header.indexOf(options.label);
    if (labelCol < 0) throw new DataError(`${file}: no column named "${options.label}" for the label; the columns are ${t.header.map(shownName).join(', ')}`);
  }
  const featureNames = t.header.filter((_, j) => j !== labelCol);
  const d = width - 1;
  const x = new Float64Array(t.rows * d);
  const y = new Float64Array(t.rows);
  for (let r = 0; r < t.rows; r++) {
    let c = 0;
    for (let j = 0; j < width; j++) {
      const v = t.values[r * width + j];
      if (j === labelCol) y[r] = v;
      else x[r * d + c++] = v;
    }
  }
  const firstNonClass = y.findIndex((v) => !Number.isInteger(v) || v < 0);
  const name = `csv:${file}`;
  const column = `column "${shownName(t.header[labelCol])}"`;
  // Non-negative integer labels are classes 0..K-1 unless --task regression; anything else is a regression target.
  if (options.task === 'regression' || (options.task === undefined && firstNonClass >= 0)) return { name, task: 'regression', featureNames, x, rows: t.rows, targets: y, lines: t.lines };
  if (firstNonClass >= 0) {
    const lineNo = t.lines[firstNonClass];
    throw csvError(file, lineNo, cellColumn(text, file, lineNo, labelCol), `${column}: a class label must be an integer 0..K-1, got ${y[firstNonClass]} (use --task regression for real-valued targets)`);
  }
  const counts = new Map<number, number>();
  for (const v of y) counts.set(v, (counts.get(v) ?? 0) + 1);
  const present = [...counts.keys()].sort((a, b) => a - b);
  const classes = present[present.length - 1] + 1;
  const orRegress = options.task === undefined ? ', or use --task regression if they are numbers to predict rather than classes' : '';
  if (present.length < 2) {
    throw new DataError(`${file}: ${column} has a single class (every label is ${present[0]}); a classifier needs at least 2 classes: add rows of another class${orRegress}`);
  }
  if (present.length < classes) {
    // Counted up to the first few: a column of IDs or timestamps has labels in the billions.
    const missing: number[] = [];
    for (let k = 0; k < classes && missing.length < 6; k++) if (!counts.has(k)) missing.push(k);
    const missingCount = classes - present.length;
    const which = missingCount === 1 ? `class ${missing[0]} never occurs` : `classes ${missing.slice(0, 5).join(', ')}${missingCount > 5 ? ', …' : ''} never occur`;
    throw new DataError(`${file}: ${column} holds integer labels ${present[0]}..${classes - 1}, taken as classes 0..${classes - 1}, but ${which}: a classifier would have ${classes} outputs and ${missingCount} empty class${missingCount === 1 ? '' : 'es'}; relabel them 0..${present.length - 1}${orRegress}`);
  }
  return { name, task: 'classification', featureNames, x, rows: t.rows, labels: Int32Array.from(y), classes, lines: t.lines };
}
