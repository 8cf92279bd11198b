/**
 * A line chart as an inline SVG string: labelled axes with round ticks, an optional log-scaled
 * y axis for losses that span decades, one <path class="curve"> per series, and a legend. No
 * script and no external resources, so the report is one file that opens anywhere.
 */
import { legendSvg, ROW_PX } from './legend.js';
import { strokeAttributes } from './style.js';
import { formatTick, integerTicks, logTicks, niceTicks } from './ticks.js';
import { escapeXml } from './xml.js';

export interface Series {
  label: string;
  color: string;
  /** An SVG stroke-dasharray; solid when absent or ''. */
  dash?: string;
  /** [x, y] points; non-finite values break the line. */
  points: readonly (readonly [number, number])[];
}

export interface ChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  series: readonly Series[];
  width?: number;
  height?: number;
  /**
   * Logarithmic y axis. Values <= 0 have no place on it: they break the line like NaN, and a
   * note under the chart counts them. Linear when no value is > 0.
   */
  logY?: boolean;
  /** The x values are counts, epochs: ticks at whole numbers within the data only. */
  integerX?: boolean;
}

const MARGIN = Object.freeze({ left: 64, right: 16, top: 36, bottom: 48 });
/** Radius of the dot that stands for a point with no neighbour to draw a line to. */
const DOT_R = 3;

type Point = readonly [number, number];

/** The runs of consecutive drawable points; anything else between them is a gap. */
function runs(points: readonly Point[], drawable: (p: Point) => boolean): Point[][] {
  const out: Point[][] = [];
  let run: Point[] = [];
  for (const p of points) {
    if (drawable(p)) {
      run.push(p);
    } else if (run.length > 0) {
      out.push(run);
      run = [];
    }
  }
  if (run.length > 0) out.push(run);
  return out;
}

/** Extent of the values, widened when they are all one value, so that they map to the middle. */
function extent(values: readonly number[], fallback: [number, number], widen: number): [number, number] {
  if (values.length === 0) return fallback;
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  return hi > lo ? [lo, hi] : [lo - widen, hi + widen];
}

export function lineChart(o: ChartOptions): string {
  const width = o.width ?? 560;
  const height = o.height ?? 340;
  const m = MARGIN;
  const plotW = width - m.left - m.right;
  const plotH = height - m.top - m.bottom;
  const finite = ([x, y]: Point) => Number.isFinite(x) && Number.isFinite(y);
  const all = o.series.flatMap((s) => s.points.filter(finite));
  const log = o.logY === true && all.some(([, y]) => y > 0);
  const drawable = (p: Point) => finite(p) && (!log || p[1] > 0);
  const hidden = all.length - all.filter(drawable).length;
  const fy = (y: number) => (log ? Math.log10(y) : y);

  // The x axis spans every x of the data, drawn or not: the charts of one run line up, and
  // where a curve stops (a diverged loss) shows.
  const xs = o.series.flatMap((s) => s.points.map(([x]) => x)).filter(Number.isFinite);
  const [x0, x1] = extent(xs, [0, 1], 1);
  let [y0, y1] = extent(all.filter(drawable).map(([, y]) => fy(y)), [0, 1], 0.5);
  const pad = (y1 - y0) * 0.05;
  [y0, y1] = [y0 - pad, y1 + pad];
  const px = (x: number) => m.left + ((x - x0) / (x1 - x0)) * plotW;
  const py = (y: number) => m.top + (1 - (fy(y) - y0) / (y1 - y0)) * plotH;

  const parts: string[] = [];
  // Grid and ticks.
  const xTicks = !o.integerX ? niceTicks(x0, x1, 6) : xs.length > 0 ? integerTicks(Math.min(...xs), Math.max(...xs), 6) : [];
  for (const t of xTicks) {
    const x = px(t).toFixed(1);
    parts.push(`<line class="grid" x1="${x}" x2="${x}" y1="${m.top}" y2="${m.top + plotH}" stroke="#eee"/>`);
    parts.push(`<text class="tick x" x="${x}" y="${m.top + plotH + 16}" text-anchor="middle">${formatTick(t)}</text>`);
  }
  for (const t of log ? logTicks(y0, y1) : niceTicks(y0, y1, 5)) {
    const y = py(t).toFixed(1);
    parts.push(`<line class="grid" x1="${m.left}" x2="${m.left + plotW}" y1="${y}" y2="${y}" stroke="#eee"/>`);
    parts.push(`<text class="tick y" x="${m.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${formatTick(t)}</text>`);
  }
  parts.push(`<rect x="${m.left}" y="${m.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#999"/>`);
  parts.push(`<text class="axis-label x" x="${m.left + plotW / 2}" y="${m.top + plotH + 36}" text-anchor="middle">${escapeXml(o.xLabel)}</text>`);
  parts.push(`<text class="axis-label y" transform="translate(16 ${m.top + plotH / 2}) rotate(-90)" text-anchor="middle">${escapeXml(o.yLabel + (log ? ' (log scale)' : ''))}</text>`);

  // Curves: a subpath per run of points. A lone point has no line to be part of, and a
  // subpath of one point draws nothing, so it is a dot.
  const at = ([x, y]: Point) => `${px(x).toFixed(2)},${py(y).toFixed(2)}`;
  for (const s of o.series) {
    const series = escapeXml(s.label);
    const pieces = runs(s.points, drawable);
    const d = pieces.filter((r) => r.length > 1).map((r) => r.map((p, i) => (i === 0 ? 'M' : 'L') + at(p)).join('')).join('');
    parts.push(`<path class="curve" data-series="${series}" d="${d}" fill="none" ${strokeAttributes(s, 2)} stroke-linejoin="round"/>`);
    for (const [[x, y]] of pieces.filter((r) => r.length === 1)) {
      parts.push(`<circle class="point" data-series="${series}" cx="${px(x).toFixed(2)}" cy="${py(y).toFixed(2)}" r="${DOT_R}" fill="${escapeXml(s.color)}"/>`);
    }
  }

  // The legend below the plot; a series with nothing drawn keeps its entry, which says why.
  const legend = legendSvg(
    o.series.map((s) => ({
      label: s.label,
      color: s.color,
      dash: s.dash ?? '',
      note: !s.points.some(finite) ? '(no finite values)' : !s.points.some(drawable) ? '(no values > 0)' : undefined,
    })),
    m.left,
    height + 4,
    plotW,
  );
  parts.push(legend.svg);
  if (hidden > 0) {
    const note = `${hidden} ${hidden === 1 ? 'point' : 'points'} ≤ 0 not shown on the log scale`;
    parts.push(`<text class="note" x="${m.left}" y="${height + 4 + legend.rows * ROW_PX}" dominant-baseline="middle" fill="#777">${note}</text>`);
  }
  const total = height + (legend.rows + (hidden > 0 ? 1 : 0)) * ROW_PX + 8;
  const open = `<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="${width}" height="${total}" viewBox="0 0 ${width} ${total}" font-family="system-ui, sans-serif" font-size="12" role="img" aria-label="${escapeXml(o.title)}">`;
  const title = `<text class="title" x="${width / 2}" y="20" text-anchor="middle" font-size="14" font-weight="bold">${escapeXml(o.title)}</text>`;
  return [open, title, ...parts, '</svg>'].join('\n');
}
