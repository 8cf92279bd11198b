import test from 'ava';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildModel } from '../../src/cli/build.js';
import { buildConfig } from '../../src/cli/config.js';
import { readParamsFile } from '../../src/cli/paramsFile.js';
import { scratch } from './helpers.js';

const dir = scratch('gradpool-params-');
let n = 0;
/** Write `text` as a params file and read it into a 4-3-2 model; the error message, or null. */
function load(text: string): string | null {
  const file = join(dir, `p${n++}.json`);
  writeFileSync(file, text);
  const model = buildModel(buildConfig({ dataset: 'iris', model: '4-3-2', threads: 1 }));
  try {
    readParamsFile(file, model);
    return null;
  } catch (e) {
    return (e as Error).message.slice(file.length + 2);
  }
}
const rows = (r: number, c: number, v = 0.1) => Array.from({ length: r }, () => new Array<number>(c).fill(v));
const good = () => ({ layers: [{ W: rows(4, 3), b: [0, 0, 0] }, { W: rows(3, 2), b: [0, 0] }] });
const shape = '4 rows of 3 numbers ([in][out]; transpose PyTorch\'s Linear.weight)';

test('a well-shaped file loads', (t) => {
  t.is(load(JSON.stringify(good())), null);
});

test('W shape errors say what was received: the rows, and the ragged row\'s length', (t) => {
  const few = good();
  few.layers[0].W = rows(2, 3);
  t.is(load(JSON.stringify(few)), `layers[0].W must be ${shape}, got 2 rows of 3`);
  const wide = good();
  wide.layers[0].W = rows(4, 5);
  t.is(load(JSON.stringify(wide)), `layers[0].W must be ${shape}, got 4 rows of 5`);
  const ragged = good();
  ragged.layers[0].W[2] = [0.1, 0.2];
  t.is(load(JSON.stringify(ragged)), `layers[0].W must be ${shape}, got 4 rows of 3, but row 2 has 2 numbers`);
  const notRow = good() as { layers: { W: unknown[]; b: number[] }[] };
  notRow.layers[0].W[1] = 7;
  t.is(load(JSON.stringify(notRow)), `layers[0].W must be ${shape}, got 4 rows of 3, but row 1 is 7`);
  const transposed = good();
  transposed.layers[1].W = rows(2, 3);
  t.is(load(JSON.stringify(transposed)), 'layers[1].W must be 3 rows of 2 numbers ([in][out]; transpose PyTorch\'s Linear.weight), got 2 rows of 3');
  const bias = good();
  bias.layers[1].b = [0];
  t.is(load(JSON.stringify(bias)), 'layers[1].b must be 2 numbers, got 1');
});

test('a non-finite weight is reported as written at its position, not as null', (t) => {
  // 1e400 is valid JSON but overflows a double to Infinity; JSON.stringify would show it as null.
  const text = JSON.stringify(good()).replace(/0\.1/g, (m, offset: number, all: string) => (offset === all.indexOf('0.1', all.indexOf('0.1') + 1) ? '1e400' : m));
  t.is(load(text), 'layers[0].W[0][1] must be a finite number, got 1e400, which is Infinity as a double');
  const negative = JSON.stringify(good()).replace('"b":[0,0]', '"b":[0,-2E+999]');
  t.is(load(negative), 'layers[1].b[1] must be a finite number, got -2E+999, which is -Infinity as a double');
  const str = good() as { layers: { W: unknown[][]; b: unknown[] }[] };
  str.layers[0].W[3][2] = '0.5';
  t.is(load(JSON.stringify(str)), 'layers[0].W[3][2] must be a finite number, got "0.5"');
  t.is(load(JSON.stringify(good()).replace('"b":[0,0,0]', '"b":[0,null,0]')), 'layers[0].b[1] must be a finite number, got null');
});

test('a resumed run takes its weights from the checkpoint: the --init-params file is not read again (it may be gone)', async (t) => {
  const { cli } = await import('./helpers.js');
  const { rmSync } = await import('node:fs');
  const dir = scratch();
  const flags = ['train', '--dataset', 'xor', '--epochs', '2', '--quiet'];
  t.is(cli([...flags, '--save-params', 'p.json'], dir).code, 0);
  t.is(cli([...flags, '--init-params', 'p.json', '--save', 'run.ckpt'], dir).code, 0);
  rmSync(join(dir, 'p.json'));
  const r = cli([...flags, '--init-params', 'p.json', '--save', 'run.ckpt', '--resume', 'run.ckpt'], dir);
  t.is(r.code, 0, r.stderr);
});

test('a value past float32\'s range, which only the model\'s dtype refuses, is reported with the file named', (t) => {
  const big = good();
  big.layers[1].W[2][1] = 1e39;
  const file = join(dir, 'big.json');
  writeFileSync(file, JSON.stringify(big));
  const model = buildModel(buildConfig({ dataset: 'iris', model: '4-3-2', threads: 1 }));
  const e = t.throws(() => readParamsFile(file, model));
  t.true(e!.message.startsWith(`${file}: `), e!.message);
  t.regex(e!.message, /1e\+39 does not fit in float32/);
});
