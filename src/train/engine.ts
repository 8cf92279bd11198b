/**
 * How the trainer gets one optimization step done. The serial engine does it on this thread;
 * the parallel runtime implements the same contract over a worker pool, so the trainer's
 * epochs, metrics, callbacks and early stopping are written once.
 */
import type { Dataset } from '../data/dataset.js';

export interface StepResult {
  /** Sum of per-sample losses over the batch (training mode). */
  lossSum: number;
  /** Rows classified correctly (0 for regression). */
  correct: number;
}

export interface StepEngine {
  /**
   * One step on rows `order[start..end)` of `data`: forward, backward, gradients averaged over
   * the batch, clipping, optimizer update. `step` is the 0-based global step (keys dropout masks).
   */
  step(data: Dataset, order: Int32Array, start: number, end: number, step: number): StepResult | Promise<StepResult>;
}
