/**
 * How the i-th series is drawn: ten colours, then the same ten again with a dash pattern, so
 * series 11 is not mistaken for series 1. Forty series are told apart before a style repeats.
 */
import { escapeXml } from './xml.js';

/** Ten colors that stay distinguishable (Tableau 10). */
export const PALETTE = Object.freeze(['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac']);

/**
 * stroke-dasharray patterns, solid first. Lines have round caps, which lengthen every dash by
 * the stroke width and shorten every gap as much, so the gaps are wider than they look here.
 */
export const DASHES = Object.freeze(['', '8 5', '1 5', '8 5 1 5']);

export interface SeriesStyle {
  color: string;
  /** An SVG stroke-dasharray, '' for a solid line. */
  dash: string;
}

export function seriesStyle(i: number): SeriesStyle {
  return { color: PALETTE[i % PALETTE.length], dash: DASHES[Math.floor(i / PALETTE.length) % DASHES.length] };
}

/** The stroke attributes of a line in this style. */
export function strokeAttributes(s: { color: string; dash?: string }, width: number): string {
  const dash = s.dash ? ` stroke-dasharray="${escapeXml(s.dash)}"` : '';
  return `stroke="${escapeXml(s.color)}" stroke-width="${width}"${dash} stroke-linecap="round"`;
}
