/**
 * Timing one function with benchmark.js, with the settings for a full or a `--quick` run.
 * benchmark.js picks the repetition count per sample; we report the median sample rather than
 * the mean, because on 2 cores shared with other work a few samples are slowed by other
 * processes and the median is what the machine does when it runs the kernel (the guide's
 * figures are medians too). Run synchronously, one benchmark at a time.
 */
import Benchmark from 'benchmark';

export interface Timing {
  /** Median over samples of the seconds per call. */
  seconds: number;
  /** Relative margin of error at 95%, in percent. */
  rme: number;
  samples: number;
}

export function time(name: string, fn: () => void, quick: boolean): Timing {
  const bench = new Benchmark(name, fn, {
    async: false,
    initCount: 1,
    minSamples: quick ? 3 : 8,
    maxTime: quick ? 0.25 : 1.5,
    minTime: quick ? 0.02 : 0.05,
  });
  bench.run();
  const b = bench as unknown as { error?: unknown; stats: { mean: number; rme: number; sample: number[] } };
  if (b.error) throw b.error;
  const sorted = [...b.stats.sample].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { seconds: median, rme: b.stats.rme, samples: sorted.length };
}
