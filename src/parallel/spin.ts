/**
 * Short spins before sleeping, for the worker threads' waits inside and between steps. Waking a
 * thread blocked in Atomics.wait is a futex wake: tens of microseconds on an idle machine, more on
 * a loaded one, paid at every barrier and at the start of every step. A wait that is about to end
 * (the other thread is a few microseconds from the barrier, the coordinator is handing out the next
 * step) ends sooner if the thread watches the cell for a moment first. The spin is bounded, so a
 * long wait still sleeps in Atomics.wait (control.ts) and an abort is still seen.
 */
import { CTL, waitWhile } from './control.js';

/** Watch ctl[index] for up to `micros` µs; true as soon as it is no longer `value` (or the step is aborted). */
export function spinWhile(ctl: Int32Array, index: number, value: number, micros: number): boolean {
  if (micros <= 0) return Atomics.load(ctl, index) !== value;
  const end = performance.now() + micros / 1000;
  for (let n = 1; Atomics.load(ctl, index) === value; n++) {
    if ((n & 127) === 0 && (Atomics.load(ctl, CTL.ABORT) !== 0 || performance.now() > end)) return false;
  }
  return true;
}

/** waitWhile (control.ts), after a spin of up to `micros` µs. */
export function spinThenWait(ctl: Int32Array, index: number, value: number, micros: number): void {
  spinWhile(ctl, index, value, micros);
  waitWhile(ctl, index, value);
}

/**
 * A reusable barrier for ctl[PARTIES] threads (generation counting, so it can be re-entered at
 * once), the waiting side spinning up to `micros` µs before it sleeps.
 */
export function spinBarrier(ctl: Int32Array, micros: number): void {
  const gen = Atomics.load(ctl, CTL.BAR_GEN);
  if (Atomics.add(ctl, CTL.BAR_COUNT, 1) === Atomics.load(ctl, CTL.PARTIES) - 1) {
    Atomics.store(ctl, CTL.BAR_COUNT, 0);
    Atomics.add(ctl, CTL.BAR_GEN, 1);
    Atomics.notify(ctl, CTL.BAR_GEN);
    return;
  }
  spinThenWait(ctl, CTL.BAR_GEN, gen, micros);
}
