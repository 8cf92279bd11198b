/**
 * Axis ticks: "nice" round values (1, 2, 5 × 10^k) on a linear axis, whole numbers on a count
 * axis such as epochs, and powers of ten on a log axis.
 */

/**
 * Round ticks covering [lo, hi], about `count` of them, `minStep` apart at least (1 for whole
 * numbers only).
 */
export function niceTicks(lo: number, hi: number, count = 5, minStep = 0): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = Math.max(minStep, [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw)!);
  const ticks: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) ticks.push(Number(t.toPrecision(12)));
  return ticks;
}

/** Whole-number ticks inside [lo, hi] (an epoch axis has no epoch 1.5, nor one before the first). */
export function integerTicks(lo: number, hi: number, count = 6): number[] {
  const first = Math.ceil(lo);
  const last = Math.floor(hi);
  if (last < first) return [];
  return niceTicks(first, last, count, 1);
}

/** 10^e, written so that it is exact: 10 ** -5 is 0.000009999999999999999. */
const power = (m: number, e: number) => Number(`${m}e${e}`);

/**
 * Ticks for a log axis showing 10^lo to 10^hi (lo and hi are exponents). A tick every decade,
 * or every 2 or 5 decades so that there are at most 10; when fewer than 4 decades fall in the
 * range, 1, 2 and 5 times each power of ten, which keeps a short range labelled.
 */
export function logTicks(lo: number, hi: number): number[] {
  const decades = integerTicks(lo, hi, 9);
  if (decades.length >= 4) return decades.map((e) => power(1, e));
  const ticks: number[] = [];
  for (let e = Math.floor(lo); e <= Math.ceil(hi); e++) {
    for (const m of [1, 2, 5]) {
      const exponent = e + Math.log10(m);
      if (exponent >= lo && exponent <= hi) ticks.push(power(m, e));
    }
  }
  return ticks;
}

export function formatTick(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 1e4 || a < 1e-3 ? v.toExponential(0) : String(Number(v.toPrecision(4)));
}
