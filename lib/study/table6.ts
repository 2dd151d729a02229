/**
 * Table 6 (τ, α, λ_t): the sweeps around the paper's center, their runs, their rows (numbers;
 * `table6Display` writes them) and the best value of each.
 *
 * @module
 */
import { type CenConfig, type PartialConfig } from "../config.ts";
import { PAPER_TABLE6 } from "./paper.ts";
import { type RunMetrics } from "../train/run.ts";
import { type MaeByHead, maeByHead, type RunsOf, variant, withSeeds } from "./runs.ts";
import type { TableRow } from "../report/table.ts";
import { apart, best, f3, type Verdict } from "./verdicts.ts";
import { formatMeanStd, formatMeanStd as ms } from "./stats.ts";

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

/** The three sweeps of Table 6. */
export type Sweep = "tau" | "alpha" | "lambda";

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

/** The runs of one value of a sweep. */
export interface SweepRuns {
  value: number;
  runs: RunMetrics[];
}

/**
 * The runs of every value of every sweep, got by `runsOf` (trained or looked up; the log label is
 * `<sweep> = <value>, seed`), sweep after sweep.
 */
export async function table6Runs(
  sweeps: ReturnType<typeof table6Configs>,
  runsOf: RunsOf,
): Promise<Record<Sweep, SweepRuns[]>> {
  const results = {} as Record<Sweep, SweepRuns[]>;
  for (const [name, sweep] of Object.entries(sweeps) as [Sweep, typeof sweeps[Sweep]][]) {
    results[name] = [];
    for (const { value, configs } of sweep) {
      results[name].push({ value, runs: await runsOf(configs, `${name} = ${value}, seed`) });
    }
  }
  return results;
}

/** One row of a Table 6 sweep: a value, our MAE at the compared generation over seeds, the paper's. */
export interface Table6Row extends MaeByHead {
  /** The swept value (τ, α or λ_t). */
  value: number;
  /** The paper's Morph MAE (ResNet18) at this value, if it reports one. */
  paper: number | null;
}

/** One sweep's rows: value, our MAE at the compared generation (ŷ and each head's), the paper's MAE. */
export function table6Rows(
  sweep: Sweep,
  results: readonly SweepRuns[],
  generation: number,
): Table6Row[] {
  const paper = PAPER_TABLE6[sweep];
  return results.map((r) => {
    const i = (paper.values as readonly number[]).indexOf(r.value);
    return {
      value: r.value,
      ...maeByHead(r.runs, generation),
      paper: i >= 0 ? paper.mae[i] : null,
    };
  });
}

/** The best value of a sweep (ours and the paper's). */
export function table6Best(sweep: Sweep, rows: readonly Table6Row[]) {
  const best = rows.reduce((a, b) => (b.mean < a.mean ? b : a));
  const mae: readonly number[] = PAPER_TABLE6[sweep].mae;
  const paperBest = PAPER_TABLE6[sweep].values[mae.indexOf(Math.min(...mae))];
  return { ours: best.value, paper: paperBest, agrees: best.value === paperBest };
}

/** Table 6: the paper's value of a sweep (τ, α or λ_t) is the best one. */
export function table6Verdict(
  sweep: Sweep,
  rows: readonly Table6Row[],
  generation: number,
): Verdict {
  const p = PAPER_TABLE6[sweep];
  const mae: readonly number[] = p.mae;
  const { ours, paper: paperBest, agrees: holds } = table6Best(sweep, rows);
  const top = rows.find((r) => r.value === ours)!;
  const paperRow = rows.find((r) => r.value === paperBest);
  const rival = holds ? (rows.length > 1 ? best(rows.filter((r) => r !== top)) : undefined) : top;
  const name = { tau: "τ", alpha: "α", lambda: "λ_t" }[sweep];
  return {
    claim: `${name} = ${paperBest} is the best ${name} (Table 6)`,
    paper: `${name} = ${p.values.join(", ")}: ${mae.map(f3).join(", ")} (ResNet18, t = 3)`,
    ours: rows.map((r) => `${r.value}: ${ms(r)}`).join(", "),
    holds,
    clear: paperRow !== undefined && rival !== undefined && apart(paperRow, rival),
    reading: `our best ${name} = ${top.value} at t = ${generation}` +
      (holds
        ? ""
        : `; the sweep's optimum depends on the offspring's length and scale (we compare at t = ${generation}, ` +
          `the paper at its best generation). Would test it further: the sweep at t = 3 with more seeds`),
  };
}

/**
 * A Table 6 sweep as shown: the value, our MAE at `generation` (mean ± std), the paper's, and each
 * head's MAE.
 */
export function table6Display(
  sweep: Sweep,
  rows: readonly Table6Row[],
  generation: number,
): TableRow[] {
  return rows.map((r) => ({
    [sweep]: r.value,
    [`MAE t=${generation} (ours)`]: formatMeanStd(r),
    "MAE (paper, ResNet18, Morph)": r.paper,
    "ŷ_ldl (ours)": formatMeanStd(r.maeLdl),
    "ŷ_reg (ours)": formatMeanStd(r.maeReg),
  }));
}
