/**
 * The raw curves of a comparison, for plotting elsewhere: CSV in long form (one row per
 * configuration and epoch, empty cells for absent metrics) or JSON (the whole Comparison).
 */
import { jsonDocument } from '../io/json.js';
import type { Comparison } from './types.js';

export const CSV_COLUMNS = Object.freeze(['configuration', 'epoch', 'trainLoss', 'trainAccuracy', 'testLoss', 'testAccuracy', 'seconds']);

function cell(v: string | number | null): string {
  if (v === null) return '';
  if (typeof v === 'number') return String(v);
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

export function curvesCsv(c: Comparison): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const e of c.entries) {
    for (const p of e.epochs) {
      lines.push([e.label, p.epoch, p.trainLoss, p.trainAccuracy, p.testLoss, p.testAccuracy, p.seconds].map(cell).join(','));
    }
  }
  return lines.join('\n') + '\n';
}

export function curvesJson(c: Comparison): string {
  return jsonDocument(c);
}
