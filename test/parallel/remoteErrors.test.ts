/** remoteErrors.ts: errors as cloneable data and back, class and fields kept. */
import test from 'ava';
import { ShardError, WorkerFailure } from '../../src/parallel/options.js';
import { fromErrorData, toErrorData } from '../../src/parallel/remoteErrors.js';
import { NonFiniteGradientError } from '../../src/train/update.js';

const roundTrip = (e: unknown) => fromErrorData(structuredClone(toErrorData(e)));

test('gradpool\'s errors come back as their class, with their fields and message', (t) => {
  const nan = roundTrip(new NonFiniteGradientError(12, '0.dense.W', NaN)) as NonFiniteGradientError;
  t.true(nan instanceof NonFiniteGradientError);
  t.deepEqual([nan.step, nan.parameter, nan.value, nan.message], [12, '0.dense.W', NaN, 'step 12: gradient of 0.dense.W is NaN; the update was not applied']);
  const shard = roundTrip(new ShardError(3, 1, new Error('boom'))) as ShardError;
  t.true(shard instanceof ShardError);
  t.deepEqual([shard.step, shard.shard, shard.message, (shard.cause as Error).message], [3, 1, 'step 3, micro-shard 1: boom', 'boom']);
  const torn = roundTrip(new WorkerFailure('a thread failed while applying the update', new Error('exit 3'), true)) as WorkerFailure;
  t.true(torn instanceof WorkerFailure);
  t.true(torn.torn);
  t.is((torn.cause as Error).message, 'exit 3');
});

test('any other error keeps its name and message; a value that is not error data passes through', (t) => {
  const range = roundTrip(new RangeError('Invalid learning rate: -1')) as Error;
  t.true(range instanceof Error);
  t.is(range.name, 'RangeError');
  t.is(range.message, 'Invalid learning rate: -1');
  t.is(fromErrorData('plain'), 'plain');
  t.is((roundTrip('a string thrown') as Error).message, 'a string thrown');
});
