/** The charts of a report: their axes, scales, curves and legends, on awkward data. */
import test from 'ava';
import { existsSync } from 'node:fs';
import { charts, metricSeries, reportHtml } from '../../src/report/html.js';
import { lineChart, type Series } from '../../src/report/svg.js';
import type { Comparison } from '../../src/report/types.js';
import { CHROMIUM, probeInChromium } from './chromium.js';

/** A comparison whose configuration `label` has the given training losses, one per epoch. */
function comparison(losses: Record<string, readonly number[]>): Comparison {
  const entries = Object.entries(losses).map(([label, trainLoss]) => ({
    label,
    epochs: trainLoss.map((loss, i) => ({ epoch: i + 1, trainLoss: loss, trainAccuracy: null, testLoss: null, testAccuracy: null, seconds: 0.1 })),
    finalTestLoss: null, finalTestAccuracy: null, bestTestLoss: null, bestTestAccuracy: null, epochsToTarget: null, seconds: 0.1, paramsSha256: 'ab'.repeat(32),
  }));
  return { title: 'T', subtitle: '', target: null, entries };
}

const trainLossChart = (c: Comparison) => charts(c).find(([key]) => key === 'trainLoss')![1];
const unescape = (s: string) => s.replace(/<[^>]*>/g, '').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');

/** Tick labels of an axis: the x axis's are centred under their tick, the y axis's end at it. */
function tickLabels(svg: string, axis: 'x' | 'y'): string[] {
  const anchor = axis === 'x' ? 'middle' : 'end';
  return [...svg.matchAll(/<text class="tick[^"]*"[^>]*text-anchor="(\w+)"[^>]*>([^<]*)</g)].filter((m) => m[1] === anchor).map((m) => m[2]);
}

const geometric = (from: number, to: number, n: number) => Array.from({ length: n }, (_, i) => from * (to / from) ** (i / (n - 1)));
const logChart = (ys: readonly number[]) => lineChart({ title: 'T', xLabel: 'epoch', yLabel: 'loss', logY: true, series: [{ label: 's', color: '#000', points: ys.map((y, i) => [i + 1, y] as const) }] });

test('epoch ticks: whole epochs, none before the first or after the last', (t) => {
  const xTicks = (epochs: number) => tickLabels(trainLossChart(comparison({ a: Array.from({ length: epochs }, (_, i) => 1 / (i + 1)) })), 'x');
  t.deepEqual(xTicks(1), ['1']);
  t.deepEqual(xTicks(3), ['1', '2', '3']);
  t.deepEqual(xTicks(4), ['1', '2', '3', '4']);
  for (const epochs of [2, 7, 13, 30, 250]) {
    const ticks = xTicks(epochs).map(Number);
    t.true(ticks.length >= 2 && ticks.every((x) => Number.isInteger(x) && x >= 1 && x <= epochs), `${epochs} epochs: ${ticks}`);
  }
});

test('a loss with a value <= 0 keeps its log scale: those points are a gap, and a note counts them', (t) => {
  const svg = trainLossChart(comparison({ a: [2, 0.5, 0.01, 0.005], b: [1, 0.5, 0, 0.001, 0.0005, -1] }));
  t.regex(svg, />loss \(log scale\)</);
  t.regex(svg, />2 points ≤ 0 not shown on the log scale</);
  const d = /data-series="b" d="([^"]*)"/.exec(svg)![1];
  t.is(d.match(/M/g)!.length, 2, `two pieces either side of the 0: ${d}`);
  t.is(d.match(/L/g)!.length, 2);
  t.notRegex(trainLossChart(comparison({ a: [2, 0.5, 0.01] })), /not shown/, 'no note when every point is drawn');
});

