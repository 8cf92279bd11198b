/**
 * The reduction and update pieces of reduce.ts (`reduceChunk`, `updateChunk`) routed to the WASM
 * step kernels (src/kernels/wasm-reduce.ts) where they can run: arrays in this thread's arena,
 * and an optimizer whose rule has a WASM twin (Adam, AdamW, SGD). Everything else keeps the JS
 * reference, piece by piece, so a worker can always call these. The WASM kernels compute what
 * the JS does, bit for bit (a chunk's sum of squares included), so in float64 which path ran
 * never shows: results equal the serial reference. Adam on float32 computes in f32 and agrees
 * with the JS rule to a few ulps (float32 WASM gemm already differs from the JS reference
 * kernels by more). Every thread takes the same path, so results stay bit-identical for any
 * thread count.
 *
 * Built once per run and thread: the groups' static hyperparameters are read from the worker's
 * optimizer here (the learning rate and bias corrections arrive each step in the plan).
 */
import type { WasmStepKernels } from '../kernels/wasm-reduce.js';
import { clipGradValue } from '../optim/clip.js';
import { adamRule, type AdamHyper } from '../optim/adam.js';
import { adamwRule } from '../optim/adamw.js';
import type { Optimizer } from '../optim/optimizer.js';
import { sgdRule, type SGDHyper } from '../optim/sgd.js';
import type { FloatArray } from '../tensor/dtype.js';
import { reduceChunk, updateChunk, type ClipSettings } from './reduce.js';

/** One group's update over [lo, hi), its coefficients at plan[at …]. */
type GroupUpdate = (lo: number, hi: number, plan: Float64Array, at: number) => void;

interface Group {
  readonly ranges: ReadonlyArray<readonly [number, number]>;
  readonly run: GroupUpdate;
}

export class WasmStep {
  /** Whether updates run on WASM (false: the optimizer's JS rule). */
  readonly wasmUpdate: boolean;
  private readonly groups: Group[] | null;
  private readonly coefCount: number;

  constructor(
    private readonly kernels: WasmStepKernels,
    private readonly optimizer: Optimizer,
    private readonly clip: ClipSettings,
  ) {
    this.coefCount = optimizer.rule.coefCount;
    this.groups = this.buildGroups();
    this.wasmUpdate = this.groups !== null;
  }

  /** reduce.ts `reduceChunk`, on WASM when slots and grads live in the arena. */
  reduceChunk(slots: FloatArray, shards: number, grads: FloatArray, lo: number, hi: number, invBatch: number, stride = grads.length): number {
    if (!this.kernels.accepts(slots, grads)) return reduceChunk(slots, shards, grads, lo, hi, invBatch, stride);
    return this.kernels.reduce(slots, shards, grads, lo, hi, invBatch, stride);
  }

  /** reduce.ts `updateChunk`: clip chunk [lo, hi) of the reduced gradients, then update it. */
  updateChunk(factor: number, plan: Float64Array, lo: number, hi: number): void {
    const groups = this.groups;
    if (groups === null) return updateChunk(this.optimizer, this.clip, factor, plan, lo, hi);
    const grads = this.optimizer.params.grads;
    this.kernels.scale(grads, lo, hi, factor);
    if (this.clip.clipValue !== null) clipGradValue(grads, this.clip.clipValue, lo, hi);
    const k = this.coefCount;
    for (let i = 0; i < groups.length; i++) {
      for (const [s, e] of groups[i].ranges) {
        const a = Math.max(s, lo);
        const b = Math.min(e, hi);
        if (a < b) groups[i].run(a, b, plan, i * k);
      }
    }
  }

  /** One WASM update per group, or null when the rule or an array cannot go to WASM. */
  private buildGroups(): Group[] | null {
    const opt = this.optimizer;
    const { values: p, grads: g } = opt.params;
    const st = opt.state;
    const wasm = this.kernels;
    const rule = opt.rule;
    const groups: Group[] = [];
    for (let i = 0; i < opt.groupCount; i++) {
      const { hyper, ranges } = opt.group(i);
      let run: GroupUpdate;
      if (rule === adamRule || rule === adamwRule) {
        const h = hyper as unknown as AdamHyper;
        const [m, v] = [st.expAvg, st.expAvgSq];
        const vMax = h.amsgrad ? st.maxExpAvgSq : null;
        if (!m || !v || (h.amsgrad && !vMax) || !wasm.accepts(p, g, m, v, vMax)) return null;
        const decoupled = rule === adamwRule;
        const c = { beta1: h.betas[0], beta2: h.betas[1], eps: h.eps, l2: decoupled ? 0 : h.weightDecay };
        run = decoupled
          ? (lo, hi, plan, at) => wasm.adam(p, g, m, v, vMax, lo, hi, c, plan[at + 2], plan[at], plan[at + 1])
          : (lo, hi, plan, at) => wasm.adam(p, g, m, v, vMax, lo, hi, c, 1, plan[at], plan[at + 1]);
      } else if (rule === sgdRule) {
        const h = hyper as unknown as SGDHyper;
        const buf = h.momentum !== 0 ? st.momentumBuffer : null;
        if ((h.momentum !== 0 && !buf) || !wasm.accepts(p, g, buf)) return null;
        const c = { momentum: h.momentum, dampening: h.dampening, weightDecay: h.weightDecay, nesterov: h.nesterov };
        run = (lo, hi, plan, at) => wasm.sgd(p, g, buf, lo, hi, c, plan[at], plan[at + 1] === 1);
      } else {
        return null;
      }
      if (hyper.maximize) {
        // The rule sees −g, flipped back after (an exact negation: scaling by −1), as Optimizer.updateRange does.
        const descend = run;
        run = (lo, hi, plan, at) => {
          wasm.scale(g, lo, hi, -1);
          descend(lo, hi, plan, at);
          wasm.scale(g, lo, hi, -1);
        };
      }
      groups.push({ ranges: ranges.map(([s, e]) => [s, e] as const), run });
    }
    return groups;
  }
}
