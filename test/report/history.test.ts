/** curvesReport (src/report/history.ts): trainer histories from a script as the comparison report. */
import test from 'ava';
import { makeDataset } from '../../src/data/dataset.js';
import { activation } from '../../src/nn/activation.js';
import { dense } from '../../src/nn/dense.js';
import { Model } from '../../src/nn/model.js';
import { Adam } from '../../src/optim/adam.js';
import { SGD } from '../../src/optim/sgd.js';
import { curvesReport } from '../../src/report/history.js';
import { fit, type EpochRecord } from '../../src/train/trainer.js';

const record = (epoch: number, trainLoss: number, testAccuracy: number | null): EpochRecord => ({
  epoch, trainLoss, trainAccuracy: null, testLoss: testAccuracy === null ? null : 1 - testAccuracy, testAccuracy, seconds: 0.5, samplesPerSecond: 100,
});

test('histories of two runs trained in a script become one report: a curve each, their final and best values', async (t) => {
  const x = Array.from({ length: 64 }, (_, i) => [Math.sin(i), Math.cos(2 * i)]);
  const data = makeDataset({ x, labels: x.map((r) => (r[0] > 0 ? 1 : 0)), classes: 2 }, 'float64');
  const run = (optimizer: 'sgd' | 'adam') => {
    const model = new Model([dense(2, 8), activation('tanh'), dense(8, 2)], { dtype: 'float64', seed: 1 });
    const opt = optimizer === 'sgd' ? new SGD(model.parameters(), { lr: 0.1 }) : new Adam(model.parameters(), { lr: 0.01 });
    return fit(model, data, { optimizer: opt, loss: 'softmax-cross-entropy', epochs: 4, batchSize: 16, engine: 'serial', validation: data });
  };
  const html = curvesReport([{ label: 'sgd', history: await run('sgd') }, { label: 'adam', history: await run('adam') }], { title: 'sgd against adam', target: 0.5 });
  t.regex(html, /<title>sgd against adam<\/title>/);
  for (const metric of ['trainLoss', 'testLoss', 'trainAccuracy', 'testAccuracy']) t.regex(html, new RegExp(`<figure data-metric="${metric}">`));
  t.is(html.match(/<tr><td><svg class="swatch"/g)?.length, 2, 'a table row per run');
  t.regex(html, /<th>epochs to 50\.00%<\/th>/);
  t.notRegex(html, /params sha256/, 'no hash column without parameters to hash');
});

test('final and best values come from the history; bad runs and options are named', (t) => {
  const html = curvesReport([{ label: 'a', history: [record(1, 2, 0.5), record(2, 1, 0.75), record(3, 0.5, 0.7)] }]);
  t.regex(html, /<td>0\.3000<\/td><td>70\.00%<\/td><td>0\.2500<\/td><td>75\.00%<\/td><td>1\.5 s<\/td><\/tr>/);
  t.throws(() => curvesReport([]), { message: /curvesReport runs must be a non-empty array of \{ label, history \}/ });
  t.throws(() => curvesReport([{ label: 'a', history: 3 as never }]), { message: /curvesReport runs\[0\] must be \{ label: string, history: EpochRecord\[\] \}/ });
  t.throws(() => curvesReport([{ label: 'a', history: [] }, { label: 'a', history: [] }]), { message: 'curvesReport runs: the label "a" is given twice; each run needs its own' });
  t.throws(() => curvesReport([{ label: 'a', history: [] }], { target: 95 }), { message: /options\.target must be a test accuracy in \(0, 1\], got 95/ });
});
