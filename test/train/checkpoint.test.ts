import test from 'ava';
import { once } from 'node:events';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildConfig } from '../../src/cli/config.js';
import { buildModel, buildOptimizer, buildSchedule, loadRunData } from '../../src/cli/build.js';
import { decodeValue, encodeValue, readCheckpoint, restoreCheckpoint, saveCheckpoint, type CheckpointParts } from '../../src/train/checkpoint.js';
import { EarlyStopping } from '../../src/train/earlyStopping.js';
import { Trainer } from '../../src/train/trainer.js';
import { cli, cliSpawn, readJson, scratch } from '../cli/helpers.js';

/** A small run's live parts, built the way the CLI builds them. */
function parts(flags: Record<string, string | number | boolean>) {
  const config = buildConfig({ dataset: 'spiral', epochs: 2, schedule: 'plateau', 'early-stop': 3, optimizer: 'adam', threads: 1, ...flags });
  const data = loadRunData(config);
  const model = buildModel(config);
  const optimizer = buildOptimizer(config, model);
  const schedule = buildSchedule(config, optimizer);
  const trainer = new Trainer(model, { optimizer, loss: config.loss!, epochs: config.epochs, batchSize: config.batchSize, seed: config.seed, threads: 1, schedule });
  const p: CheckpointParts = { model, optimizer, schedule, trainer, earlyStopping: new EarlyStopping(model, { patience: 3 }) };
  return { ...p, optimizer, earlyStopping: p.earlyStopping!, data };
}

test('encodeValue/decodeValue: typed arrays bit for bit, non-finite numbers tagged', (t) => {
  const f32 = Float32Array.from([0.1, -2.5e-40, 3]);
  const v = { a: f32, b: [Infinity, -Infinity, 1.5], c: { d: new Float64Array([Math.PI]), e: 'x', f: null } };
  const back = decodeValue(JSON.parse(JSON.stringify(encodeValue(v))), 'f') as typeof v;
  t.deepEqual(back.a, f32);
  t.deepEqual(back.b, [Infinity, -Infinity, 1.5]);
  t.deepEqual(back.c.d, new Float64Array([Math.PI]));
  t.is(back.c.e, 'x');
  t.true(Number.isNaN(decodeValue({ $number: 'NaN' }, 'f') as number));
});

test('save then restore into fresh parts continues exactly like an uninterrupted run', async (t) => {
  const dir = scratch();
  const ckpt = join(dir, 'run.ckpt');
  const whole = parts({ epochs: 4 });
  await whole.trainer.fit(whole.data.train, whole.data.test!);

  const first = parts({ epochs: 4 });
  const t1 = new Trainer(first.model, { optimizer: first.optimizer, loss: 'softmax-cross-entropy', epochs: 2, batchSize: 32, seed: 0, threads: 1, schedule: first.schedule });
  await t1.fit(first.data.train, first.data.test!);
  first.earlyStopping!.update(t1.history[1]);
  saveCheckpoint(ckpt, { ...first, trainer: t1 }, { note: 'meta survives', inf: Infinity });

  const second = parts({ epochs: 4 });
  const c = readCheckpoint<{ note: string; inf: number }>(ckpt);
  t.deepEqual(c.meta, { note: 'meta survives', inf: Infinity });
  t.is(c.trainer.epoch, 2);
  restoreCheckpoint(c, second);
  t.deepEqual(second.model.params, first.model.params);
  t.deepEqual(second.earlyStopping!.stateDict(), first.earlyStopping!.stateDict());
  const h = await second.trainer.fit(second.data.train, second.data.test!);
  t.deepEqual(h.map((r) => r.epoch), [1, 2, 3, 4]);
  t.deepEqual(second.model.params, whole.model.params);
});

