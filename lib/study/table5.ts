/**
 * Table 5 (evolution): generations 1 … T over seeds, their rows by generation (numbers;
 * `table5Display` writes them) and the verdict on where evolution
 * helps and saturates.
 *
 * @module
 */
import { type CenConfig } from "../config.ts";
import { PAPER_TABLE5 } from "./paper.ts";
import { type RunMetrics } from "../train/run.ts";
import { type MaeByHead, maeByHead, overSeeds, type RunsOf, withSeeds } from "./runs.ts";
import type { MeanStd } from "./stats.ts";
import type { TableRow } from "../report/table.ts";
import { apart, best, f3, gap, type Verdict } from "./verdicts.ts";
import { formatCa, formatMeanStd, formatMeanStd as ms } from "./stats.ts";

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

/** "; by head, t = 1 → T: ŷ_ldl a → b, ŷ_reg c → d" where both heads were measured, else "". */
function byHead(rows: readonly Table5Row[]): string {
  const [a, z] = [rows[0], rows[rows.length - 1]];
  const ends = [a.maeLdl, a.maeReg, z.maeLdl, z.maeReg].map((m) => m.mean);
  if (!ends.every(Number.isFinite)) return "";
  return `; by head, t = 1 → ${z.t}: ŷ_ldl ${f3(ends[0])} → ${f3(ends[2])}, ` +
    `ŷ_reg ${f3(ends[1])} → ${f3(ends[3])}`;
}

/** Table 5's claims: evolution helps; the largest gain is t = 1→2. */
export function evolutionVerdicts(
  rows: readonly Table5Row[],
  backbone: string,
): [Verdict, Verdict] {
  const first = rows[0];
  const offspring = rows.slice(1);
  const bestOff = offspring.length ? best(offspring) : undefined;
  const { evolutionHelps: helps, largestGainFirst: firstLargest, gains } = table5Verdict(rows);
  const paper = rows.some((r) => r.paper !== null)
    ? rows.map((r) => (r.paper === null ? "–" : f3(r.paper))).join(" → ")
    : "–";
  const ours = rows.map((r) => ms(r)).join(" → ");
  const spread = Math.max(...rows.map((r) => r.std));
  const depends =
    "it depends on the ancestor's soft labels being better teachers than the one-hot " +
    "labels (τ, α, λ: Table 6), and on how much of the ancestor's error the slack interval (Eq. 13) " +
    "forgives. Would test it further: Table 6's best setting carried to t = 3, 4, and ResNet18-Tiny";
  return [
    {
      claim: `Evolution helps: an offspring beats generation 1 (Table 5, ${backbone})`,
      paper: `MAE t = 1…${rows.length}: ${paper} (Morph)`,
      ours,
      holds: helps,
      clear: bestOff !== undefined && apart(bestOff, first),
      reading: bestOff
        ? `best offspring t = ${bestOff.t} against t = 1: ${gap(bestOff.mean, first.mean)}` +
          byHead(rows) + (helps ? "" : `; ${depends}`)
        : "one generation only",
    },
    {
      claim: `The largest gain is t = 1→2, then it saturates (Table 5, ${backbone})`,
      paper: `gains ${
        rows.slice(1).map((r, i) =>
          r.paper !== null && rows[i].paper !== null ? f3(rows[i].paper! - r.paper) : "–"
        ).join(", ")
      }`,
      ours: `gains ${gains.map(f3).join(", ")}`,
      holds: firstLargest,
      clear: gains.length > 1 && rows.every((r) => r.n > 1) &&
        Math.abs(gains[0] - Math.max(...gains.slice(1))) > spread,
      reading: `generation by generation, against the largest spread over seeds (±${f3(spread)})` +
        (firstLargest ? "" : `; ${depends}`),
    },
  ];
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
