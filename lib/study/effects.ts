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
import { createRng } from "../rng.ts";
import {
  predictionsPath,
  readStoredPredictions,
  type StoredPredictions,
} from "../train/predictions.ts";
import { meanStd, quantile } from "./stats.ts";
import type { TableRow } from "../report/table.ts";

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
  /**
   * How the interval was made: Student's t over seeds, or a two-level bootstrap (seeds, then test
   * images within each seed, paired) where every paired seed kept its per-image predictions.
   */
  interval: "seeds (t)" | "seeds and images (bootstrap)";
  /** Holds, but the interval lies below the target (a smaller effect than the paper's). */
  smallerThanTarget: boolean;
}

/** One claim's inputs: each side's MAE by seed. */
export interface ClaimInput {
  claim: string;
  reference: Map<number, number>;
  candidate: Map<number, number>;
  target: PairedEffect["target"];
  /** Each side's run by seed (its id, generation and head), to find its per-image predictions. */
  sources?: { reference: Map<number, RunRef>; candidate: Map<number, RunRef> };
  /** Per-image absolute errors of both sides by seed, on the same test images in the same order. */
  images?: Map<number, { reference: Float32Array; candidate: Float32Array }>;
}

/** Which prediction of which run a claim's side reads. */
export interface RunRef {
  id: string;
  t: number;
  head: Head;
}

/** The MAE a claim reads: of ŷ (Eq. 18), or of one head. */
export type Head = "mae" | "maeLdl" | "maeReg";

