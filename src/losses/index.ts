/** Losses by name, for configs and the command line. */
import { checkOneOf } from '../errors.js';
import { binaryCrossEntropy } from './binaryCrossEntropy.js';
import { halfSquaredError } from './halfSquaredError.js';
import type { Loss } from './loss.js';
import { mse } from './mse.js';
import { softmaxCrossEntropy } from './softmaxCrossEntropy.js';

export const LOSSES: Readonly<Record<string, Loss>> = Object.freeze({
  mse,
  'half-sse': halfSquaredError,
  'softmax-cross-entropy': softmaxCrossEntropy,
  'binary-cross-entropy': binaryCrossEntropy,
});

export function lossByName(name: string): Loss {
  return LOSSES[checkOneOf('loss', name, Object.keys(LOSSES))];
}

export { binaryCrossEntropy, halfSquaredError, mse, softmaxCrossEntropy };
export type { Decision, Loss, Target } from './loss.js';
