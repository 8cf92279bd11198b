import test from 'ava';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileFormatError } from '../../src/errors.js';
import { loadModel, loadWeights, saveModel, sha256 } from '../../src/io/modelFile.js';
import { activation } from '../../src/nn/activation.js';
import { batchNorm1d } from '../../src/nn/batchnorm.js';
import { dense } from '../../src/nn/dense.js';
import { dropout } from '../../src/nn/dropout.js';
import { Model } from '../../src/nn/model.js';
import { residual } from '../../src/nn/residual.js';

const dir = mkdtempSync(join(tmpdir(), 'gradpool-model-'));
const input = [[0.1, -0.2, 0.3, 0.4], [1, 2, 3, 4], [-5, 0.5, 0.25, 9]];

function build(dtype: 'float32' | 'float64' = 'float32', seed = 1) {
  const m = new Model([dense(4, 6), batchNorm1d(6), activation('gelu'), dropout(0.2), residual([dense(6, 6), activation('tanh')]), dense(6, 3)], { dtype, seed });
  m.state.set(m.state.map((_, i) => 0.5 + i / 7));
  return m;
}

for (const dtype of ['float32', 'float64'] as const) {
  test(`round trip is bit-identical (${dtype})`, (t) => {
    const m = build(dtype);
    const file = join(dir, `m-${dtype}.json`);
    saveModel(m, file);
    const back = loadModel(file);
    t.deepEqual(back.config(), m.config());
    t.deepEqual(back.params, m.params);
    t.deepEqual(back.predict(input).to2DArray(), m.predict(input).to2DArray());
  });
}

test('loadWeights into the same architecture copies parameters and running statistics', (t) => {
  const file = join(dir, 'same.json');
  const a = build('float32', 1);
  saveModel(a, file);
  const b = build('float32', 2);
  t.notDeepEqual(b.params, a.params);
  loadWeights(b, file);
  t.deepEqual(b.params, a.params);
  t.deepEqual(b.state, a.state);
});

test('a file of another size fails before anything changes: expected N values, got M', (t) => {
  const file = join(dir, 'small.json');
  saveModel(new Model([dense(4, 2)]), file);
  const m = build();
  const before = m.params.slice();
  const e = t.throws(() => loadWeights(m, file));
  t.regex(e!.message, new RegExp(`small\\.json: expected ${m.params.length} values, got 10`));
  t.deepEqual(m.params, before);
});

test('a file with the same count but another layer names the layer', (t) => {
  const file = join(dir, 'act.json');
  saveModel(new Model([dense(4, 3), activation('relu'), dense(3, 2)]), file);
  const e = t.throws(() => loadWeights(new Model([dense(4, 3), activation('tanh'), dense(3, 2)]), file));
  t.regex(e!.message, /layer 1 differs: the model has .*tanh.* the file has .*relu/);
});

test('an altered file is refused by its checksum, naming the file', (t) => {
  const file = join(dir, 'altered.json');
  saveModel(build(), file);
  const doc = JSON.parse(readFileSync(file, 'utf8'));
  const bytes = Buffer.from(doc.params, 'base64');
  bytes[5] ^= 1;
  doc.params = bytes.toString('base64');
  writeFileSync(file, JSON.stringify(doc));
  const e = t.throws(() => loadModel(file), { instanceOf: FileFormatError });
  t.is(e!.file, file);
  t.regex(e!.message, /altered\.json: sha256 checksum mismatch/);
});

test('a truncated file is refused, naming the file and the checksum', (t) => {
  const file = join(dir, 'truncated.json');
  saveModel(build(), file);
  const text = readFileSync(file, 'utf8');
  writeFileSync(file, text.slice(0, Math.floor(text.length / 2)));
  const e = t.throws(() => loadModel(file), { instanceOf: FileFormatError });
  t.regex(e!.message, /truncated\.json: .*checksum cannot be verified/);
});

test('a missing file and a foreign JSON file are named', (t) => {
  t.regex(t.throws(() => loadModel(join(dir, 'nope.json')))!.message, /nope\.json: cannot read/);
  const file = join(dir, 'foreign.json');
  writeFileSync(file, '{"hello": 1}');
  t.regex(t.throws(() => loadModel(file))!.message, /foreign\.json: not a gradpool-model file/);
});

test('writes are atomic: no temp file is left, and a failed save keeps the old file', (t) => {
  const sub = mkdtempSync(join(tmpdir(), 'gradpool-atomic-'));
  const file = join(sub, 'model.json');
  const m = build();
  saveModel(m, file);
  const first = readFileSync(file, 'utf8');
  t.deepEqual(readdirSync(sub), ['model.json']);
  // Saving into a folder that does not exist fails without touching the original.
  t.throws(() => saveModel(m, join(sub, 'missing', 'model.json')));
  t.is(readFileSync(file, 'utf8'), first);
});

test('a file whose statistics (or parameters) are malformed, its checksum valid, changes nothing: both are checked before either is copied', (t) => {
  const file = join(dir, 'short-state.json');
  saveModel(build('float32', 1), file);
  const { sha256: _, ...body } = JSON.parse(readFileSync(file, 'utf8'));
  const rewrite = (changes: Record<string, unknown>) => {
    const next = { ...body, ...changes };
    writeFileSync(file, JSON.stringify({ ...next, sha256: sha256(JSON.stringify(next)) }));
  };
  const m = build('float32', 2);
  const before = { params: m.params.slice(), state: m.state.slice() };
  rewrite({ state: Buffer.from(new Float32Array(1).buffer).toString('base64') });
  t.throws(() => loadWeights(m, file), { message: /short-state\.json: running statistics: expected 12 values, got 1/ });
  rewrite({ params: 7 });
  t.throws(() => loadWeights(m, file), { message: /short-state\.json: parameters: expected base64 text, got number/ });
  t.deepEqual(m.params, before.params);
  t.deepEqual(m.state, before.state);
});
