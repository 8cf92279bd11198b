/**
 * The legend under a chart: per series a sample of its line and its label. Entries flow left
 * to right and wrap to a new row before one would run into the next or off the chart. A string
 * has no width until a browser lays it out, so widths are estimated, generously.
 */
import { strokeAttributes, type SeriesStyle } from './style.js';
import { escapeXml } from './xml.js';

/**
 * Estimated advance of a character at the chart's 12 px: that of DejaVu Sans (system-ui on
 * Linux, and one of the widest sans-serifs) as Chromium lays it out, rounded
 * up per class of glyph, so estimates err toward space. Other scripts count as wide.
 */
function charPx(c: string): number {
  if (/[ !'(),\-./:;IJ[\\\]fijlrt|]/.test(c)) return 5;
  if (/[#%+<=>@MW^mw~]/.test(c) || c > '\x7f') return 12;
  if (/[A-Z]/.test(c)) return 10;
  return 8;
}

export function textPx(s: string): number {
  return [...s].reduce((w, c) => w + charPx(c), 0);
}

/** The line sample: long enough to show a whole period of the longest dash pattern. */
const SAMPLE_PX = 28;
const LABEL_GAP_PX = 6;
const ENTRY_GAP_PX = 16;
export const ROW_PX = 18;

export interface LegendEntry extends SeriesStyle {
  label: string;
  /** Said after the label, set apart, e.g. that nothing of the series is drawn. */
  note?: string;
}

/** The label, or as much of it as fits in `px` followed by an ellipsis. */
function fit(label: string, px: number): string {
  if (textPx(label) <= px) return label;
  const chars = [...label];
  let n = chars.length;
  while (n > 0 && textPx(chars.slice(0, n).join('')) + textPx('…') > px) n--;
  return chars.slice(0, n).join('') + '…';
}

/**
 * The legend's SVG, its first row centred on `top`, within [left, left + width]: an entry too
 * long for a row of its own has its label shortened, the whole of it kept in a tooltip.
 */
export function legendSvg(entries: readonly LegendEntry[], left: number, top: number, width: number): { svg: string; rows: number } {
  const room = width - SAMPLE_PX - LABEL_GAP_PX;
  const items: string[] = [];
  let x = 0;
  let row = 0;
  for (const e of entries) {
    const note = e.note ? ` ${e.note}` : '';
    const label = fit(e.label, room - textPx(note));
    const w = SAMPLE_PX + LABEL_GAP_PX + textPx(label + note);
    if (x > 0 && x + w > width) {
      x = 0;
      row += 1;
    }
    const lx = left + x;
    const ly = top + row * ROW_PX;
    const tooltip = label === e.label ? '' : `<title>${escapeXml(e.label)}</title>`;
    const noteSvg = note ? `<tspan class="note" fill="#777">${escapeXml(note)}</tspan>` : '';
    items.push(
      `<g class="legend-item">${tooltip}<line x1="${lx}" x2="${lx + SAMPLE_PX}" y1="${ly}" y2="${ly}" ${strokeAttributes(e, 3)}/>` +
        `<text x="${lx + SAMPLE_PX + LABEL_GAP_PX}" y="${ly}" dominant-baseline="middle">${escapeXml(label)}${noteSvg}</text></g>`,
    );
    x += w + ENTRY_GAP_PX;
  }
  return { svg: items.join('\n'), rows: entries.length === 0 ? 0 : row + 1 };
}
