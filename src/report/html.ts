/**
 * The comparison report: one self-contained HTML file (inline CSS and SVG, no script, no
 * external resources) with a chart per metric, training and test loss and accuracy, one curve
 * per configuration, and the results table.
 */
import { seriesStyle, strokeAttributes, type SeriesStyle } from './style.js';
import { summaryColumns, type SummaryColumn } from './summary.js';
import { lineChart, type Series } from './svg.js';
import { METRICS, type Comparison, type ComparisonEntry, type MetricKey } from './types.js';
import { escapeXml } from './xml.js';

const pct = (x: number | null) => (x === null ? '–' : `${(100 * x).toFixed(2)}%`);
const num = (x: number | null) => (x === null ? '–' : Math.abs(x) < 1e-3 && x !== 0 ? x.toExponential(3) : x.toFixed(4));

/** The series of one metric, accuracy in percent; metrics no configuration has are left out. */
export function metricSeries(c: Comparison, key: MetricKey): Series[] {
  const scale = key.endsWith('Accuracy') ? 100 : 1;
  return c.entries.map((e, i) => ({
    label: e.label,
    ...seriesStyle(i),
    points: e.epochs.map((p) => [p.epoch, p[key] === null ? NaN : (p[key] as number) * scale] as const),
  }));
}

/** Charts with at least one drawable value: [key, svg]. */
export function charts(c: Comparison): [MetricKey, string][] {
  const out: [MetricKey, string][] = [];
  for (const [key, title, yLabel] of METRICS) {
    const series = metricSeries(c, key);
    if (!series.some((s) => s.points.some(([, y]) => Number.isFinite(y)))) continue;
    const values = series.flatMap((s) => s.points.map(([, y]) => y)).filter((y) => Number.isFinite(y) && y > 0);
    const spansDecades = key.endsWith('Loss') && values.length > 0 && Math.max(...values) / Math.min(...values) > 30;
    out.push([key, lineChart({ title, xLabel: 'epoch', yLabel, series, logY: spansDecades, integerX: true })]);
  }
  return out;
}

/** A configuration's line as the charts draw it, dash and all, to find it by in the legends. */
function swatch(style: SeriesStyle): string {
  return `<svg class="swatch" width="28" height="12" viewBox="0 0 28 12"><line x1="2" x2="26" y1="6" y2="6" ${strokeAttributes(style, 3)}/></svg>`;
}

/** `adam lr=0.01 betas=0.9,0.99`: the optimizer and its settings. */
export function optimizerText(o: NonNullable<ComparisonEntry['optimizer']>): string {
  return [o.name, ...Object.entries(o.options).map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(',') : v}`)].join(' ');
}

function row(e: ComparisonEntry, columns: readonly SummaryColumn[], target: number | null, style: SeriesStyle, optimizers: boolean, hashes: boolean): string {
  const cells = [
    `<td>${swatch(style)}${escapeXml(e.label)}</td>`,
    ...(optimizers ? [`<td class="optimizer">${e.optimizer ? escapeXml(optimizerText(e.optimizer)) : '–'}</td>`] : []),
    ...columns.map((col) => `<td>${col.kind === 'loss' ? num(col.value(e)) : pct(col.value(e))}</td>`),
  ];
  if (target !== null) cells.push(`<td>${e.epochsToTarget ?? 'not reached'}</td>`);
  cells.push(`<td>${e.seconds.toFixed(1)} s</td>`);
  if (hashes) cells.push(`<td class="hash">${e.paramsSha256?.slice(0, 12) ?? '–'}</td>`);
  return `<tr>${cells.join('')}</tr>`;
}

export function resultsTable(c: Comparison): string {
  // The optimizer column, when the entries say what they used (gradpool compare's do).
  const optimizers = c.entries.some((e) => e.optimizer !== undefined);
  const columns = summaryColumns(c);
  const head = ['configuration', ...(optimizers ? ['optimizer'] : []), ...columns.map((col) => col.title)];
  if (c.target !== null) head.push(`epochs to ${pct(c.target)}`);
  // The parameters' hash, when the entries have one (gradpool compare's do; curvesReport's do not).
  const hashes = c.entries.some((e) => e.paramsSha256 !== undefined);
  head.push('time', ...(hashes ? ['params sha256'] : []));
  const rows = c.entries.map((e, i) => row(e, columns, c.target, seriesStyle(i), optimizers, hashes));
  return `<table class="results">\n<thead><tr>${head.map((h) => `<th>${escapeXml(h)}</th>`).join('')}</tr></thead>\n<tbody>\n${rows.join('\n')}\n</tbody>\n</table>`;
}

/** In every report's head: how `gradpool compare --report` knows a file it may replace (cli/outputKinds.ts). */
export const REPORT_MARKER = '<meta name="generator" content="gradpool">';

export function reportHtml(c: Comparison): string {
  const figures = charts(c).map(([key, svg]) => `<figure data-metric="${key}">\n${svg}\n</figure>`);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
${REPORT_MARKER}
<title>${escapeXml(c.title)}</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #222; }
h1 { font-size: 20px; margin: 0 0 4px; }
p.subtitle { color: #555; margin: 0 0 16px; }
.charts { display: flex; flex-wrap: wrap; gap: 16px; }
figure { margin: 0; border: 1px solid #ddd; border-radius: 4px; padding: 4px; }
svg text { font: 12px system-ui, sans-serif; fill: #333; }
svg text.title { font-size: 14px; }
table.results { border-collapse: collapse; margin-top: 20px; }
table.results th, table.results td { border: 1px solid #ccc; padding: 4px 10px; text-align: right; }
table.results th:first-child, table.results td:first-child, table.results td.optimizer { text-align: left; }
.swatch { margin-right: 6px; vertical-align: middle; }
td.hash { font-family: monospace; color: #666; }
</style>
</head>
<body>
<h1>${escapeXml(c.title)}</h1>
<p class="subtitle">${escapeXml(c.subtitle)}</p>
<div class="charts">
${figures.join('\n')}
</div>
${resultsTable(c)}
</body>
</html>
`;
}