/** The paired effect of a claim (see the module doc); NaN-filled with fewer than two pairs. */
export function pairedEffect(input: ClaimInput): PairedEffect {
  const seeds = [...input.candidate.keys()]
    .filter((s) =>
      Number.isFinite(input.candidate.get(s)) && Number.isFinite(input.reference.get(s))
    )
    .sort((a, b) => a - b);
  const diffs = seeds.map((s) => input.candidate.get(s)! - input.reference.get(s)!);
  const { mean, std: sd, n } = meanStd(diffs);
  const images = input.images;
  const boot = n >= 2 && images && seeds.every((s) => images.has(s))
    ? twoLevelBootstrap(seeds.map((s) => images.get(s)!))
    : undefined;
  const half = n >= 2 ? t975(n - 1) * sd / Math.sqrt(n) : NaN;
  const [lo, hi] = boot ? [boot.lo, boot.hi] : [mean - half, mean + half];
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
    interval: boot ? "seeds and images (bootstrap)" : "seeds (t)",
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
  head: Head = "mae",
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
 * The central claims as {@link ClaimInput}s: evolution (t = 2 against t = 1, and the
 * offspring with the best mean against t = 1), coupling against each head alone (Table 1), and
 * λ₁ = 4 against the best other λ₁.
 */
export function centralClaims(r: CentralRuns): ClaimInput[] {
  const out: ClaimInput[] = [];
  const paper5 = PAPER_TABLE5[r.backbone];
  const mei = { relative: MIN_EFFECT, from: "minimum effect of interest" as const };
  const T = Math.min(...r.table5.map((m) => m.generations.length));
  if (r.table5.length && T >= 2) {
    out.push({
      claim: `evolution: t = 2 beats t = 1 (Table 5, ${r.backbone})`,
      ...sides(r.table5, 1, "mae", r.table5, 2, "mae"),
      target: paper5 ? paperGain(paper5[0], paper5[1]) : mei,
    });
    const means = Array.from(
      { length: T - 1 },
      (_, i) => meanStd([...bySeed(r.table5, i + 2).values()]).mean,
    );
    const bestT = 2 + means.indexOf(Math.min(...means));
    out.push({
      claim: `evolution: the best offspring (t = ${bestT}) beats t = 1 (Table 5, ${r.backbone})`,
      ...sides(r.table5, 1, "mae", r.table5, bestT, "mae"),
      target: paper5 ? paperGain(paper5[0], Math.min(...paper5.slice(1))) : mei,
    });
  }
  if (r.table1 && r.table1.both.length) {
    const [reg, ldl, , , both] = PAPER_TABLE1.map((p) => p.morphMae);
    out.push({
      claim: "coupling: LDL+Reg ŷ beats Reg only (Table 1)",
      ...sides(r.table1.reg, 1, "maeReg", r.table1.both, 1, "mae"),
      target: paperGain(reg, both),
    });
    out.push({
      claim: "coupling: LDL+Reg ŷ beats LDL only (Table 1)",
      ...sides(r.table1.ldl, 1, "maeLdl", r.table1.both, 1, "mae"),
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
      ...sides(rival.runs, 1, "mae", mine.runs, 1, "mae"),
      target: mei,
    });
  }
  return out;
}

/** A claim's two sides by seed: each one's MAE, and the run it comes from. */
function sides(
  refRuns: readonly RunMetrics[],
  refT: number,
  refHead: Head,
  candRuns: readonly RunMetrics[],
  candT: number,
  candHead: Head,
): Pick<ClaimInput, "reference" | "candidate" | "sources"> {
  return {
    reference: bySeed(refRuns, refT, refHead),
    candidate: bySeed(candRuns, candT, candHead),
    sources: {
      reference: refsBySeed(refRuns, refT, refHead),
      candidate: refsBySeed(candRuns, candT, candHead),
    },
  };
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

/** Which run of `runs` (by seed) gives generation `t`'s `head`. */
export function refsBySeed(runs: readonly RunMetrics[], t: number, head: Head = "mae") {
  return new Map(
    runs.filter((r) => metricsAt(r, t)).map((r) => [r.config.seed, { id: r.id, t, head }]),
  );
}

/**
 * The 95% interval of the mean paired difference of MAE by a two-level bootstrap: `draws` times,
 * resample the seeds with replacement, and within each drawn seed the test images with
 * replacement (the same images for both sides: they are paired); the statistic is the mean over
 * the drawn seeds of MAE(candidate) − MAE(reference); the interval is its 2.5% and 97.5%
 * quantiles. Deterministic for a `seed`.
 */
export function twoLevelBootstrap(
  pairs: readonly { reference: Float32Array; candidate: Float32Array }[],
  opts: { draws?: number; seed?: number } = {},
): { lo: number; hi: number } {
  const draws = opts.draws ?? 1000;
  const rng = createRng(opts.seed ?? 0);
  const stats = new Float64Array(draws);
  for (let b = 0; b < draws; b++) {
    let sum = 0;
    for (let k = 0; k < pairs.length; k++) {
      const { reference, candidate } = pairs[Math.floor(rng.next() * pairs.length)];
      const n = reference.length;
      let d = 0;
      for (let i = 0; i < n; i++) {
        const j = Math.floor(rng.next() * n);
        d += candidate[j] - reference[j];
      }
      sum += d / n;
    }
    stats[b] = sum / pairs.length;
  }
  return { lo: quantile(stats, 0.025), hi: quantile(stats, 0.975) };
}

/** Per-image absolute errors of generation `t`'s `head` from stored predictions. */
export function absoluteErrors(p: StoredPredictions, t: number, head: Head): Float32Array {
  const g = p.generations[t - 1];
  const out = new Float32Array(p.ages.length);
  for (let i = 0; i < out.length; i++) {
    const y = head === "maeLdl"
      ? g.yLdl[i]
      : head === "maeReg"
      ? g.yReg[i]
      : (g.yLdl[i] + g.yReg[i]) / 2;
    out[i] = Math.abs(y - p.ages[i]);
  }
  return out;
}

/**
 * The claim with each paired seed's per-image errors (`images`), read from the predictions kept
 * beside the records in `recordsRoot`; unchanged where any of them is missing or the two sides
 * were scored on different images (the interval then stays over seeds).
 */
export async function withImageErrors(claim: ClaimInput, recordsRoot: string): Promise<ClaimInput> {
  if (!claim.sources) return claim;
  const cache = new Map<string, StoredPredictions | undefined>();
  const load = async (id: string) => {
    if (!cache.has(id)) {
      cache.set(
        id,
        await readStoredPredictions(predictionsPath(recordsRoot, id)).catch(() => undefined),
      );
    }
    return cache.get(id);
  };
  const images = new Map<number, { reference: Float32Array; candidate: Float32Array }>();
  for (const [seed, ref] of claim.sources.reference) {
    const cand = claim.sources.candidate.get(seed);
    if (!cand) continue;
    const [a, b] = [await load(ref.id), await load(cand.id)];
    if (!a || !b || a.generations.length < ref.t || b.generations.length < cand.t) return claim;
    if (a.ages.length !== b.ages.length || a.ages.some((x, i) => x !== b.ages[i])) return claim;
    images.set(seed, {
      reference: absoluteErrors(a, ref.t, ref.head),
      candidate: absoluteErrors(b, cand.t, cand.head),
    });
  }
  return { ...claim, images };
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