test('a corrupted, truncated, foreign or mismatched checkpoint is refused with the file name and the reason', async (t) => {
  const dir = scratch();
  const ckpt = join(dir, 'ok.ckpt');
  const p = parts({});
  await p.trainer.fit(p.data.train, p.data.test!);
  saveCheckpoint(ckpt, p, {});
  const text = readFileSync(ckpt, 'utf8');

  const truncated = join(dir, 'truncated.ckpt');
  writeFileSync(truncated, text.slice(0, Math.floor(text.length / 2)));
  t.throws(() => readCheckpoint(truncated), { message: `${truncated}: not valid JSON (truncated or altered?); its sha256 checksum cannot be verified` });

  // One base64 character of the parameters changed: still valid JSON, but the checksum fails.
  const altered = join(dir, 'altered.ckpt');
  const at = text.indexOf('"params":{"$typed":"float32","base64":"');
  t.true(at >= 0, 'the parameters are where the alteration below expects them');
  const i = at + 45;
  writeFileSync(altered, text.slice(0, i) + (text[i] === 'A' ? 'B' : 'A') + text.slice(i + 1));
  t.throws(() => readCheckpoint(altered), { message: new RegExp(`^${altered.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: sha256 checksum mismatch: the file records [0-9a-f]{64}, its contents hash to [0-9a-f]{64}$`) });

  const foreign = join(dir, 'foreign.ckpt');
  writeFileSync(foreign, JSON.stringify({ format: 'gradpool-model', version: 1 }));
  t.throws(() => readCheckpoint(foreign), { message: `${foreign}: not a gradpool-checkpoint file (format: "gradpool-model")` });
  t.throws(() => readCheckpoint(join(dir, 'none.ckpt')), { message: /none\.ckpt: cannot read: ENOENT/ });

  const wider = parts({ model: '2-32-3' });
  t.throws(() => restoreCheckpoint(readCheckpoint(ckpt), wider), { message: /ok\.ckpt: another architecture: layer 0 differs/ });
});

test('the CLI refuses to resume a corrupted checkpoint (exit 1, file and reason) or one of another configuration (exit 2, the setting)', (t) => {
  const dir = scratch();
  t.is(cli(['train', '--dataset', 'iris', '--epochs', '2', '--save', 'c.ckpt', '--quiet'], dir).code, 0);
  const text = readFileSync(join(dir, 'c.ckpt'), 'utf8');
  writeFileSync(join(dir, 'cut.ckpt'), text.slice(0, text.length - 100));
  const cut = cli(['train', '--dataset', 'iris', '--epochs', '2', '--resume', 'cut.ckpt'], dir);
  t.is(cut.code, 1);
  t.is(cut.stderr, 'gradpool train: cut.ckpt: not valid JSON (truncated or altered?); its sha256 checksum cannot be verified\n');
  const other = cli(['train', '--dataset', 'iris', '--epochs', '2', '--lr', '0.5', '--resume', 'c.ckpt'], dir);
  t.is(other.code, 2);
  t.regex(other.stderr, /--resume c\.ckpt: the checkpoint's run has optimizerOptions = \{"lr":0\.01\}, this one \{"lr":0\.5\}; resume with the flags of the run that wrote it/);
});

test('--resume takes the same CSV named from another folder (its data decide, by fingerprint), and refuses other data under the same name', (t) => {
  const dir = scratch();
  mkdirSync(join(dir, 'sub'));
  const rows = (shift: number) => ['a,b,label', ...Array.from({ length: 40 }, (_, i) => `${(i % 7) + shift},${i % 5},${i % 2}`)].join('\n') + '\n';
  writeFileSync(join(dir, 'd.csv'), rows(0));
  t.is(cli(['train', '--dataset', 'csv:d.csv', '--epochs', '1', '--save', 'c.ckpt', '--quiet'], dir).code, 0);
  const elsewhere = cli(['train', '--dataset', 'csv:../d.csv', '--epochs', '1', '--save', '../c.ckpt', '--resume', '../c.ckpt'], join(dir, 'sub'));
  t.is(elsewhere.code, 0, elsewhere.stderr);
  t.regex(elsewhere.stdout, /resuming after epoch 1\n/);
  writeFileSync(join(dir, 'd.csv'), rows(1));
  const changed = cli(['train', '--dataset', 'csv:d.csv', '--epochs', '1', '--resume', 'c.ckpt', '--save', 'c.ckpt'], dir);
  t.is(changed.code, 2);
  t.regex(changed.stderr, /--resume c\.ckpt: the data differ from the checkpoint's run/);
});

test.serial('a run killed with SIGKILL in mid-epoch, then resumed, ends with the paramsSha256 of an uninterrupted run', async (t) => {
  const dir = scratch();
  // Batch 8 on MNIST: epochs of 1,000 steps, long enough that the kill lands inside one
  // (serial: no other test of this file competes for the cores meanwhile).
  const flags = ['--dataset', 'mnist', '--model', '784-32-10', '--epochs', '3', '--batch-size', '8', '--dropout', '0.1',
    '--optimizer', 'adam', '--schedule', 'step', '--step-size', '1', '--gamma', '0.5', '--early-stop', '5', '--threads', '2'];
  const whole = cli(['train', ...flags, '--json', 'whole.json', '--quiet'], dir);
  t.is(whole.code, 0, whole.stderr);

  const child = cliSpawn(['train', ...flags, '--save', 'run.ckpt'], dir);
  let out = '';
  child.stdout.setEncoding('utf8');
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (s: string) => {
      out += s;
      // The epoch-1 line is printed after its checkpoint is written; epoch 2 starts right after.
      if (out.includes('epoch 1/3')) {
        child.kill('SIGKILL');
        resolve();
      }
    });
    child.on('exit', () => reject(new Error(`the run ended before it could be killed:\n${out}`)));
  });
  const [code, signal] = await once(child, 'exit');
  t.is(code, null);
  t.is(signal, 'SIGKILL');
  t.false(out.includes('epoch 2/3'), 'killed before epoch 2 ended');
  t.is(readCheckpoint(join(dir, 'run.ckpt')).trainer.epoch, 1, 'the checkpoint is whole and holds epoch 1');

  const resumed = cli(['train', ...flags, '--save', 'run.ckpt', '--resume', 'run.ckpt', '--json', 'resumed.json'], dir);
  t.is(resumed.code, 0, resumed.stderr);
  t.regex(resumed.stdout, /resuming after epoch 1\n/);
  const a = readJson<{ final: { paramsSha256: string }; epochs: unknown[] }>(join(dir, 'whole.json'));
  const b = readJson<{ final: { paramsSha256: string }; epochs: unknown[] }>(join(dir, 'resumed.json'));
  t.is(b.epochs.length, 3);
  t.is(b.final.paramsSha256, a.final.paramsSha256);
});

