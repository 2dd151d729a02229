/**
 * Table 1 (coupled training): generation 1 with only the regression head, only LDL, or both; the
 * rows of their MAE over seeds (numbers; `table1Display` in `lib/report/study_tables.ts` writes
 * them) and the verdict.
 *
 * @module
 */
import { type CenConfig } from "../config.ts";
import { PAPER_TABLE1 } from "./paper.ts";
import { type RunMetrics } from "../train/run.ts";
import { metricsAt, type RunsOf, variant, withSeeds } from "./runs.ts";
import { type MeanStd, meanStd } from "./stats.ts";

/** Table 1's three head settings. */
export type Table1Setting = "reg" | "ldl" | "both";

/** Table 1's settings: generation 1 trained with only the regression head, only LDL, or both. */
export function table1Configs(
  target: CenConfig,
  seeds: number,
): Record<Table1Setting, CenConfig[]> {
  const one = (heads: Table1Setting) =>
    withSeeds(variant(target, { generations: 1, heads }), seeds);
  return { reg: one("reg"), ldl: one("ldl"), both: one("both") };
}

/**
 * Table 1's λ₁ sweep: generation 1 with both heads at each λ₁ (Eq. 14's weight of the
 * regression loss), `seeds` seeds each. At our scale a large λ₁ may starve the LDL head.
 */
export function lambda1Configs(
  target: CenConfig,
  seeds: number,
  values: readonly number[],
): { lambda1: number; configs: CenConfig[] }[] {
  return values.map((lambda1) => ({
    lambda1,
    configs: withSeeds(variant(target, { generations: 1, heads: "both", lambda1 }), seeds),
  }));
}

/** One row of the λ₁ sweep: generation 1's MAE of ŷ, ŷ_ldl and ŷ_reg over seeds. */
export interface Lambda1Row {
  lambda1: number;
  mae: MeanStd;
  maeLdl: MeanStd;
  maeReg: MeanStd;
}

/** The λ₁ sweep's rows from its runs (in the order of `lambda1Configs`). */
export function lambda1Rows(runs: { lambda1: number; runs: RunMetrics[] }[]): Lambda1Row[] {
  return runs.map(({ lambda1, runs }) => {
    const g1 = runs.map((m) => metricsAt(m, 1)!).filter(Boolean);
    return {
      lambda1,
      mae: meanStd(g1.map((m) => m.mae)),
      maeLdl: meanStd(g1.map((m) => m.maeLdl)),
      maeReg: meanStd(g1.map((m) => m.maeReg)),
    };
  });
}

/**
 * The λ₁ sweep's verdict: the best λ₁ by ŷ, and whether the largest λ₁ starves the LDL head (its
 * ŷ_ldl worse than the best smaller λ₁'s by more than the larger of their spreads over seeds).
 */
export function lambda1Verdict(rows: readonly Lambda1Row[]) {
  if (rows.length === 0) throw new Error("λ₁ sweep: no rows");
  const best = rows.reduce((a, b) => (b.mae.mean < a.mae.mean ? b : a));
  const top = rows.reduce((a, b) => (b.lambda1 > a.lambda1 ? b : a));
  const others = rows.filter((r) => r !== top);
  const bestLdl = others.length
    ? others.reduce((a, b) => (b.maeLdl.mean < a.maeLdl.mean ? b : a))
    : undefined;
  const starves = bestLdl !== undefined &&
    top.maeLdl.mean - bestLdl.maeLdl.mean > Math.max(top.maeLdl.std, bestLdl.maeLdl.std);
  const starveText = `at λ₁ = ${top.lambda1} ŷ_ldl is ${top.maeLdl.mean.toFixed(3)}` +
    (bestLdl
      ? ` against ${bestLdl.maeLdl.mean.toFixed(3)} at λ₁ = ${bestLdl.lambda1}: ` +
        (starves
          ? "the LDL head starves (worse by more than the spread over seeds)"
          : "no starving beyond the spread over seeds")
      : "");
  return {
    bestLambda1: best.lambda1,
    ldlStarvesAtTop: starves,
    /** The starving test alone. */
    starveText,
    text: `best λ₁ by ŷ: ${best.lambda1} (MAE ${best.mae.mean.toFixed(3)}); ${starveText}`,
  };
}

