import test from 'ava';
import { jsonDocument } from '../../src/io/json.js';
import { curvesJson } from '../../src/report/curves.js';
import type { Comparison } from '../../src/report/types.js';

test('non-finite numbers are written as strings that Number() reads back; null stays null (JSON.stringify would make them null too)', (t) => {
  const text = jsonDocument({ testLoss: Infinity, low: -Infinity, bad: NaN, none: null, x: 1.5, list: [Infinity, 2], nested: { y: NaN } });
  t.true(text.endsWith('}\n'));
  const back = JSON.parse(text) as Record<string, unknown>;
  t.deepEqual(back, { testLoss: 'Infinity', low: '-Infinity', bad: 'NaN', none: null, x: 1.5, list: ['Infinity', 2], nested: { y: 'NaN' } });
  t.is(Number(back.testLoss), Infinity);
  t.is(Number(back.low), -Infinity);
  t.true(Number.isNaN(Number(back.bad)));
  t.is(JSON.stringify({ a: Infinity }), '{"a":null}', 'what JSON.stringify alone writes');
});

test('compare --json: an infinite test loss is recorded as "Infinity", not as null (no test set)', (t) => {
  const c = { entries: [{ label: 'lr=1', epochs: [{ epoch: 1, trainLoss: 0.5, trainAccuracy: null, testLoss: Infinity, testAccuracy: null, seconds: 0.1 }] }] } as unknown as Comparison;
  const back = JSON.parse(curvesJson(c)) as { entries: Array<{ epochs: Array<{ testLoss: unknown; trainAccuracy: unknown }> }> };
  t.is(back.entries[0].epochs[0].testLoss, 'Infinity');
  t.is(back.entries[0].epochs[0].trainAccuracy, null);
});
