/**
 * The paper's central claims as paired effects with 95% intervals, and how many seeds each needs
 * to be decided (docs/method.md, "Paired effects").
 *
 * A claim compares a candidate with a reference (an offspring with its own generation 1; the
 * coupled model with a head trained alone; λ₁ = 4 with the best other λ₁). Runs are paired by
 * seed: d_s = MAE(candidate, seed s) − MAE(reference, seed s), negative where the candidate is
 * better. Seeds are draws, not streams that reproduce across machines, so pairing by seed is a
 * blocking choice and the interval treats the seeds as a random sample: the mean of d_s ± the
 * Student t quantile (n − 1 degrees of freedom) × its standard error. The relative effect is the
 * mean gain over the reference's mean MAE: (−mean d) / mean MAE(reference).
 *
 * Verdict: *holds* where the interval on the gain excludes 0 (a gain); *does not hold* where it
 * excludes the paper's relative effect (or, for a claim with no number in the paper, the minimum
 * effect of interest, {@link MIN_EFFECT}) from below; *undecided* otherwise.
 *
 * @module
 */
import type { RunMetrics } from "../train/run.ts";
import { PAPER_TABLE1, PAPER_TABLE5 } from "./paper.ts";
import { metricsAt } from "./runs.ts";
import { meanStd } from "./stats.ts";

/** The minimum effect of interest for a claim the paper gives no number for: 2% of the MAE. */
export const MIN_EFFECT = 0.02;

/** Student t's 0.975 quantile for 1 … 30 degrees of freedom. */
const T975 = [
  12.706,
  4.303,
  3.182,
  2.776,
  2.571,
  2.447,
  2.365,
  2.306,
  2.262,
  2.228,
  2.201,
  2.179,
  2.16,
  2.145,
  2.131,
  2.12,
  2.11,
  2.101,
  2.093,
  2.086,
  2.08,
  2.074,
  2.069,
  2.064,
  2.06,
  2.056,
  2.052,
  2.048,
  2.045,
  2.042,
];

/** Student t's 0.975 quantile for `df` degrees of freedom (≥ 1; beyond 30, 1.96 + 2.4 / df). */
export function t975(df: number): number {
  if (!(df >= 1)) return NaN;
  return df <= 30 ? T975[Math.floor(df) - 1] : 1.96 + 2.4 / df;
}

/** What a claim's interval says. */
export type EffectVerdict = "holds" | "does not hold" | "undecided";

/** One claim as a paired effect. */
export interface PairedEffect {
  claim: string;
  /** Seeds with both runs. */
  n: number;
  /** The seeds paired, and d_s for each (years; negative: the candidate is better). */
  seeds: number[];
  diffs: number[];
  /** Mean and sample standard deviation of d_s. */
  mean: number;
  sd: number;
  /** 95% interval of the mean difference (years). */
  lo: number;
  hi: number;
  /** The reference's mean MAE over the paired seeds. */
  referenceMae: number;
  /** The gain relative to the reference's MAE, with its interval: −mean / referenceMae. */
  relative: { mean: number; lo: number; hi: number };
  /** The effect the claim is held against: the paper's relative gain, or {@link MIN_EFFECT}. */
  target: { relative: number; from: "paper" | "minimum effect of interest" };
  verdict: EffectVerdict;
  /** Holds, but the interval lies below the target (a smaller effect than the paper's). */
  smallerThanTarget: boolean;
}

/** One claim's inputs: each side's MAE by seed. */
export interface ClaimInput {
  claim: string;
  reference: Map<number, number>;
  candidate: Map<number, number>;
  target: PairedEffect["target"];
}

/** The paired effect of a claim (see the module doc); NaN-filled with fewer than two pairs. */
export function pairedEffect(input: ClaimInput): PairedEffect {
  const seeds = [...input.candidate.keys()]
    .filter((s) =>
      Number.isFinite(input.candidate.get(s)) && Number.isFinite(input.reference.get(s))
    )
    .sort((a, b) => a - b);
  const diffs = seeds.map((s) => input.candidate.get(s)! - input.reference.get(s)!);
  const { mean, std: sd, n } = meanStd(diffs);
  const half = n >= 2 ? t975(n - 1) * sd / Math.sqrt(n) : NaN;
  const [lo, hi] = [mean - half, mean + half];
  const referenceMae = meanStd(seeds.map((s) => input.reference.get(s)!)).mean;
  const relative = { mean: -mean / referenceMae, lo: -hi / referenceMae, hi: -lo / referenceMae };
  const verdict: EffectVerdict = !(n >= 2)
    ? "undecided"
    : relative.lo > 0
    ? "holds"
    : relative.hi < input.target.relative
    ? "does not hold"
    : "undecided";
  return {
    claim: input.claim,
    n,
    seeds,
    diffs,
    mean,
    sd,
    lo,
    hi,
    referenceMae,
    relative,
    target: input.target,
    verdict,
    smallerThanTarget: verdict === "holds" && relative.hi < input.target.relative,
  };
}

/**
 * Seeds that decide a claim whatever its result: the fewest n whose 95% interval, t(n−1) × sd /
 * √n on each side, is no wider than the distance between 0 and the target effect (years), so it
 * cannot hold both; `floor` and `cap` bound it. `capped` is true where even `cap` is too few.
 */