test('log ticks: every decade, every other one over many, 1-2-5 over few', (t) => {
  t.deepEqual(tickLabels(logChart(geometric(6.7e-9, 8.8, 20)), 'y'), ['1e-8', '1e-7', '1e-6', '1e-5', '1e-4', '0.001', '0.01', '0.1', '1', '10']);
  t.deepEqual(tickLabels(logChart(geometric(1e-12, 1, 20)), 'y'), ['1e-12', '1e-10', '1e-8', '1e-6', '1e-4', '0.01', '1']);
  t.deepEqual(tickLabels(logChart(geometric(0.02, 0.7, 20)), 'y'), ['0.02', '0.05', '0.1', '0.2', '0.5']);
});

test('a lone point between gaps is a dot; a series with nothing to draw keeps its legend entry, which says so', (t) => {
  const svg = lineChart({ title: 'T', xLabel: 'epoch', yLabel: 'loss', series: [
    { label: 's', color: '#123456', points: [[1, NaN], [2, 0.5], [3, NaN], [4, 1], [5, 2]] },
    { label: 'diverged', color: '#654321', points: [[1, NaN], [2, Infinity]] },
  ] });
  const dots = [...svg.matchAll(/<circle class="point" data-series="s" cx="([\d.]+)" cy="([\d.]+)" r="[\d.]+" fill="#123456"\/>/g)];
  t.is(dots.length, 1);
  t.regex(svg, new RegExp(`data-series="s" d="M[\\d.]+,[\\d.]+L[\\d.]+,[\\d.]+"`), 'the other two points are a line');
  t.regex(svg, /data-series="diverged" d=""/);
  const legend = [...svg.matchAll(/<g class="legend-item">(.*?)<\/g>/g)].map((m) => unescape(m[1]));
  t.deepEqual(legend, ['s', 'diverged (no finite values)']);
});

/** The stroke of every curve of a chart: colour and dash pattern. */
const strokes = (svg: string) => [...svg.matchAll(/<path class="curve"[^>]*>/g)].map(([tag]) => `${/stroke="([^"]*)"/.exec(tag)![1]} ${/stroke-dasharray="([^"]*)"/.exec(tag)?.[1] ?? 'solid'}`);

test('more than ten series: each is drawn differently, and its legend entry and table swatch as its curve', (t) => {
  const labels = Array.from({ length: 12 }, (_, i) => `lr=${i}`);
  const c = comparison(Object.fromEntries(labels.map((l, i) => [l, [1 + i, 0.5]])));
  const svg = trainLossChart(c);
  const curves = strokes(svg);
  t.is(new Set(curves).size, 12, curves.join(', '));
  const legendLines = [...svg.matchAll(/<g class="legend-item">.*?(<line[^>]*>)/g)].map((m) => strokes(m[1].replace('<line', '<path class="curve"'))[0]);
  t.deepEqual(legendLines, curves);
  const swatches = [...reportHtml(c).matchAll(/<svg class="swatch"[^>]*>(<line[^>]*>)/g)].map((m) => strokes(m[1].replace('<line', '<path class="curve"'))[0]);
  t.deepEqual(swatches, curves);
  const forty = metricSeries(comparison(Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`c${i}`, [1]]))), 'trainLoss');
  t.is(new Set(forty.map((s) => `${s.color} ${s.dash}`)).size, 40);
});

const LONG_LABELS = ['rmsprop:lr=0.001:alpha=0.9:centered', 'sgd:lr=0.1:momentum=0.9:nesterov', 'adam:lr=0.001', 'adamw:lr=3e-4:wd=0.01', 'lr=1', 'SGD+Nesterov:lr=0.1',
  'rmsprop:lr=0.01:alpha=0.99', 'adagrad:lr=0.01', 'sgd', 'adam:lr=0.0001:betas=0.9,0.999:eps=1e-8', 'x'.repeat(120), 'lr=0.5'];

function manySeries(labels: readonly string[]): Series[] {
  return labels.map((label, i) => ({ label, color: '#000', points: [[1, 1 + i], [2, 0.5]] }));
}

