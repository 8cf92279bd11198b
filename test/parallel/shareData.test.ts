import test from 'ava';
import type { SessionSpec } from '../../src/parallel/session.js';
import { shareSpec } from '../../src/parallel/shareData.js';

function spec(data: SessionSpec['data'], validation?: SessionSpec['data']): SessionSpec {
  return { model: { layers: [] } as never, data, ...(validation ? { validation } : {}), optimizer: { name: 'sgd' } };
}

test('flat typed arrays (x, targets, validation) go into shared memory with their type and values; the caller\'s arrays are untouched', async (t) => {
  const x = Float32Array.from({ length: 12 }, (_, i) => i / 3);
  const targets = Float64Array.from({ length: 6 }, (_, i) => -i);
  const vx = Float32Array.from([1, 2, 3, 4]);
  const s = await shareSpec(spec({ x: { data: x, shape: [6, 2] }, targets: { data: targets, shape: [6, 1] } }, { x: { data: vx, shape: [2, 2] }, labels: [0, 1] }));
  const out = s.data.x as { data: Float32Array; shape: [number, number] };
  t.true(out.data instanceof Float32Array);
  t.true(out.data.buffer instanceof SharedArrayBuffer);
  t.deepEqual(Array.from(out.data), Array.from(x));
  t.deepEqual(out.shape, [6, 2]);
  const tg = s.data.targets as { data: Float64Array };
  t.true(tg.data instanceof Float64Array && tg.data.buffer instanceof SharedArrayBuffer);
  t.deepEqual(Array.from(tg.data), Array.from(targets));
  const v = s.validation!.x as { data: Float32Array };
  t.true(v.data.buffer instanceof SharedArrayBuffer);
  t.deepEqual(s.validation!.labels, [0, 1]);
  t.false(x.buffer instanceof SharedArrayBuffer, 'the caller keeps its own array');
  t.deepEqual(Array.from(x), Array.from({ length: 12 }, (_, i) => Math.fround(i / 3)));
});

test('data already in shared memory, and number[][] inputs, are sent as they are', async (t) => {
  const sharedX = new Float32Array(new SharedArrayBuffer(16));
  const a = spec({ x: { data: sharedX, shape: [2, 2] }, labels: [0, 1] });
  t.is((await shareSpec(a)).data, a.data);
  const rows = [[1, 2], [3, 4]];
  const b = spec({ x: rows, labels: [0, 1] });
  t.is((await shareSpec(b)).data.x, rows);
});

test('a large array is copied a slice per event-loop turn: the caller\'s callbacks run in between', async (t) => {
  const x = new Float32Array(3 << 20).fill(0.5);
  let turns = 0;
  let done = false;
  const tick = () => {
    if (done) return;
    turns++;
    setImmediate(tick);
  };
  setImmediate(tick);
  const s = await shareSpec(spec({ x: { data: x, shape: [x.length / 4, 4] }, labels: [] }));
  done = true;
  t.true(turns >= 5, `${turns} turns of the caller's event loop during the copy`);
  const out = (s.data.x as { data: Float32Array }).data;
  t.is(out.length, x.length);
  t.is(out[out.length - 1], 0.5);
  t.is(out[0], 0.5);
});
