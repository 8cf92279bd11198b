/** One training step on the calling thread: the reference the parallel runtime must agree with. */
import { BatchGatherer, type Dataset } from '../data/dataset.js';
import type { Loss } from '../losses/loss.js';
import type { Model } from '../nn/model.js';
import { Tensor } from '../tensor/tensor.js';
import type { StepEngine, StepResult } from './engine.js';
import { countCorrect } from './metrics.js';
import { applyUpdate, type UpdatePlan } from './update.js';

export class SerialEngine implements StepEngine {
  private gatherer: BatchGatherer | null = null;
  private gatheredFrom: Dataset | null = null;
  private grad: Tensor | null = null;

  constructor(
    private readonly model: Model,
    private readonly loss: Loss,
    private readonly plan: UpdatePlan,
    private readonly seed: number,
  ) {}

  step(data: Dataset, order: Int32Array, start: number, end: number, step: number): StepResult {
    if (this.gatheredFrom !== data) {
      this.gatherer = new BatchGatherer(data);
      this.gatheredFrom = data;
    }
    const { x, y } = this.gatherer!.gather(order, start, end);
    const model = this.model;
    model.zeroGrad();
    const pred = model.forward(x, { training: true, seed: this.seed, step, sampleIds: order.subarray(start, end) });
    const n = pred.rows * pred.cols;
    if (!this.grad || this.grad.data.length < n) this.grad = Tensor.zeros(model.dtype, pred.rows, pred.cols);
    const grad = new Tensor(this.grad.data, pred.rows, pred.cols);
    const lossSum = this.loss.sumAndGrad(pred, y, grad);
    const correct = countCorrect(pred, y, this.loss.decision);
    model.backward(grad);
    // Gradients are sums over the batch; the mean is taken once, here (see losses/loss.ts).
    const inv = 1 / (end - start);
    const g = model.grads;
    for (let i = 0; i < g.length; i++) g[i] *= inv;
    applyUpdate(this.plan, model, step);
    return { lossSum, correct };
  }
}
