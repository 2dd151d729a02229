/**
 * Table 5 (evolution): generations 1 … T over seeds, their rows by generation and the verdict on where evolution helps and saturates.
 *
 * @module
 */
import { type CenConfig } from "../config.ts";
import { metricsAt } from "./runs.ts";
import { PAPER_TABLE5 } from "../report/paper.ts";
import { type RunMetrics } from "../train/run.ts";
import { formatMeanStd, meanStd } from "./stats.ts";
import { withSeeds } from "./runs.ts";

/** Table 5: the target config over its generations, one run per seed. */
export function table5Configs(target: CenConfig, seeds: number): CenConfig[] {
  return withSeeds(target, seeds);
}

/** Table 5's rows: MAE per generation (mean ± std), its change from t − 1, and the paper's. */
export function table5Rows(runs: RunMetrics[], backbone: string) {
  const T = Math.max(...runs.map((m) => m.generations.length));
  const paper = PAPER_TABLE5[backbone] ?? [];
  const means: number[] = [];
  return Array.from({ length: T }, (_, i) => {
    const t = i + 1;
    const ms = meanStd(runs.map((m) => metricsAt(m, t)?.mae ?? NaN));
    means.push(ms.mean);
    return {
      t,
      "MAE (ours)": formatMeanStd(ms),
      mean: ms.mean,
      "Δ vs t−1": t > 1 ? (ms.mean - means[i - 1]).toFixed(3) : "",
      [`MAE (paper, ${backbone}, Morph)`]: paper[i] ?? null,
    };
  });
}

/** Table 5's claims: the largest gain is from t = 1 to 2, and later gains are small. */
export function table5Verdict(rows: ReturnType<typeof table5Rows>) {
  const m = rows.map((r) => r.mean);
  const gains = m.slice(1).map((v, i) => m[i] - v);
  const best = m.indexOf(Math.min(...m)) + 1;
  const firstLargest = gains.length > 0 && gains[0] === Math.max(...gains);
  return {
    evolutionHelps: m.length > 1 && Math.min(...m.slice(1)) < m[0],
    largestGainFirst: firstLargest,
    bestGeneration: best,
    text: `MAE by generation: ${m.map((v) => v.toFixed(3)).join(" → ")}; best at t = ${best}; ` +
      (gains.length === 0
        ? "one generation only"
        : firstLargest
        ? `the largest gain is t=1→2 (${gains[0].toFixed(3)})`
        : `the largest gain is NOT t=1→2 (gains ${gains.map((g) => g.toFixed(3)).join(", ")})`),
  };
}
