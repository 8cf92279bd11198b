/**
 * What `train` prints. On a terminal, a progress bar per epoch that redraws in place as the
 * trainer reports progress (onProgress: every ~32 steps and at least every 100 ms; at most ten
 * times a second) with samples/s, the running loss and the epoch's ETA, replaced by the
 * epoch's line when it ends. Anywhere else (a pipe, a file, CI), one plain line per epoch.
 * Then a summary. `--quiet` keeps only the summary.
 */
import type { EpochRecord, ProgressInfo } from '../train/trainer.js';
import { layersText } from './layersText.js';
import type { RunResult, StartInfo } from './run.js';

export interface Out {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

export const pct = (x: number | null): string => (x === null ? '-' : `${(100 * x).toFixed(2)}%`);
export const num = (x: number | null, digits = 4): string => (x === null ? '-' : Math.abs(x) >= 1e4 || (x !== 0 && Math.abs(x) < 1e-3) ? x.toExponential(3) : x.toFixed(digits));
export const rate = (x: number): string => `${Math.round(x).toLocaleString('en-US')} samples/s`;

export function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 1 : 0)}s`;
  const m = Math.floor(seconds / 60);
  return m < 60 ? `${m}m${String(Math.round(seconds % 60)).padStart(2, '0')}s` : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

export function epochLine(r: EpochRecord, epochs: number): string {
  const w = String(epochs).length;
  const parts = [`epoch ${String(r.epoch).padStart(w)}/${epochs}`, `train loss ${num(r.trainLoss)}`];
  if (r.trainAccuracy !== null) parts.push(`acc ${pct(r.trainAccuracy)}`);
  if (r.testLoss !== null) parts.push(`test loss ${num(r.testLoss)}`);
  if (r.testAccuracy !== null) parts.push(`acc ${pct(r.testAccuracy)}`);
  parts.push(duration(r.seconds), rate(r.samplesPerSecond));
  return parts.join('  ');
}

export class Progress {
  private epochs = 0;
  private trainSize = 0;
  private epochStart = 0;
  /** Rows of the epoch done before this process (a resumed checkpoint): not part of the rate. */
  private base = 0;
  private lastDraw = 0;
  private drawn = false;

  constructor(private readonly out: Out, private readonly quiet: boolean) {}

  private get tty(): boolean {
    return this.out.isTTY === true;
  }

  start(info: StartInfo): void {
    this.epochs = info.config.epochs;
    this.trainSize = info.trainSize;
    this.epochStart = performance.now();
    this.base = info.startRow;
    if (this.quiet) return;
    const c = info.config;
    const threads = `${c.threads} thread${c.threads > 1 ? 's' : ''}`;
    this.out.write(`${c.dataset}: ${info.trainSize} training rows, ${info.testSize} test rows; model ${c.model.join('-')}: ${layersText(info.layers)} (${info.paramCount.toLocaleString('en-US')} parameters, ${c.dtype}); ${c.optimizer} ${JSON.stringify(c.optimizerOptions)}; batch ${info.batchSize}; ${threads}\n`);
    if (info.startRow > 0) this.out.write(`resuming epoch ${info.startEpoch + 1} at row ${info.startRow} of ${info.trainSize}\n`);
    else if (info.startEpoch > 0) this.out.write(`resuming after epoch ${info.startEpoch}\n`);
  }

  /** onProgress: how far the epoch has got (every step, or every few in a run of steps). */
  progress(info: ProgressInfo): void {
    if (this.quiet || !this.tty) return;
    const now = performance.now();
    if (now - this.lastDraw < 100 && info.rows < this.trainSize) return;
    this.lastDraw = now;
    const elapsed = (now - this.epochStart) / 1000;
    const speed = (info.rows - this.base) / Math.max(elapsed, 1e-9);
    const eta = (this.trainSize - info.rows) / speed;
    // A terminal may report 0 columns (no size known): then 80. The ETA comes before the rate and
    // the loss, so that a narrow terminal still shows it; the bar shrinks there.
    const cols = this.out.columns || 80;
    const width = Math.max(6, Math.min(24, cols - 60));
    const filled = Math.round((width * info.rows) / this.trainSize);
    const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
    const line = `epoch ${info.epoch}/${this.epochs} ${bar} ${Math.floor((100 * info.rows) / this.trainSize)}%  ETA ${duration(eta)}  ${rate(speed)}  loss ${num(info.lossSum / info.rows)}`;
    this.out.write(`\r${line.slice(0, cols - 1)}\x1b[K`);
    this.drawn = true;
  }

  epoch(record: EpochRecord): void {
    // The next epoch's clock starts now, from its first row.
    this.epochStart = performance.now();
    this.base = 0;
    if (this.quiet) return;
    if (this.drawn) this.out.write('\r\x1b[K');
    this.drawn = false;
    this.out.write(epochLine(record, this.epochs) + '\n');
  }

  summary(result: RunResult): void {
    const f = result.final;
    const h = result.history;
    const trained = h.reduce((s, r) => s + r.seconds, 0);
    const lines = [`done: ${h.length} epoch${h.length === 1 ? '' : 's'} in ${duration(trained)}`];
    const early = result.earlyStopped;
    if (early) lines.push(`early stopping ended the run and restored the weights of epoch ${early.bestEpoch} (the lowest ${h[0]?.testLoss !== null ? 'test' : 'train'} loss): the results below are that epoch's`);
    lines.push(`train loss ${num(f.trainLoss)}${result.trainAccuracy !== null ? `  train accuracy ${pct(result.trainAccuracy)}` : ''}`);
    if (f.testLoss !== null) lines.push(`test loss ${num(f.testLoss)}`);
    if (f.testAccuracy !== null) lines.push(`test accuracy ${pct(f.testAccuracy)}`);
    lines.push(`paramsSha256 ${f.paramsSha256}`);
    this.out.write(lines.join('\n') + '\n');
  }
}
