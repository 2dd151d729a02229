/**
 * Statistics over seeds: mean, sample standard deviation and count (how they are written is
 * `formatMeanStd` in `lib/report/study_tables.ts`).
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