test.serial('SIGINT in mid-epoch: the step in flight finishes, a checkpoint with the epoch position is written, the process exits; --resume ends like an uninterrupted run', async (t) => {
  const dir = scratch();
  // Epochs of 1,000 steps (MNIST at batch 8), so that the signal lands inside epoch 2 even when
  // it is late by hundreds of milliseconds (spiral's 60-step epochs took 9-50 ms).
  const flags = ['--dataset', 'mnist', '--model', '784-32-10', '--epochs', '3', '--batch-size', '8', '--dropout', '0.1', '--optimizer', 'adam', '--threads', '2'];
  const whole = cli(['train', ...flags, '--json', 'whole.json', '--quiet'], dir);
  t.is(whole.code, 0, whole.stderr);
  const child = cliSpawn(['train', ...flags, '--save', 'run.ckpt'], dir);
  let out = '';
  child.stdout.setEncoding('utf8');
  let sent = false;
  child.stdout.on('data', (s: string) => {
    out += s;
    if (!sent && out.includes('epoch 1/3')) {
      sent = true;
      child.kill('SIGINT');
    }
  });
  const [code] = await once(child, 'exit');
  t.is(code, 130, out);
  t.regex(out, /interrupted after 1 full epoch; checkpoint written to run\.ckpt/);
  const saved = readCheckpoint(join(dir, 'run.ckpt')).trainer as { epoch: number; inEpoch: { epoch: number; next: number } | null };
  t.is(saved.epoch, 1);
  t.is(saved.inEpoch?.epoch, 2, 'the checkpoint holds the position inside epoch 2');
  // Resumed on another thread count: the results do not depend on it.
  const resumed = cli(['train', ...flags.slice(0, -2), '--threads', '1', '--save', 'run.ckpt', '--resume', 'run.ckpt', '--json', 'resumed.json', '--quiet'], dir);
  t.is(resumed.code, 0, resumed.stderr);
  const a = readJson<{ final: { paramsSha256: string } }>(join(dir, 'whole.json'));
  const b = readJson<{ final: { paramsSha256: string }; epochs: unknown[] }>(join(dir, 'resumed.json'));
  t.is(b.epochs.length, 3);
  t.is(b.final.paramsSha256, a.final.paramsSha256);
});

