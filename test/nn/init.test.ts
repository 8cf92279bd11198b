/**
 * Weight initializers (src/nn/init.ts), through dense layers: the bounds and spread of
 * torch.nn.init (kaiming_uniform_/kaiming_normal_ with nonlinearity 'relu', fan_in mode, and
 * nn.Linear's U(-1/√fan_in, 1/√fan_in)), computed here from the formulas.
 */
import test from 'ava';
import { dense } from '../../src/nn/dense.js';
import { INITIALIZERS, type Initializer } from '../../src/nn/init.js';
import { Model } from '../../src/nn/model.js';

/** The weights of a dense(fanIn, fanOut) layer initialized with `init`. */
function weights(init: Initializer, fanIn: number, fanOut: number, seed = 7): Float64Array {
  const m = new Model([dense(fanIn, fanOut, { init })], { dtype: 'float64', seed });
  return Float64Array.from(m.denseLayers()[0].weights().W);
}

// fan_in 64 and fan_out 16 are far enough apart that a bound computed from fan_out, or from
// fan_in + fan_out, fails one of the two checks.
for (const [init, bound] of [['he-uniform', Math.sqrt(6 / 64)], ['uniform', 1 / Math.sqrt(64)]] as const) {
  test(`${init} stays inside ±${bound.toPrecision(4)} and uses the range`, (t) => {
    const w = weights(init, 64, 16);
    const largest = Math.max(...w.map(Math.abs));
    t.true(largest <= bound, `largest |w| ${largest}`);
    t.true(largest > 0.9 * bound, `largest |w| ${largest}`);
    t.true(w.some((v) => v < 0) && w.some((v) => v > 0), 'both signs');
  });
}

test('he-normal has mean 0 and standard deviation √(2/fan_in), with a normal tail', (t) => {
  const w = weights('he-normal', 50, 200);
  const n = w.length;
  const std = Math.sqrt(2 / 50);
  const mean = w.reduce((a, v) => a + v, 0) / n;
  const sd = Math.sqrt(w.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1));
  // 10,000 draws: the mean's standard error is std/100, the sample std's about std·0.7%.
  t.true(Math.abs(mean) < 5 * (std / Math.sqrt(n)), `mean ${mean}`);
  t.true(Math.abs(sd / std - 1) < 0.05, `std ${sd}, expected ${std}`);
  // P(|z| > 2) = 4.55% for a normal (none for a uniform of the same spread); standard error 0.21%.
  const beyond = w.filter((v) => Math.abs(v) > 2 * std).length / n;
  t.true(Math.abs(beyond - 0.0455) < 0.01, `${(beyond * 100).toFixed(2)}% beyond 2 std`);
});

test('every initializer leaves biases at 0', (t) => {
  t.is(INITIALIZERS.length, 5);
  for (const init of INITIALIZERS) {
    const m = new Model([dense(6, 4, { init }), dense(4, 3, { init })], { dtype: 'float64', seed: 1 });
    for (const layer of m.denseLayers()) t.deepEqual([...layer.weights().b!], new Array(layer.units).fill(0), init);
  }
});