test('legend: entries never overlap, nor leave the chart (at 7 px a character), and an entry too long for a row is shortened', (t) => {
  const width = 560;
  const svg = lineChart({ title: 'T', xLabel: 'epoch', yLabel: 'loss', width, series: manySeries(LONG_LABELS) });
  const items = [...svg.matchAll(/<g class="legend-item">.*?<line x1="([\d.]+)".*?<text x="([\d.]+)" y="([\d.]+)"[^>]*>(.*?)<\/text><\/g>/g)]
    .map((m) => ({ left: Number(m[1]), right: Number(m[2]) + 7 * [...unescape(m[4])].length, y: Number(m[3]), text: unescape(m[4]) }));
  t.is(items.length, LONG_LABELS.length);
  for (const a of items) {
    t.true(a.left >= 0 && a.right <= width, `"${a.text}" within the chart: ${a.left}..${a.right}`);
    for (const b of items) if (a !== b && a.y === b.y) t.true(a.right <= b.left || b.right <= a.left, `"${a.text}" and "${b.text}" apart`);
  }
  t.true(items.some((i) => i.text.endsWith('…')), 'the 120-character label is shortened');
  t.regex(svg, new RegExp(`<title>${'x'.repeat(120)}</title>`), 'and whole in its tooltip');
  const [, height] = /viewBox="0 0 \d+ (\d+)"/.exec(svg)!;
  t.true(Math.max(...items.map((i) => i.y)) + 9 <= Number(height), 'the last row is inside the SVG');
});

test('legend, dots and notes in headless Chromium: entries apart and inside their chart, lone points drawn', (t) => {
  t.true(existsSync(CHROMIUM), `${CHROMIUM} is needed (apt-get install -y chromium; .ci/run installs it)`);
  const losses = Object.fromEntries(LONG_LABELS.map((label, i) => [label, [2 + i, NaN, 0.5, NaN, i === 0 ? 0 : 0.01]]));
  const html = reportHtml(comparison(losses));
  type Box = { x: number; y: number; width: number; height: number };
  const probe = probeInChromium<{ charts: { width: number; height: number; legend: Box[]; dots: Box[]; note: Box | null }[] }>(html, `
    const box = (e) => { const b = e.getBBox(); return { x: b.x, y: b.y, width: b.width, height: b.height }; };
    return { charts: [...document.querySelectorAll('figure svg')].map((svg) => ({
      width: svg.viewBox.baseVal.width, height: svg.viewBox.baseVal.height,
      legend: [...svg.querySelectorAll('.legend-item')].map(box),
      dots: [...svg.querySelectorAll('circle.point')].map(box),
      note: svg.querySelector('text.note') && box(svg.querySelector('text.note')),
    })) };`);
  t.true(probe.charts.length >= 1);
  for (const chart of probe.charts) {
    t.is(chart.legend.length, LONG_LABELS.length);
    const inside = (b: Box) => b.x >= 0 && b.y >= 0 && b.x + b.width <= chart.width && b.y + b.height <= chart.height;
    for (const [i, a] of chart.legend.entries()) {
      t.true(inside(a), `legend entry ${i} inside: ${JSON.stringify(a)}`);
      for (const [j, b] of chart.legend.entries()) {
        const apart = a.x + a.width <= b.x || b.x + b.width <= a.x || a.y + a.height <= b.y || b.y + b.height <= a.y;
        if (i < j) t.true(apart, `legend entries ${i} and ${j} apart: ${JSON.stringify([a, b])}`);
      }
    }
    t.is(chart.dots.length, 3 * LONG_LABELS.length - 1, 'every point of every curve but the one at 0');
    for (const d of chart.dots) t.true(d.width > 0 && d.height > 0 && inside(d));
    t.truthy(chart.note, 'the point at 0 is counted');
    t.true(inside(chart.note!), 'the note is inside the chart');
  }
});