test('a checkpoint whose last part is bad leaves every part as it was (optimizer, schedule, early stopping, trainer, model)', async (t) => {
  const ckpt = join(scratch(), 'run.ckpt');
  const first = parts({ epochs: 2 });
  await first.trainer.fit(first.data.train, first.data.test!);
  first.earlyStopping.update(first.trainer.history[1]);
  saveCheckpoint(ckpt, first, {});
  const c = readCheckpoint(ckpt);
  const fresh = parts({ epochs: 2 });
  const before = { optimizer: fresh.optimizer.stateDict(), schedule: fresh.schedule!.stateDict(), early: fresh.earlyStopping.stateDict(), trainer: fresh.trainer.snapshot(), params: fresh.model.params.slice() };
  const badTrainer = { ...c, trainer: { ...c.trainer, rng: [1, 2] } };
  t.throws(() => restoreCheckpoint(badTrainer, fresh), { message: /run\.ckpt: trainer state: trainer state must be/ });
  const badWatch = { ...c, earlyStopping: { ...c.earlyStopping!, bestState: [1, 2, 3] } };
  t.throws(() => restoreCheckpoint(badWatch, fresh), { message: /run\.ckpt: early-stopping state: early-stopping state must be/ });
  t.deepEqual(fresh.optimizer.stateDict(), before.optimizer);
  t.deepEqual(fresh.schedule!.stateDict(), before.schedule);
  t.deepEqual(fresh.earlyStopping.stateDict(), before.early);
  t.deepEqual(fresh.trainer.snapshot(), before.trainer);
  t.deepEqual(fresh.model.params, before.params);
  t.notDeepEqual(c.optimizer, before.optimizer, 'the checkpoint\'s optimizer state differs, so the check can fail');
});

test('--resume with more --epochs goes on from a finished run and ends as an uninterrupted run of that length; fewer than done, or a cosine schedule, is refused', (t) => {
  const dir = scratch();
  const flags = ['train', '--dataset', 'iris', '--quiet', '--threads', '2'];
  t.is(cli([...flags, '--epochs', '3', '--save', 'c.ckpt'], dir).code, 0);
  const more = cli([...flags, '--epochs', '5', '--resume', 'c.ckpt', '--save', 'c.ckpt', '--json', 'more.json'], dir);
  t.is(more.code, 0, more.stderr);
  const whole = cli([...flags, '--epochs', '5', '--json', 'whole.json'], dir);
  t.is(whole.code, 0, whole.stderr);
  const sha = (f: string) => (JSON.parse(readFileSync(join(dir, f), 'utf8')) as { final: { paramsSha256: string } }).final.paramsSha256;
  t.is(sha('more.json'), sha('whole.json'));
  const fewer = cli([...flags, '--epochs', '4', '--resume', 'c.ckpt'], dir);
  t.is(fewer.code, 2);
  t.regex(fewer.stderr, /--resume c\.ckpt: the checkpoint's run has begun 5 epochs \(a resumed run finishes the one it stopped in\); --epochs 4 asks for fewer/);
  t.is(cli([...flags, '--epochs', '3', '--schedule', 'cosine', '--save', 'cos.ckpt'], dir).code, 0);
  const cosine = cli([...flags, '--epochs', '5', '--schedule', 'cosine', '--resume', 'cos.ckpt'], dir);
  t.is(cosine.code, 2);
  t.regex(cosine.stderr, /--resume cos\.ckpt: the checkpoint's run has epochs = 3, this one 5/);
});
