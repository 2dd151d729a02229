/**
 * Baselines in the same harness (same split, backbone and training length): DLDL, and the table
 * that sets them beside CEN (numbers; `baselineDisplay` writes it).
 *
 * @module
 */
import { type CenConfig } from "../config.ts";
import { type RunMetrics } from "../train/run.ts";
import { metricsAt, variant, withSeeds } from "./runs.ts";
import { type MeanStd, meanStd } from "./stats.ts";
import type { TableRow } from "../report/table.ts";
import { apart, gap, type Verdict } from "./verdicts.ts";
import { formatMeanStd, formatMeanStd as ms } from "./stats.ts";

/** DLDL: the LDL head alone trained against a Gaussian label distribution (σ = 2). */
export function dldlConfigs(target: CenConfig, seeds: number, sigma = 2): CenConfig[] {
  return withSeeds(variant(target, { generations: 1, heads: "ldl", labelSigma: sigma }), seeds);
}

/** One method's test MAE over seeds (or a single external number, e.g. an off-the-shelf model). */
export interface MethodResult {
  method: string;
  maes: number[];
  /**
   * True for one fixed model scored once (an off-the-shelf model): no seed moves its number, so a
   * difference from it is judged by the other side's spread over seeds alone.
   */
  exact?: boolean;
}

/**
 * The baselines trained in the harness, from Table 1's single-head runs and the DLDL runs:
 * CE + expectation (LDL only, ŷ_ldl), L1 regression (Reg only, ŷ_reg), DLDL (ŷ_ldl).
 */
export function harnessBaselines(
  table1: { reg: RunMetrics[]; ldl: RunMetrics[] },
  dldl: RunMetrics[],
): MethodResult[] {
  const g1 = (ms: RunMetrics[], key: "maeLdl" | "maeReg") =>
    ms.map((m) => metricsAt(m, 1)?.[key] ?? NaN);
  return [
    { method: "CE + expectation", maes: g1(table1.ldl, "maeLdl") },
    { method: "L1 regression", maes: g1(table1.reg, "maeReg") },
    { method: "DLDL (σ = 2)", maes: g1(dldl, "maeLdl") },
  ];
}

/** One row of the baseline table: a method, its kind, and its test MAE over seeds. */
export interface BaselineRow extends MeanStd {
  method: string;
  kind: "baseline" | "CEN";
  /** One fixed model scored once (see {@link MethodResult}). */
  exact?: boolean;
}

/**
 * The two rows a comparison turns on: the strongest baseline and the best CEN row (lowest mean
 * MAE), each among the rows with a finite mean; undefined where a kind has none.
 */
export function baselineChoice(rows: readonly BaselineRow[]) {
  const lowest = (kind: BaselineRow["kind"]) =>
    rows.filter((r) => r.kind === kind && Number.isFinite(r.mean))
      .reduce<BaselineRow | undefined>(
        (a, b) => (a === undefined || b.mean < a.mean ? b : a),
        undefined,
      );
  return { strongest: lowest("baseline"), bestCen: lowest("CEN") };
}

/**
 * Baselines against CEN: each method's MAE (over seeds), the strongest baseline, and CEN's gain
 * over it (positive: CEN is better; NaN where either side has no finite MAE).
 */
export function baselineTable(baselines: MethodResult[], cen: MethodResult[]) {
  const row = (r: MethodResult, kind: BaselineRow["kind"]): BaselineRow => ({
    method: r.method,
    kind,
    ...meanStd(r.maes),
    ...(r.exact ? { exact: true } : {}),
  });
  const rows = [...baselines.map((b) => row(b, "baseline")), ...cen.map((c) => row(c, "CEN"))];
  const { strongest, bestCen } = baselineChoice(rows);
  const gain = strongest && bestCen ? strongest.mean - bestCen.mean : NaN;
  return {
    rows,
    strongest: strongest?.method,
    bestCen: bestCen?.method,
    gain,
    text: !strongest
      ? "no baseline"
      : !bestCen
      ? "no CEN result"
      : `best CEN (${bestCen.method}, ${
        bestCen.mean.toFixed(3)
      }) vs the strongest baseline (${strongest.method}, ` +
        `${strongest.mean.toFixed(3)}): ${gain >= 0 ? "CEN better by" : "CEN worse by"} ${
          Math.abs(gain).toFixed(3)
        } years`,
  };
}

/**
 * CEN's best row beats the strongest baseline of a comparison (`baselineTable`'s rows); `depends`
 * is what the result depends on where it fails (default: CEN's own gains).
 */
export function baselineVerdict(
  claim: string,
  rows: readonly BaselineRow[],
  paper: string,
  depends =
    "it depends on CEN's gains (coupling, evolution) above, which set how far it gets past them",
): Verdict {
  const { strongest: b, bestCen: c } = baselineChoice(rows);
  if (!b || !c) throw new Error(`${claim}: no baseline or no CEN row`);
  const holds = c.mean < b.mean;
  return {
    claim,
    paper,
    ours: `${c.method} ${ms(c)} vs ${b.method} ${ms(b)}`,
    holds,
    clear: apart(b, c),
    reading: `best CEN against the strongest baseline: ${gap(c.mean, b.mean)}` +
      (holds ? "" : `; ${depends}`),
  };
}

/** The baseline table as shown: method, kind (baseline or CEN), MAE (mean ± std). */
export function baselineDisplay(rows: readonly BaselineRow[]): TableRow[] {
  return rows.map((r) => ({ method: r.method, kind: r.kind, "MAE": formatMeanStd(r) }));
}
