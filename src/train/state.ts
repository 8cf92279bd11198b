/** The trainer's resumable state (TrainerState, records.ts): its JSON-safe form and its checks. */
import type { EarlyStopping, EarlyStoppingState } from './earlyStopping.js';
import type { TrainerState } from './records.js';

/** An early-stopping state with plain arrays, so that a snapshot survives JSON as it is. */
export function plainWatch(s: EarlyStoppingState): EarlyStoppingState {
  return { ...s, bestParams: s.bestParams && Array.from(s.bestParams), bestState: s.bestState && Array.from(s.bestState) };
}

/**
 * Check a snapshot whole, for a trainer whose early-stopping watch is `early` (null without the
 * option): its fields, the interrupted epoch, and the watch. A snapshot without a watch
 * (undefined: taken before the watch was saved) is accepted; the watch then starts afresh.
 */
export function checkTrainerState(state: TrainerState, early: EarlyStopping | null): void {
  if (!state || !Number.isInteger(state.epoch) || !Number.isInteger(state.step) || !Array.isArray(state.rng) || state.rng.length !== 4 || !Array.isArray(state.history)) {
    throw new TypeError('trainer state must be {epoch, step, rng: [4 integers], history} as returned by snapshot()');
  }
  const p = state.inEpoch ?? null;
  if (p && (!Array.isArray(p.order) || !Number.isInteger(p.next) || p.epoch !== state.epoch + 1)) throw new TypeError('trainer state.inEpoch must be {epoch, order, next, …} as returned by snapshot()');
  const watch = state.earlyStopping;
  if (watch !== undefined && (watch === null) !== (early === null)) {
    throw new TypeError(`trainer state.earlyStopping: the state ${watch ? 'has' : 'has no'} early-stopping watch, this trainer ${early ? 'has' : 'has no'} earlyStopping option`);
  }
  if (watch) early!.checkStateDict(watch);
}
