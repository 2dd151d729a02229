/**
 * Table 6 (τ, α, λ_t): the sweeps around the paper's center, their rows and the best value of each.
 *
 * @module
 */
import { type CenConfig, type PartialConfig } from "../config.ts";
import { metricsAt } from "./runs.ts";
import { PAPER_TABLE6 } from "../report/paper.ts";
import { type RunMetrics } from "../train/run.ts";
import { formatMeanStd, meanStd } from "./stats.ts";
import { variant, withSeeds } from "./runs.ts";

/** The fixed values around which Table 6 sweeps one hyper-parameter at a time. */
export interface AblationCenter {
  tau: number;
  alpha: number;
  lambda: number;
  /** Generation at which the sweeps are compared (t ≥ 2). */
  generation: number;
}

/** The values each sweep visits (the paper's, plus the centre if it is not among them). */
export function sweepValues(center: AblationCenter) {
  const add = (xs: readonly number[], v: number) => [...new Set([...xs, v])].sort((a, b) => a - b);
  return {
    tau: add(PAPER_TABLE6.tau.values, center.tau),
    alpha: add(PAPER_TABLE6.alpha.values, center.alpha),
    lambda: add(PAPER_TABLE6.lambda.values, center.lambda),
  };
}

type Sweep = "tau" | "alpha" | "lambda";

/**
 * Table 6's configs. λ here is λ_t of the offspring (Eq. 15); λ_1 of generation 1 stays at the
 * target's value, so every sweep shares one ancestor (generation 1 is trained once).
 */
export function table6Configs(target: CenConfig, c: AblationCenter, seeds: number) {
  const v = sweepValues(c);
  const base = { tau: c.tau, alpha: c.alpha, lambdaT: c.lambda, generations: c.generation };
  const make = (over: PartialConfig) => withSeeds(variant(target, { ...base, ...over }), seeds);
  return {
    tau: v.tau.map((tau) => ({ value: tau, configs: make({ tau }) })),
    alpha: v.alpha.map((alpha) => ({ value: alpha, configs: make({ alpha }) })),
    lambda: v.lambda.map((lambda) => ({ value: lambda, configs: make({ lambdaT: lambda }) })),
  } satisfies Record<Sweep, { value: number; configs: CenConfig[] }[]>;
}

/** One sweep's rows: value, our MAE at the compared generation, the paper's MAE. */
export function table6Rows(
  sweep: Sweep,
  results: { value: number; runs: RunMetrics[] }[],
  generation: number,
) {
  const paper = PAPER_TABLE6[sweep];
  return results.map((r) => {
    const ms = meanStd(r.runs.map((m) => metricsAt(m, generation)?.mae ?? NaN));
    const i = (paper.values as readonly number[]).indexOf(r.value);
    return {
      [sweep]: r.value,
      [`MAE t=${generation} (ours)`]: formatMeanStd(ms),
      mean: ms.mean,
      "MAE (paper, ResNet18, Morph)": i >= 0 ? paper.mae[i] : null,
    };
  });
}

/** The best value of a sweep (ours and the paper's). */
export function table6Best(sweep: Sweep, rows: ReturnType<typeof table6Rows>) {
  const best = rows.reduce((a, b) => (b.mean < a.mean ? b : a));
  const mae: readonly number[] = PAPER_TABLE6[sweep].mae;
  const paperBest = PAPER_TABLE6[sweep].values[mae.indexOf(Math.min(...mae))];
  return { ours: best[sweep] as number, paper: paperBest, agrees: best[sweep] === paperBest };
}
