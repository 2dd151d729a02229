/**
 * The study's tables as a reader sees them: one display function per table turns the numeric rows
 * of `lib/study/` (mean, std and count over seeds, the paper's value, a change) into the columns
 * shown by `showTable`, with the MAE over seeds written as `mean ± std`. Notebooks 03–06 and
 * 07-summary show every table through these, so a table reads the same wherever it appears.
 *
 * API:
 * - `formatMeanStd(m, digits?)`: `"2.345 ± 0.012"`, `"2.345"` for one seed, `"–"` for none
 *   (from `lib/study/stats.ts`, handed on here with the tables it writes).
 * - `formatCa(c)`: `"60.8 / 80.1 / 90.5"` (CA(3) / CA(5) / CA(7) in percent).
 * - `table1Display(rows, ca?)`, `lambda1Display(rows)`, `table5Display(rows, backbone, ca?)`,
 *   `table6Display(sweep, rows, generation)`, `baselineDisplay(rows)`, `pretrainingDisplay(rows)`,
 *   `slackTermDisplay(rows)`: rows for `showTable` (`ca`: with CA(3/5/7) columns, as for AAF).
 * - `verdictLabel(v)`: "holds", "does not hold", marked "(within the spread over seeds)" and
 *   "provisional: 1 of 3 seeds" where so.
 * - `verdictDisplay(verdicts)`: the claims' table (claim, the paper's numbers, ours, verdict, reading).
 *
 * @module
 */
import type { BaselineRow } from "../study/baselines.ts";
import type { PairedEffect, PowerRow } from "../study/effects.ts";
import type { Verdict } from "../study/verdicts.ts";
import type { PretrainingRow } from "../study/pretraining.ts";
import { formatMeanStd, type MeanStd } from "../study/stats.ts";
import type { Lambda1Row, Table1Row } from "../study/table1.ts";
import type { Table5Row } from "../study/table5.ts";
import type { Sweep, Table6Row } from "../study/table6.ts";
import type { SlackTermRow } from "../study/slack.ts";
import type { TableRow } from "./table.ts";

export { formatMeanStd };

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

/**
 * Table 1 as shown: setting, our MAE (mean ± std), the paper's Morph MAE; with `ca`, also our
 * CA(3/5/7) and the paper's (MegaAge-Asian), as the paper reports CA for its Asian-faces set.
 */
export function table1Display(rows: readonly Table1Row[], ca = false): TableRow[] {
  return rows.map((r) => ({
    setting: r.setting,
    "MAE (ours)": formatMeanStd(r),
    "MAE (paper, Morph)": r.paper,
    ...(ca
      ? {
        "CA(3/5/7) % (ours)": formatCa(r),
        "CA(3/5/7) % (paper, MegaAge-Asian)": r.paperCa ? formatCa(r.paperCa) : "",
      }
      : {}),
  }));
}

/** Table 1's λ₁ sweep as shown: λ₁ and generation 1's MAE of ŷ, ŷ_ldl, ŷ_reg (mean ± std). */
export function lambda1Display(rows: readonly Lambda1Row[]): TableRow[] {
  return rows.map((r) => ({
    "λ₁": r.lambda1,
    "MAE ŷ": formatMeanStd(r.mae),
    "MAE ŷ_ldl": formatMeanStd(r.maeLdl),
    "MAE ŷ_reg": formatMeanStd(r.maeReg),
  }));
}

