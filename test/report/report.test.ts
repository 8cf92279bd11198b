import test from 'ava';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { curvesCsv } from '../../src/report/curves.js';
import { charts, reportHtml } from '../../src/report/html.js';
import { lineChart } from '../../src/report/svg.js';
import { niceTicks } from '../../src/report/ticks.js';
import type { Comparison } from '../../src/report/types.js';
import { cli, scratch } from '../cli/helpers.js';
import { CHROMIUM, probeInChromium } from './chromium.js';

function comparison(withTest = true): Comparison {
  const entry = (label: string, k: number) => ({
    label,
    epochs: [1, 2, 3].map((epoch) => ({
      epoch, trainLoss: k / epoch, trainAccuracy: 0.5 + 0.1 * epoch, testLoss: withTest ? k / epoch + 0.1 : null, testAccuracy: withTest ? 0.4 + 0.1 * epoch : null, seconds: 0.1,
    })),
    finalTestLoss: withTest ? k / 3 + 0.1 : null, finalTestAccuracy: withTest ? 0.7 : null, bestTestLoss: withTest ? k / 3 + 0.1 : null, bestTestAccuracy: withTest ? 0.7 : null,
    epochsToTarget: withTest ? 2 : null, seconds: 0.3, paramsSha256: 'ab'.repeat(32),
  });
  return { title: 'test <report>', subtitle: 'toy & co', target: withTest ? 0.6 : null, entries: [entry('a', 1), entry('b "2"', 2)] };
}

test('niceTicks: round steps that cover the range', (t) => {
  t.deepEqual(niceTicks(0, 1, 5), [0, 0.2, 0.4, 0.6, 0.8, 1]);
  t.deepEqual(niceTicks(1, 30, 6), [5, 10, 15, 20, 25, 30]);
  t.deepEqual(niceTicks(3, 3), [3]);
});

test('lineChart: one path per series, axes labelled, a legend entry per series, gaps break the line, lone points are dots', (t) => {
  const svg = lineChart({ title: 'T', xLabel: 'epoch', yLabel: 'loss', series: [
    { label: 's1', color: '#000', points: [[1, 1], [2, NaN], [3, 0.5]] },
    { label: 's2', color: '#f00', points: [[1, 2]] },
  ] });
  t.is(svg.match(/<path class="curve"/g)!.length, 2);
  t.regex(svg, /data-series="s1" d=""/, 'no line between points a gap apart');
  t.is(svg.match(/<circle class="point" data-series="s1"/g)!.length, 2);
  t.is(svg.match(/<circle class="point" data-series="s2"/g)!.length, 1, 'a one-epoch run is a dot');
  t.regex(svg, /class="axis-label x"[^>]*>epoch</);
  t.regex(svg, /class="axis-label y"[^>]*>loss</);
  t.is(svg.match(/class="legend-item"/g)!.length, 2);
});

test('the report: a chart per metric present, one curve per configuration in each, the table, escaped text, no script', (t) => {
  const html = reportHtml(comparison());
  t.deepEqual(charts(comparison()).map(([k]) => k), ['trainLoss', 'testLoss', 'trainAccuracy', 'testAccuracy']);
  t.is(html.match(/<path class="curve"/g)!.length, 8);
  t.true(html.includes('<title>test &lt;report&gt;</title>'));
  t.true(html.includes('data-series="b &quot;2&quot;"'));
  t.false(/<script|src=|href=/.test(html), 'self-contained');
  t.regex(html, /<th>epochs to 60\.00%<\/th>/);
  t.is(html.match(/<tr>/g)!.length, 3);
  t.deepEqual(charts(comparison(false)).map(([k]) => k), ['trainLoss', 'trainAccuracy'], 'no test charts without test data');
  t.is(curvesCsv(comparison()).split('\n')[2], 'a,2,0.5,0.7,0.6,0.6000000000000001,0.1');
});

test('the report of a real compare run, opened in headless Chromium: every curve is drawn', (t) => {
  t.true(existsSync(CHROMIUM), `${CHROMIUM} is needed (apt-get install -y chromium; .ci/run installs it)`);
  const dir = scratch();
  const r = cli(['compare', '--preset', 'learning-rates', '--epochs', '30', '--report', 'lr.html', '--quiet'], dir);
  t.is(r.code, 0, r.stderr);
  const html = readFileSync(join(dir, 'lr.html'), 'utf8');
  // Measure, in the browser, every curve's rendered length and box.
  const probe = probeInChromium<{ figures: number; legends: number; rows: number; paths: { metric: string; series: string; length: number; w: number; h: number; stroke: string }[] }>(html, `
    const paths = [...document.querySelectorAll('figure path.curve')];
    const out = paths.map((p) => { const b = p.getBBox(); return { metric: p.closest('figure').dataset.metric, series: p.dataset.series, length: p.getTotalLength(), w: b.width, h: b.height, stroke: getComputedStyle(p).stroke }; });
    return { figures: document.querySelectorAll('figure svg').length, legends: document.querySelectorAll('.legend-item').length, rows: document.querySelectorAll('table.results tbody tr').length, paths: out };`);
  t.is(probe.figures, 4, 'train and test loss and accuracy');
  t.is(probe.rows, 4);
  t.is(probe.legends, 16);
  t.is(probe.paths.length, 16, '4 configurations × 4 charts');
  for (const p of probe.paths) {
    t.true(p.length > 0 && (p.w > 0 || p.h > 0), `${p.metric} / ${p.series} is drawn (length ${p.length})`);
    t.regex(p.stroke, /^rgb\(/);
  }
  t.deepEqual([...new Set(probe.paths.map((p) => p.series))], ['lr=0.001', 'lr=0.01', 'lr=0.1', 'lr=1']);
});
