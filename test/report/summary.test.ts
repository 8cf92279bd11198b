import test from 'ava';
import { summaryColumns } from '../../src/report/summary.js';
import type { Comparison, CurvePoint } from '../../src/report/types.js';

const point = (epoch: number, trainLoss: number, trainAccuracy: number | null, test: [number, number] | null): CurvePoint =>
  ({ epoch, trainLoss, trainAccuracy, testLoss: test?.[0] ?? null, testAccuracy: test?.[1] ?? null, seconds: 1 });

function comparison(withTest: boolean): Comparison {
  const epochs = [point(1, 0.9, 0.5, withTest ? [1.0, 0.4] : null), point(2, 0.4, 0.8, withTest ? [0.7, 0.6] : null), point(3, 0.6, 0.7, withTest ? [0.8, 0.5] : null)];
  return {
    title: 't', subtitle: 's', target: null,
    entries: [{ label: 'a', epochs, finalTestLoss: withTest ? 0.75 : null, finalTestAccuracy: withTest ? 0.55 : null, bestTestLoss: withTest ? 0.7 : null, bestTestAccuracy: withTest ? 0.6 : null, epochsToTarget: null, seconds: 3 }],
  };
}

test('with a test set: the final (evaluated) and best test metrics', (t) => {
  const c = comparison(true);
  const cols = summaryColumns(c);
  t.deepEqual(cols.map((col) => col.title), ['final test loss', 'final test accuracy', 'best test loss', 'best test accuracy']);
  t.deepEqual(cols.map((col) => col.value(c.entries[0])), [0.75, 0.55, 0.7, 0.6]);
});

test('without one: the last epoch\'s and the best training metrics, so the table is not empty', (t) => {
  const c = comparison(false);
  const cols = summaryColumns(c);
  t.deepEqual(cols.map((col) => col.title), ['last train loss', 'last train accuracy', 'best train loss', 'best train accuracy']);
  t.deepEqual(cols.map((col) => col.value(c.entries[0])), [0.6, 0.7, 0.4, 0.8]);
  t.deepEqual(cols.map((col) => col.kind), ['loss', 'accuracy', 'loss', 'accuracy']);
});