export function seedsToDecide(
  sdDiff: number,
  targetYears: number,
  floor: number,
  cap: number,
): { seeds: number; capped: boolean; needed: number } {
  let needed = 2;
  while (needed < 1000 && 2 * t975(needed - 1) * sdDiff / Math.sqrt(needed) > targetYears) {
    needed++;
  }
  return { seeds: Math.min(cap, Math.max(floor, needed)), capped: needed > cap, needed };
}

/** MAE (of `head`) of generation `t` of each run, by seed. */
export function bySeed(
  runs: readonly RunMetrics[],
  t: number,
  head: "mae" | "maeLdl" | "maeReg" = "mae",
): Map<number, number> {
  const out = new Map<number, number>();
  for (const r of runs) {
    const m = metricsAt(r, t);
    if (m) out.set(r.config.seed, m[head]);
  }
  return out;
}

const paperGain = (ref: number, cand: number) => ({
  relative: (ref - cand) / ref,
  from: "paper" as const,
});

/** The runs of the central claims of one target (any part may be empty). */
export interface CentralRuns {
  /** Table 5's chains (generations 1 … T of each seed), and their backbone. */
  table5: readonly RunMetrics[];
  backbone: string;
  /** Table 1: Reg only, LDL only, LDL+Reg (generation 1). */
  table1?: { reg: readonly RunMetrics[]; ldl: readonly RunMetrics[]; both: readonly RunMetrics[] };
  /** The λ₁ sweep (generation 1), with the paper's λ₁. */
  lambda1?: readonly { lambda1: number; runs: readonly RunMetrics[] }[];
  paperLambda1?: number;
}

/**
 * The central claims of issue 23 as {@link ClaimInput}s: evolution (t = 2 against t = 1, and the
 * offspring with the best mean against t = 1), coupling against each head alone (Table 1), and
 * λ₁ = 4 against the best other λ₁.
 */
export function centralClaims(r: CentralRuns): ClaimInput[] {
  const out: ClaimInput[] = [];
  const paper5 = PAPER_TABLE5[r.backbone];
  const T = Math.min(...r.table5.map((m) => m.generations.length));
  if (r.table5.length && T >= 2) {
    const g1 = bySeed(r.table5, 1);
    out.push({
      claim: `evolution: t = 2 beats t = 1 (Table 5, ${r.backbone})`,
      reference: g1,
      candidate: bySeed(r.table5, 2),
      target: paper5
        ? paperGain(paper5[0], paper5[1])
        : { relative: MIN_EFFECT, from: "minimum effect of interest" },
    });
    const means = Array.from(
      { length: T - 1 },
      (_, i) => meanStd([...bySeed(r.table5, i + 2).values()]).mean,
    );
    const bestT = 2 + means.indexOf(Math.min(...means));
    out.push({
      claim: `evolution: the best offspring (t = ${bestT}) beats t = 1 (Table 5, ${r.backbone})`,
      reference: g1,
      candidate: bySeed(r.table5, bestT),
      target: paper5
        ? paperGain(paper5[0], Math.min(...paper5.slice(1)))
        : { relative: MIN_EFFECT, from: "minimum effect of interest" },
    });
  }
  if (r.table1 && r.table1.both.length) {
    const [reg, ldl, , , both] = PAPER_TABLE1.map((p) => p.morphMae);
    out.push({
      claim: "coupling: LDL+Reg ŷ beats Reg only (Table 1)",
      reference: bySeed(r.table1.reg, 1, "maeReg"),
      candidate: bySeed(r.table1.both, 1),
      target: paperGain(reg, both),
    });
    out.push({
      claim: "coupling: LDL+Reg ŷ beats LDL only (Table 1)",
      reference: bySeed(r.table1.ldl, 1, "maeLdl"),
      candidate: bySeed(r.table1.both, 1),
      target: paperGain(ldl, both),
    });
  }
  const sweep = r.lambda1 ?? [];
  const paperL = r.paperLambda1 ?? 4;
  const mine = sweep.find((s) => s.lambda1 === paperL);
  const others = sweep.filter((s) => s !== mine && s.runs.length);
  if (mine && others.length) {
    const mean = (s: typeof others[number]) => meanStd([...bySeed(s.runs, 1).values()]).mean;
    const rival = others.reduce((a, b) => (mean(b) < mean(a) ? b : a));
    out.push({
      claim: `λ₁ = ${paperL} beats the best other λ₁ (${rival.lambda1})`,
      reference: bySeed(rival.runs, 1),
      candidate: bySeed(mine.runs, 1),
      target: { relative: MIN_EFFECT, from: "minimum effect of interest" },
    });
  }
  return out;
}

/** One line of the power analysis: a claim's paired spread and the seeds that decide it. */
export interface PowerRow {
  claim: string;
  /** Seeds the spread comes from, and the paired standard deviation (years). */
  n: number;
  sd: number;
  /** The target effect in years (relative target × the reference's MAE). */
  targetYears: number;
  seeds: number;
  needed: number;
  capped: boolean;
}

/** The power analysis of `effects` (their current paired spreads), bounded by `floor` and `cap`. */
export function powerAnalysis(
  effects: readonly PairedEffect[],
  floor: number,
  cap: number,
): PowerRow[] {
  return effects.map((e) => {
    const targetYears = e.target.relative * e.referenceMae;
    const s = seedsToDecide(e.sd, targetYears, floor, cap);
    return { claim: e.claim, n: e.n, sd: e.sd, targetYears, ...s };
  });
}
