/**
 * The control block's wake-up of the coordinator (control.ts wakeCoordinator): once per wait,
 * for the step waited for or a later one, and always for a step whose gradients were not finite.
 */
import test from 'ava';
import { MAX_PENDING } from '../../src/optim/optimizer.js';
import { CTL, CTL_LENGTH, QUEUE_SLOTS, WAKE_NEVER, wakeCoordinator } from '../../src/parallel/control.js';

const block = (wakeAt: number) => {
  const ctl = new Int32Array(new SharedArrayBuffer(CTL_LENGTH * 4));
  ctl[CTL.WAKE_AT] = wakeAt;
  return ctl;
};

test('a step before the one waited for does not wake the coordinator; that step wakes it once, and the steps after it not again', (t) => {
  const ctl = block(5);
  wakeCoordinator(ctl, 4, false);
  t.is(ctl[CTL.WAKE], 0);
  wakeCoordinator(ctl, 5, false);
  t.is(ctl[CTL.WAKE], 1);
  t.is(ctl[CTL.WAKE_AT], WAKE_NEVER);
  wakeCoordinator(ctl, 6, false);
  wakeCoordinator(ctl, 7, false);
  t.is(ctl[CTL.WAKE], 1, 'the steps ending while the coordinator is busy do not notify it');
  // The coordinator waits again, for step 9: step 8 passes, step 10 (9 was skipped) wakes it.
  ctl[CTL.WAKE_AT] = 9;
  wakeCoordinator(ctl, 8, false);
  t.is(ctl[CTL.WAKE], 1);
  wakeCoordinator(ctl, 10, false);
  t.is(ctl[CTL.WAKE], 2);
});

test('a step whose gradients were not finite always wakes the coordinator, and leaves its next wait alone', (t) => {
  const ctl = block(WAKE_NEVER);
  wakeCoordinator(ctl, 3, true);
  t.is(ctl[CTL.WAKE], 1);
  ctl[CTL.WAKE_AT] = 20;
  wakeCoordinator(ctl, 4, true);
  t.is(ctl[CTL.WAKE], 2);
  t.is(ctl[CTL.WAKE_AT], 20);
});

test('the optimizer can undo as many begun steps as the queue holds (a run of steps may cancel them all)', (t) => {
  t.true(QUEUE_SLOTS <= MAX_PENDING, `${QUEUE_SLOTS} queue slots, ${MAX_PENDING} steps of undo`);
});
