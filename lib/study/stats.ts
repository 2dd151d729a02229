/**
 * Statistics over seeds: mean, sample standard deviation and count, and how they are written
 * (`formatMeanStd`, which the verdicts and every study table use).
 *
 * @module
 */

/** Mean, sample standard deviation and count. */
export interface MeanStd {
  mean: number;
  std: number;
  n: number;
}

/** Mean and sample std (0 for a single value) of finite values. */
export function meanStd(xs: readonly number[]): MeanStd {
  const v = xs.filter(Number.isFinite);
  const n = v.length;
  const mean = v.reduce((a, b) => a + b, 0) / n;
  const std = n > 1 ? Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, std, n };
}

/** "2.345 ± 0.012" (or "2.345" for one seed, "–" for none). */
export function formatMeanStd(m: MeanStd, digits = 3): string {
  if (m.n === 0 || !Number.isFinite(m.mean)) return "–";
  return m.n > 1 ? `${m.mean.toFixed(digits)} ± ${m.std.toFixed(digits)}` : m.mean.toFixed(digits);
}

/**
 * The q-quantile (0 ≤ q ≤ 1) of finite values, interpolating linearly between the two nearest
 * order statistics (q = 0.5: the median); NaN for none.
 */
export function quantile(xs: ArrayLike<number>, q: number): number {
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile: q must be in [0, 1], got ${q}`);
  const v = Array.from(xs).filter(Number.isFinite).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const at = q * (v.length - 1);
  const lo = Math.floor(at);
  return lo + 1 < v.length ? v[lo] + (at - lo) * (v[lo + 1] - v[lo]) : v[lo];
}

/** "60.8 / 80.1 / 90.5": CA(3) / CA(5) / CA(7) in percent (means; "–" where not measured). */
export function formatCa(
  c: { ca3: MeanStd | number; ca5: MeanStd | number; ca7: MeanStd | number },
) {
  const f = (m: MeanStd | number) =>
    typeof m === "number"
      ? m.toFixed(1)
      : m.n > 0 && Number.isFinite(m.mean)
      ? m.mean.toFixed(1)
      : "–";
  return `${f(c.ca3)} / ${f(c.ca5)} / ${f(c.ca7)}`;
}
