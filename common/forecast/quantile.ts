// The count distribution behind the prediction interval: negative binomial with mean μ and
// variance μ + φμ² (Poisson when φ = 0); a normal approximation past μ = 400.

/** The smallest k with P(X ≤ k) ≥ q. */
export function countQuantile(mean: number, phi: number, q: number): number {
  if (!(mean > 0)) return 0;
  if (mean > 400) return Math.max(0, Math.round(mean + normalQuantile(q) * Math.sqrt(mean + phi * mean * mean)));
  const pmf = countPmf(mean, phi);
  let k = 0;
  let cdf = pmf[0]!;
  while (cdf < q && k < pmf.length - 1) cdf += pmf[++k]!;
  return k;
}

/** P(X = k) for k = 0 … until the mass left is below 1e-9 (at most mean + 40 sd). */
function countPmf(mean: number, phi: number): number[] {
  // pmf(k+1) = pmf(k)·(k + r)(1 − p)/(k + 1) for the negative binomial, pmf(k)·μ/(k + 1) for Poisson.
  const poisson = phi < 1e-9;
  const r = poisson ? 0 : 1 / phi;
  const p = poisson ? 0 : r / (r + mean);
  let pmf = poisson ? Math.exp(-mean) : Math.exp(r * Math.log(p));
  const out = [pmf];
  let cdf = pmf;
  const stop = mean + 40 * Math.sqrt(mean + phi * mean * mean) + 10;
  for (let k = 0; k < stop && (k < mean || cdf < 1 - 1e-9); k++) {
    pmf = poisson ? (pmf * mean) / (k + 1) : (pmf * (k + r) * (1 - p)) / (k + 1);
    out.push(pmf);
    cdf += pmf;
  }
  return out;
}

/**
 * The prediction interval [lo, hi] of a count with mean μ, holding P(lo ≤ X ≤ hi) as near `level`
 * as whole counts allow (docs/forecast.md, "Prediction interval"). Equal-tailed quantiles of a
 * small count overshoot (both ends included: Poisson(1)'s 10–90 % quantiles [0, 2] hold 92 %), so:
 *   lo = the smallest k whose mid-distribution P(X < k) + P(X = k)/2 reaches (1 − level)/2 (at most ⌊μ⌋);
 *   hi = the k ≥ max(lo, ⌈μ⌉) making P(lo ≤ X ≤ k) closest to `level` (a tie: the smaller k).
 * The interval always holds the mean, so a sum of intervals holds the sum of the means.
 */
export function countInterval(mean: number, phi: number, level: number): [number, number] {
  if (!(mean > 0)) return [0, 0];
  if (mean > 400) {
    const sd = Math.sqrt(mean + phi * mean * mean);
    const z = normalQuantile((1 + level) / 2);
    return [Math.max(0, Math.round(mean - z * sd)), Math.round(mean + z * sd)];
  }
  const pmf = countPmf(mean, phi);
  const tail = (1 - level) / 2;
  let lo = 0;
  let below = 0; // P(X < lo)
  while (lo < Math.floor(mean) && below + pmf[lo]! / 2 < tail) below += pmf[lo++]!;
  let hi = Math.max(lo, Math.ceil(mean - 1e-9));
  let cover = 0;
  for (let k = lo; k <= hi; k++) cover += pmf[k]!;
  // widen while one more count brings the coverage nearer the level
  while (hi < pmf.length - 1 && Math.abs(cover + pmf[hi + 1]! - level) < Math.abs(cover - level)) cover += pmf[++hi]!;
  return [lo, hi];
}

/** Acklam's rational approximation of the standard normal quantile (|error| < 1.2e-9). */
export function normalQuantile(p: number): number {
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const lo = 0.02425;
  if (p <= 0) return Number.NEGATIVE_INFINITY;
  if (p >= 1) return Number.POSITIVE_INFINITY;
  if (p < lo) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (
      (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) /
      ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1)
    );
  }
  if (p > 1 - lo) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) /
    (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1)
  );
}