/** Table 5 of `backbone` as shown: t, our MAE (mean ± std), its change from t − 1, the paper's. */
export function table5Display(
  rows: readonly Table5Row[],
  backbone: string,
  ca = false,
): TableRow[] {
  return rows.map((r) => ({
    t: r.t,
    "MAE (ours)": formatMeanStd(r),
    "Δ vs t−1": r.delta === null ? "" : r.delta.toFixed(3),
    [`MAE (paper, ${backbone}, Morph)`]: r.paper,
    "ŷ_ldl (ours)": formatMeanStd(r.maeLdl),
    "ŷ_reg (ours)": formatMeanStd(r.maeReg),
    ...(ca ? { "CA(3/5/7) % (ours)": formatCa(r) } : {}),
  }));
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

/** The slack term's test: generation t's MAE by head with either regression loss, and the control. */
export function slackTermDisplay(rows: readonly SlackTermRow[]): TableRow[] {
  return rows.map((r) => ({
    "offspring regression": {
      slack: "slack ℓ1 (Eq. 13, the paper's)",
      l1: "plain ℓ1 (Eq. 9)",
      retrained: "α = 0 and plain ℓ1: generation 1's loss, retrained",
    }[r.loss],
    [`MAE ŷ, t = ${r.t}`]: formatMeanStd(r),
    "ŷ_ldl": formatMeanStd(r.maeLdl),
    "ŷ_reg": formatMeanStd(r.maeReg),
  }));
}

/** The baseline table as shown: method, kind (baseline or CEN), MAE (mean ± std). */
export function baselineDisplay(rows: readonly BaselineRow[]): TableRow[] {
  return rows.map((r) => ({ method: r.method, kind: r.kind, "MAE": formatMeanStd(r) }));
}

/** The pretraining comparison as shown: how generation 1 started, its MAE ŷ, the seeds. */
export function pretrainingDisplay(rows: readonly PretrainingRow[]): TableRow[] {
  return rows.map((r) => ({ start: r.start, "MAE ŷ, t = 1": formatMeanStd(r), seeds: r.n }));
}

/**
 * "holds" / "does not hold", marked where the deciding difference is within the seeds' spread and
 * where fewer seeds than planned are in.
 */
export function verdictLabel(v: Pick<Verdict, "holds" | "clear" | "seeds">): string {
  return (v.holds ? "holds" : "does not hold") +
    (v.clear ? "" : " (within the spread over seeds)") +
    (v.seeds ? `; provisional: ${v.seeds.have} of ${v.seeds.want} seeds` : "");
}

/** The claims' table: each claim, the paper's numbers, ours over seeds, the verdict and its reading. */
export function verdictDisplay(verdicts: readonly Verdict[]): TableRow[] {
  return verdicts.map((v) => ({
    claim: v.claim,
    paper: v.paper,
    ours: v.ours,
    verdict: verdictLabel(v),
    "reading (and, where it fails, what it depends on)": v.reading,
  }));
}

const pct = (x: number) => Number.isFinite(x) ? `${(100 * x).toFixed(1)}%` : "–";

/** The paired effects as a table: gain relative to the reference, its 95% interval, the verdict. */
export function effectsDisplay(effects: readonly PairedEffect[]): TableRow[] {
  return effects.map((e) => ({
    claim: e.claim,
    seeds: e.n,
    "paired Δ, years (95% CI)": Number.isFinite(e.lo)
      ? `${e.mean.toFixed(3)} [${e.lo.toFixed(3)}, ${e.hi.toFixed(3)}]`
      : "–",
    "gain (95% CI)": `${pct(e.relative.mean)} [${pct(e.relative.lo)}, ${pct(e.relative.hi)}]`,
    "held against": `${pct(e.target.relative)} (${e.target.from})`,
    verdict: e.verdict + (e.smallerThanTarget ? ", smaller than the paper's" : ""),
    interval: e.interval,
  }));
}

/** The power analysis as a table: the paired spread and the seeds that decide each claim. */
export function powerDisplay(rows: readonly PowerRow[]): TableRow[] {
  return rows.map((r) => ({
    claim: r.claim,
    "paired sd, years (seeds)": `${r.sd.toFixed(3)} (${r.n})`,
    "target effect, years": r.targetYears.toFixed(3),
    "seeds that decide it": r.needed,
    "seeds declared (floor, cap)": `${r.seeds}${r.capped ? " (capped: may stay undecided)" : ""}`,
  }));
}
