/**
 * Timing one function with benchmark.js, with the settings for a full or a `--quick` run.
 * benchmark.js picks the repetition count per sample and reports the mean over samples with its
 * margin of error; it is run synchronously, one benchmark at a time (2 shared cores).
 */
import Benchmark from 'benchmark';

export interface Timing {
  /** Mean seconds per call. */
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
  return { seconds: b.stats.mean, rme: b.stats.rme, samples: b.stats.sample.length };
}
