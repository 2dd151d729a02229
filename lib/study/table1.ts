/**
 * Table 1 (coupled training): generation 1 with only the regression head, only LDL, or both, and the rows and verdict of their metrics.
 *
 * @module
 */
import { type CenConfig } from "../config.ts";
import { metricsAt } from "./runs.ts";
import { PAPER_TABLE1 } from "../report/paper.ts";
import { type RunMetrics } from "../train/run.ts";
import { formatMeanStd, meanStd } from "./stats.ts";
import { variant, withSeeds } from "./runs.ts";

/** Table 1's settings: generation 1 trained with only the regression head, only LDL, or both. */
export function table1Configs(
  target: CenConfig,
  seeds: number,
): Record<"reg" | "ldl" | "both", CenConfig[]> {
  const one = (heads: "reg" | "ldl" | "both") =>
    withSeeds(variant(target, { generations: 1, heads }), seeds);
  return { reg: one("reg"), ldl: one("ldl"), both: one("both") };
}

/** Table 1's rows (ours: mean ± std over seeds; the paper's Morph MAE beside). */
export function table1Rows(r: Record<"reg" | "ldl" | "both", RunMetrics[]>) {
  const g1 = (ms: RunMetrics[]) => ms.map((m) => metricsAt(m, 1)!).filter(Boolean);
  const rows = [
    { setting: "Reg only", ms: g1(r.reg).map((m) => m.maeReg) },
    { setting: "LDL only", ms: g1(r.ldl).map((m) => m.maeLdl) },
    { setting: "LDL+Reg, ŷ_reg", ms: g1(r.both).map((m) => m.maeReg) },
    { setting: "LDL+Reg, ŷ_ldl", ms: g1(r.both).map((m) => m.maeLdl) },
    { setting: "LDL+Reg, ŷ", ms: g1(r.both).map((m) => m.mae) },
  ];
  return rows.map((row, i) => ({
    setting: row.setting,
    "MAE (ours)": formatMeanStd(meanStd(row.ms)),
    mean: meanStd(row.ms).mean,
    "MAE (paper, Morph)": PAPER_TABLE1[i].morphMae,
  }));
}

/** Table 1's two claims, checked on our means. */
export function table1Verdict(rows: ReturnType<typeof table1Rows>) {
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