/** The runs of Table 1's settings, got by `runsOf` (trained or looked up), one setting after another. */
export async function table1Runs(
  settings: Record<Table1Setting, CenConfig[]>,
  runsOf: RunsOf,
): Promise<Record<Table1Setting, RunMetrics[]>> {
  return {
    reg: await runsOf(settings.reg, "Reg only, seed"),
    ldl: await runsOf(settings.ldl, "LDL only, seed"),
    both: await runsOf(settings.both, "LDL+Reg, seed"),
  };
}

/** One row of Table 1: a head setting's test MAE over seeds, and the paper's. */
export interface Table1Row extends MeanStd {
  /** "Reg only", "LDL only", "LDL+Reg, ŷ_reg", "LDL+Reg, ŷ_ldl" or "LDL+Reg, ŷ". */
  setting: string;
  /** The paper's Morph MAE (ResNet18) for this row. */
  paper: number;
  /** CA(3), CA(5), CA(7) in percent over seeds, of the row's prediction. */
  ca3: MeanStd;
  ca5: MeanStd;
  ca7: MeanStd;
  /** The paper's MegaAge-Asian CA(3/5/7) for this row, where it reports them. */
  paperCa?: { ca3: number; ca5: number; ca7: number };
}

/** Table 1's rows (ours: MAE over seeds; the paper's Morph MAE beside). */
export function table1Rows(r: Record<Table1Setting, RunMetrics[]>): Table1Row[] {
  const g1 = (ms: RunMetrics[]) => ms.map((m) => metricsAt(m, 1)!).filter(Boolean);
  // CA(n) is measured on ŷ, which is ŷ_reg for Reg only and ŷ_ldl for LDL only; the coupled
  // model's heads have no CA of their own (NaN: "–").
  const none = (ms: unknown[]) => ms.map(() => NaN);
  const rows = [
    { setting: "Reg only", ms: g1(r.reg).map((m) => m.maeReg), ca: g1(r.reg) },
    { setting: "LDL only", ms: g1(r.ldl).map((m) => m.maeLdl), ca: g1(r.ldl) },
    { setting: "LDL+Reg, ŷ_reg", ms: g1(r.both).map((m) => m.maeReg), ca: undefined },
    { setting: "LDL+Reg, ŷ_ldl", ms: g1(r.both).map((m) => m.maeLdl), ca: undefined },
    { setting: "LDL+Reg, ŷ", ms: g1(r.both).map((m) => m.mae), ca: g1(r.both) },
  ];
  return rows.map((row, i) => {
    const p = PAPER_TABLE1[i] as { morphMae: number; ca3?: number; ca5?: number; ca7?: number };
    const ca = (k: "ca3" | "ca5" | "ca7") =>
      meanStd(row.ca ? row.ca.map((m) => m[k]) : none(row.ms));
    return {
      setting: row.setting,
      ...meanStd(row.ms),
      paper: p.morphMae,
      ca3: ca("ca3"),
      ca5: ca("ca5"),
      ca7: ca("ca7"),
      ...(p.ca3 !== undefined ? { paperCa: { ca3: p.ca3, ca5: p.ca5!, ca7: p.ca7! } } : {}),
    };
  });
}

/** Table 1's two claims, checked on our means. */
export function table1Verdict(rows: readonly Pick<Table1Row, "mean">[]) {
  const [reg, ldl, cReg, cLdl, c] = rows.map((r) => r.mean);
  return {
    couplingBeatsSingle: c < reg && c < ldl,
    averageBeatsHeads: c < cReg && c < cLdl,
    text:
      `coupled ŷ ${c.toFixed(3)} vs Reg only ${reg.toFixed(3)} and LDL only ${ldl.toFixed(3)}: ` +
      (c < reg && c < ldl
        ? "coupling beats either alone"
        : "coupling does NOT beat both single-head models") +
      `; ŷ vs its heads ${cReg.toFixed(3)} / ${cLdl.toFixed(3)}: ` +
      (c < cReg && c < cLdl
        ? "the average beats both heads"
        : "the average does NOT beat both heads"),
  };
}
