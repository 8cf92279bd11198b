/**
 * A line chart as an inline SVG string: labelled axes with "nice" ticks (1, 2, 5 × 10^k), an
 * optional log-scaled y axis for losses that span decades, one <path class="curve"> per
 * series, and a legend. No script and no external resources, so the report is one file that
 * opens anywhere.
 */

export interface Series {
  label: string;
  color: string;
  /** [x, y] points; non-finite y values break the line. */
  points: readonly (readonly [number, number])[];
}

export interface ChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  series: readonly Series[];
  width?: number;
  height?: number;
  /** Logarithmic y axis (ignored when a value is <= 0). */
  logY?: boolean;
}

/** Ten colors that stay distinguishable (Tableau 10). */
export const PALETTE = Object.freeze(['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac']);

export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Round ticks covering [lo, hi], about `count` of them. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw)!;
  const ticks: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) ticks.push(Number(t.toPrecision(12)));
  return ticks;
}

function fmtTick(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 1e4 || a < 1e-3 ? v.toExponential(0) : String(Number(v.toPrecision(4)));
}

export function lineChart(o: ChartOptions): string {
  const width = o.width ?? 560;
  const height = o.height ?? 340;
  const m = { left: 64, right: 16, top: 36, bottom: 48 };
  const legendRows = Math.ceil(o.series.length / 3);
  const plotW = width - m.left - m.right;
  const plotH = height - m.top - m.bottom;
  const all = o.series.flatMap((s) => s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y)));
  const xs = all.map(([x]) => x);
  const ys = all.map(([, y]) => y);
  const log = o.logY === true && ys.length > 0 && Math.min(...ys) > 0;
  const fy = (y: number) => (log ? Math.log10(y) : y);
  let x0 = xs.length ? Math.min(...xs) : 0;
  let x1 = xs.length ? Math.max(...xs) : 1;
  if (x1 === x0) [x0, x1] = [x0 - 1, x1 + 1];
  let y0 = ys.length ? Math.min(...ys.map(fy)) : 0;
  let y1 = ys.length ? Math.max(...ys.map(fy)) : 1;
  if (y1 === y0) [y0, y1] = [y0 - 0.5, y1 + 0.5];
  const pad = (y1 - y0) * 0.05;
  y0 -= pad;
  y1 += pad;
  const px = (x: number) => m.left + ((x - x0) / (x1 - x0)) * plotW;
  const py = (y: number) => m.top + (1 - (fy(y) - y0) / (y1 - y0)) * plotH;
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="${width}" height="${height + legendRows * 18 + 8}" viewBox="0 0 ${width} ${height + legendRows * 18 + 8}" role="img" aria-label="${escapeXml(o.title)}">`);
  parts.push(`<text class="title" x="${width / 2}" y="20" text-anchor="middle" font-weight="bold">${escapeXml(o.title)}</text>`);
  // Grid and ticks.
  for (const t of niceTicks(x0, x1, 6)) {
    const x = px(t).toFixed(1);
    parts.push(`<line class="grid" x1="${x}" x2="${x}" y1="${m.top}" y2="${m.top + plotH}" stroke="#eee"/>`);
    parts.push(`<text class="tick" x="${x}" y="${m.top + plotH + 16}" text-anchor="middle">${fmtTick(t)}</text>`);
  }
  const yTicks = log ? niceTicks(Math.floor(y0), Math.ceil(y1), 5).filter((t) => Number.isInteger(t) && t >= y0 && t <= y1).map((t) => 10 ** t) : niceTicks(y0, y1, 5);
  for (const t of yTicks) {
    const y = py(t).toFixed(1);
    parts.push(`<line class="grid" x1="${m.left}" x2="${m.left + plotW}" y1="${y}" y2="${y}" stroke="#eee"/>`);
    parts.push(`<text class="tick" x="${m.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${fmtTick(t)}</text>`);
  }
  parts.push(`<rect x="${m.left}" y="${m.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#999"/>`);
  parts.push(`<text class="axis-label x" x="${m.left + plotW / 2}" y="${m.top + plotH + 36}" text-anchor="middle">${escapeXml(o.xLabel)}</text>`);
  parts.push(`<text class="axis-label y" transform="translate(16 ${m.top + plotH / 2}) rotate(-90)" text-anchor="middle">${escapeXml(o.yLabel + (log ? ' (log scale)' : ''))}</text>`);
  // Curves: a new subpath (M) after every gap.
  for (const s of o.series) {
    let d = '';
    let pen = false;
    for (const [x, y] of s.points) {
      if (!Number.isFinite(x) || !Number.isFinite(y) || (log && y <= 0)) {
        pen = false;
        continue;
      }
      d += `${pen ? 'L' : 'M'}${px(x).toFixed(2)},${py(y).toFixed(2)}`;
      pen = true;
    }
    // A single point draws as a dot, so a one-epoch run is still visible.
    if (d !== '' && !d.includes('L')) d += 'h0.01';
    parts.push(`<path class="curve" data-series="${escapeXml(s.label)}" d="${d}" fill="none" stroke="${s.color}" stroke-width="2" stroke-linejoin="round" stroke-linecap="round"/>`);
  }
  // Legend below the plot, three entries a row.
  o.series.forEach((s, i) => {
    const lx = m.left + (i % 3) * (plotW / 3);
    const ly = height + 4 + Math.floor(i / 3) * 18;
    parts.push(`<g class="legend-item"><line x1="${lx}" x2="${lx + 18}" y1="${ly}" y2="${ly}" stroke="${s.color}" stroke-width="3"/><text x="${lx + 24}" y="${ly}" dominant-baseline="middle">${escapeXml(s.label)}</text></g>`);
  });
  parts.push('</svg>');
  return parts.join('\n');
}
