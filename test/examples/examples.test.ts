import test from 'ava';
import { addition } from '../../examples/addition.js';
import { worked } from '../../examples/worked.js';
import { xor } from '../../examples/xor.js';

const r3 = (x: number) => Math.round(x * 1000) / 1000;

test('worked: the tutorial numbers, from the library layers, loss and SGD', (t) => {
  const lines: string[] = [];
  const r = worked((l) => lines.push(l));
  t.is(r3(r.h1), 3.4);
  t.is(r3(r.y), 4.08);
  t.is(r3(r.error), 0.92);
  t.deepEqual([r3(r.gradients.w3), r3(r.gradients.w1), r3(r.gradients.w2)], [3.128, 2.208, 3.312]);
  t.deepEqual([r3(r.after.w1), r3(r.after.w2), r3(r.after.w3)], [0.522, 0.833, 1.231]);
  const text = lines.join('\n');
  for (const s of ['h1 = 2·w1 + 3·w2 = 3.4', 'y = h1·w3 = 4.08', 'error = target − y = 0.92', '3.128', '2.208', '3.312', 'w1=0.522, w2=0.833, w3=1.231']) {
    t.true(text.includes(s), `printed output contains ${s}`);
  }
});

test('addition: learns weights (1, 1) and predicts unseen sums', async (t) => {
  const lines: string[] = [];
  const r = await addition((l) => lines.push(l));
  t.true(r.errors[r.errors.length - 1] < r.errors[0] * 1e-3, 'mean error falls by 1000x');
  for (const w of r.weights) t.true(Math.abs(w - 1) < 1e-3);
  [10, 10, 10].forEach((sum, i) => t.true(Math.abs(r.predictions[i] - sum) < 0.01));
  t.true(lines.some((l) => l.startsWith('6 + 4 ≈ 10')));
});

test('xor: the default seed puts all four outputs on the right side of 0.5', async (t) => {
  const r = await xor(() => {});
  t.true(r.solved);
  t.deepEqual(r.outputs.map((o) => o > 0.5), [false, true, true, false]);
  t.true(r.losses[r.losses.length - 1] < 0.01);
});

// Regression pins: which xor seeds are solved (19 of 20 with the defaults; seed 3 only with Adam
// at lr 0.1) are this implementation's own results, recorded when the README was written, not
// values from an independent computation. They guard the README's claims against drift.
test('xor: 19 of 20 seeds (0-19) are solved, as the README states', async (t) => {
  let solved = 0;
  for (let seed = 0; seed < 20; seed++) if ((await xor(() => {}, { seed, every: 0 })).solved) solved++;
  t.is(solved, 19);
});

test('xor accepts the optimizer by name', async (t) => {
  const r = await xor(() => {}, { optimizer: 'adam', lr: 0.05, epochs: 500, every: 0 });
  t.true(r.solved);
});

test('xor with Adam at lr 0.1 for 500 epochs solves every seed 0-19, seed 3 included (lr 0.05 leaves seed 3 unsolved)', async (t) => {
  // The README's command: npm run example -- xor --optimizer adam --lr 0.1 --epochs 500 --seed 3
  const lines: string[] = [];
  const three = await xor((l) => lines.push(l), { optimizer: 'adam', lr: 0.1, epochs: 500, seed: 3 });
  t.true(three.solved);
  t.is(lines[lines.length - 1], 'all four outputs are on the right side of 0.5');
  for (let seed = 0; seed < 20; seed++) t.true((await xor(() => {}, { optimizer: 'adam', lr: 0.1, epochs: 500, seed, every: 0 })).solved, `seed ${seed}`);
  t.false((await xor(() => {}, { optimizer: 'adam', lr: 0.05, epochs: 500, seed: 3, every: 0 })).solved, 'the earlier README command does not solve it');
});

test('xor\'s "not solved" hint depends on what was used', async (t) => {
  const last = async (options: Parameters<typeof xor>[1]) => {
    const lines: string[] = [];
    const r = await xor((l) => lines.push(l), { every: 0, ...options });
    t.false(r.solved);
    return lines[lines.length - 1];
  };
  t.is(await last({ optimizer: 'adam', lr: 0.05, epochs: 500, seed: 3 }), 'not solved: some outputs are on the wrong side of 0.5 (try another --seed than 3, or a larger --lr than 0.05 (0.1 solves seeds 0-19 in 500 epochs))');
  t.is(await last({ optimizer: 'adam', lr: 0.1, epochs: 5 }), 'not solved: some outputs are on the wrong side of 0.5 (try another --seed than 0, or more --epochs than 5)');
  t.is(await last({ epochs: 5 }), 'not solved: some outputs are on the wrong side of 0.5 (try another --seed than 0, or --optimizer adam --lr 0.1 --epochs 500)');
});
