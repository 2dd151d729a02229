/**
 * Table 5 (evolution): generations 1 … T over seeds, their rows by generation (numbers;
 * `table5Display` in `lib/report/study_tables.ts` writes them) and the verdict on where evolution
 * helps and saturates.
 *
 * @module
 */
import { type CenConfig } from "../config.ts";
import { PAPER_TABLE5 } from "./paper.ts";
import { type RunMetrics } from "../train/run.ts";
import { type MaeByHead, maeByHead, overSeeds, type RunsOf, withSeeds } from "./runs.ts";
import type { MeanStd } from "./stats.ts";

/** Table 5: the target config over its generations, one run per seed. */
export function table5Configs(target: CenConfig, seeds: number): CenConfig[] {
  return withSeeds(target, seeds);
}

/** One row of Table 5: generation t's test MAE over seeds, its change, and the paper's. */
export interface Table5Row extends MaeByHead {
  /** The generation. */
  t: number;
  /** The mean's change from generation t − 1 (null at t = 1). */
  delta: number | null;
  /** The paper's Morph MAE for this backbone and generation, if it reports one. */
  paper: number | null;
  /** CA(3), CA(5), CA(7) of ŷ in percent over seeds (the paper's MegaAge-Asian measure). */
  ca3: MeanStd;
  ca5: MeanStd;
  ca7: MeanStd;
}

/**
 * Table 5's rows: MAE per generation (over seeds), its change from t − 1, the paper's, and each
 * head's MAE (where evolution helps one head and not the other, the mean ŷ hides it).
 */
export function table5Rows(runs: RunMetrics[], backbone: string): Table5Row[] {
  const T = Math.max(...runs.map((m) => m.generations.length));
  const paper = PAPER_TABLE5[backbone] ?? [];
  const means: number[] = [];
  return Array.from({ length: T }, (_, i) => {
    const t = i + 1;
    const at = (k: "ca3" | "ca5" | "ca7") => overSeeds(runs, t, k);
    const ms = maeByHead(runs, t);
    means.push(ms.mean);
    return {
      t,
      ...ms,
      delta: t > 1 ? ms.mean - means[i - 1] : null,
      paper: paper[i] ?? null,
      ca3: at("ca3"),
      ca5: at("ca5"),
      ca7: at("ca7"),
    };
  });
}

/** Table 5's claims: the largest gain is from t = 1 to 2, and later gains are small. */
export function table5Verdict(rows: readonly Pick<Table5Row, "mean">[]) {
  const m = rows.map((r) => r.mean);
  const gains = m.slice(1).map((v, i) => m[i] - v);
  const best = m.indexOf(Math.min(...m)) + 1;
  const firstLargest = gains.length > 0 && gains[0] === Math.max(...gains);
  return {
    evolutionHelps: m.length > 1 && Math.min(...m.slice(1)) < m[0],
    largestGainFirst: firstLargest,
    bestGeneration: best,
    /** The gain of each generation over the one before (t = 1→2 first; positive: better). */
    gains,
    text: `MAE by generation: ${m.map((v) => v.toFixed(3)).join(" → ")}; best at t = ${best}; ` +
      (gains.length === 0
        ? "one generation only"
        : firstLargest
        ? `the largest gain is t=1→2 (${gains[0].toFixed(3)})`
        : `the largest gain is NOT t=1→2 (gains ${gains.map((g) => g.toFixed(3)).join(", ")})`),
  };
}

/**
 * The runs of Table 5 for `target` (its backbone, its generations) over `seeds`, got by `runsOf`
 * (trained or looked up; the log label is `<backbone>, seed`).
 */
export function table5Runs(
  target: CenConfig,
  seeds: number,
  runsOf: RunsOf,
): Promise<RunMetrics[]> {
  return runsOf(table5Configs(target, seeds), `${target.backbone}, seed`);
}
