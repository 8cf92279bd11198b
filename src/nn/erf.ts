/**
 * The error function in double precision, for the exact GELU (PyTorch's default,
 * x·Φ(x) with Φ(x) = (1 + erf(x/√2))/2). JavaScript has no Math.erf.
 * |x| < 3: the all-positive series erf x = 2x/√π · e^(−x²) · Σ (2x²)ⁿ / (1·3·…·(2n+1)),
 * which has no cancellation; |x| ≥ 3: erfc by its continued fraction (modified Lentz),
 * which converges in a few dozen terms there. Both are accurate to about 1e-15.
 */
const TWO_OVER_SQRT_PI = 1.1283791670955126;

export function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const a = Math.abs(x);
  if (a >= 6) return Math.sign(x);
  if (a < 3) {
    const x2 = 2 * a * a;
    let term = 1;
    let sum = 1;
    for (let n = 1; n < 200 && term > 1e-17 * sum; n++) {
      term *= x2 / (2 * n + 1);
      sum += term;
    }
    return Math.sign(x) * TWO_OVER_SQRT_PI * a * Math.exp(-a * a) * sum;
  }
  return Math.sign(x) * (1 - erfcContinuedFraction(a));
}

/**
 * erfc(x) = 1 − erf(x), without the cancellation of that difference: for |x| ≥ 1.5 by the
 * continued fraction (within 1e-15 relative there, in at most ~90 terms; 1 − erf loses up to 1.4e-11
 * relative between 2 and 3), 0 past x = 27 (below the smallest double).
 */
export function erfc(x: number): number {
  if (x >= 27) return 0;
  if (x >= 1.5) return erfcContinuedFraction(x);
  if (x <= -1.5) return 2 - erfcContinuedFraction(-x);
  return 1 - erf(x);
}

/** erfc(x) = e^(−x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …)))) for x > 0. */
function erfcContinuedFraction(x: number): number {
  const tiny = 1e-300;
  let f = x;
  let c = x;
  let d = 0;
  for (let n = 1; n < 300; n++) {
    const an = n / 2;
    d = x + an * d;
    d = d === 0 ? tiny : 1 / d;
    c = x + an / c;
    if (c === 0) c = tiny;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(-x * x) / (Math.sqrt(Math.PI) * f);
}
