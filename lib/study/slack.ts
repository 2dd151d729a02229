/**
 * How much the slack interval forgives (Eqs. 10, 13). An offspring's regression head gets no
 * gradient from a training image while it answers within its ancestor's error on that image,
 * Δs^{t−1} = |s^{t−1} − y| (Eq. 10): the wider these intervals, the less it learns from the labels.
 * The paper: "we minimize the slack ℓ1 loss and find the Δs^{t−1} can gradually decrease".
 *
 * The ancestor stores (`lib/train/ancestor.ts`) hold each generation's s on every training image;
 * they live in the run folders beside the weights, not in the committed records.
 *
 * The slack term's test: the same offspring with Eq. 9's plain ℓ1 in place of the slack
 * (`offspringRegression: "l1"`), against Table 5's runs at the same generation.
 *
 * @module
 */
import { join } from "node:path";
import { exists } from "../fsutil.ts";
import { loadAncestorStore } from "../train/ancestor.ts";
import { sourceFingerprint } from "../train/inputs.ts";
import { DEFAULT_RUNS_ROOT, runDirOf, type RunMetrics } from "../train/run.ts";
import type { SampleSource } from "../data/types.ts";
import { UserError } from "../errors.ts";
import { normalizeAge, slackDelta } from "../loss/regression.ts";
import type { CenConfig } from "../config.ts";
import { meanStd, quantile } from "./stats.ts";
import type { Table5Row } from "./table5.ts";
import { type MaeByHead, maeByHead, variant, withSeeds } from "./runs.ts";
import type { TableRow } from "../report/table.ts";
import { apart, f3, gap, type Verdict } from "./verdicts.ts";
import { formatMeanStd, formatMeanStd as ms } from "./stats.ts";

/** The age range of the regression head (Eq. 1). */
export interface AgeRange {
  minAge: number;
  maxAge: number;
}

/** Eq. 10 in years, per training image: |ŷ_reg − l|, with ŷ_reg = (l_k − l_1)·s + l_1 (Eq. 17). */
export function slackYears(
  s: ArrayLike<number>,
  ages: ArrayLike<number>,
  range: AgeRange,
): Float32Array {
  if (s.length !== ages.length) {
    throw new Error(`slackYears: ${s.length} outputs for ${ages.length} ages`);
  }
  const y = Array.from(ages, (a) => normalizeAge(a, range.minAge, range.maxAge));
  return slackDelta(s, y).map((d) => d * (range.maxAge - range.minAge));
}

/** One ancestor's slack on the training images. */
export interface SlackRow {
  /** The ancestor's generation: its Δs^t sets the interval of generation t + 1. */
  t: number;
  /** Mean, median and 90th percentile of Δs^t over the training images, in years. */
  mean: number;
  median: number;
  p90: number;
  /**
   * Share (%) of the training images on which generation t + 1 ended inside the interval
   * (|s^{t+1} − y| ≤ Δs^t: no regression gradient from them); null where t + 1 is not recorded.
   */
  inside: number | null;
}

/** The rows of generations 1…n from their regression outputs s^1…s^n on the training images. */
export function slackRows(
  outputs: readonly ArrayLike<number>[],
  ages: ArrayLike<number>,
  range: AgeRange,
): SlackRow[] {
  return rowsOfSlack(outputs.map((s) => slackYears(s, ages, range)));
}

/** The rows of generations 1…n from their Δs^1…Δs^n in years (`slackYears`). */
function rowsOfSlack(d: readonly Float32Array[]): SlackRow[] {
  return d.map((dt, i) => {
    const next = d[i + 1];
    return {
      t: i + 1,
      mean: dt.reduce((a, b) => a + b, 0) / dt.length,
      median: quantile(dt, 0.5),
      p90: quantile(dt, 0.9),
      inside: next ? (100 * next.filter((x, j) => x <= dt[j]).length) / dt.length : null,
    };
  });
}

/**
 * The regression outputs s^1, s^2, … on the training images of the run in `runDir`, from the
 * ancestor stores its generations saved (gen-1, gen-2, … while present), each checked against the
 * training images (`source`: their fingerprint, `n`: their count). [] where the run folder has no
 * store (a run served from its record); an error where a store was not recorded on these images.
 */
export async function ancestorOutputs(
  runDir: string,
  train: { source: string; n: number },
): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  for (let t = 1; await exists(join(runDir, `gen-${t}`, "ancestor.json")); t++) {
    const store = await loadAncestorStore(join(runDir, `gen-${t}`));
    if (store.n !== train.n || store.source !== train.source) {
      const was = `${store.n} images, ${store.source ?? "no fingerprint"}`;
      throw new Error(
        `${runDir}/gen-${t}: its ancestor store was not recorded on these training images ` +
          `(${was}; these: ${train.n}, ${train.source})`,
      );
    }
    out.push(store.s);
  }
  return out;
}

/** One run's slack: the run, Δs^1, Δs^2, … in years per training image (`slackYears`), their rows. */
export interface RunSlack {
  run: RunMetrics;
  years: Float32Array[];
  rows: SlackRow[];
}

/**
 * The slack of each run whose folder (under `runsRoot`) holds two ancestor stores or more, on the
 * training images `trainSet` opens (called once, and only where some run has a store: a checkout
 * with the records alone needs no data). The training ages come back with the rows. Where the
 * images cannot be opened here (a UserError: e.g. the dataset's folder is not set), no run comes
 * back and `unavailable` says why.
 */
export async function slackOfRuns(
  runs: readonly RunMetrics[],
  trainSet: () => Promise<SampleSource>,
  range: AgeRange,
  runsRoot: string = DEFAULT_RUNS_ROOT,
): Promise<{ ages: Int32Array; runs: RunSlack[]; unavailable?: string }> {
  let train: SampleSource | undefined;
  const out: RunSlack[] = [];
  for (const run of runs) {
    const dir = await runDirOf(run.id, runsRoot);
    if (!(await exists(join(dir, "gen-1", "ancestor.json")))) continue;
    try {
      train ??= await trainSet();
    } catch (e) {
      if (!(e instanceof UserError)) throw e;
      return {
        ages: new Int32Array(0),
        runs: [],
        unavailable: `the training images: ${e.message}`,
      };
    }
    const outputs = await ancestorOutputs(dir, {
      source: sourceFingerprint(train),
      n: train.length,
    });
    if (outputs.length >= 2) {
      const years = outputs.map((s) => slackYears(s, train!.ages, range));
      out.push({ run, years, rows: rowsOfSlack(years) });
    }
  }
  return { ages: train?.ages ?? new Int32Array(0), runs: out };
}

/**
 * The slack term's test: the target's generations 1 and 2 with Eq. 9's plain ℓ1 in place of
 * Eq. 13's slack for the offspring, one run per seed. Generation 1 is Table 5's (trained once).
 */
export function plainL1Configs(target: CenConfig, seeds: number): CenConfig[] {
  return withSeeds(variant(target, { offspringRegression: "l1", generations: 2 }), seeds);
}

/**
 * The control of the slack term's test: generation 2 trained with generation 1's own loss (α = 0,
 * so no KL term, and the plain ℓ1: Eq. 14), one run per seed. It differs from generation 1 only in
 * its random draws (data order, augmentation, new heads), so it shows how far retraining alone
 * moves a network.
 */
export function retrainedConfigs(target: CenConfig, seeds: number): CenConfig[] {
  return withSeeds(
    variant(target, { alpha: 0, offspringRegression: "l1", generations: 2 }),
    seeds,
  );
}

/** One row of the slack term's test: the offspring's regression loss, generation t's MAE by head. */
export interface SlackTermRow extends MaeByHead {
  /**
   * "slack": Eq. 13 (the paper's, Table 5's runs); "l1": Eq. 9 on the true age; "retrained": the
   * control, α = 0 and Eq. 9 (generation 1's own loss, {@link retrainedConfigs}).
   */
  loss: "slack" | "l1" | "retrained";
  t: number;
}

/**
 * Generation t of the offspring with the slack ℓ1 (`slack`: Table 5's runs) and the plain ℓ1, and
 * of the control where it has runs (`retrained`).
 */
export function slackTermRows(
  slack: readonly RunMetrics[],
  plain: readonly RunMetrics[],
  t = 2,
  retrained: readonly RunMetrics[] = [],
): SlackTermRow[] {
  const row = (loss: SlackTermRow["loss"], runs: readonly RunMetrics[]): SlackTermRow => ({
    loss,
    t,
    ...maeByHead(runs, t),
  });
  return [
    row("slack", slack),
    row("l1", plain),
    ...(retrained.length ? [row("retrained", retrained)] : []),
  ];
}

/**
 * §3.3: "we minimize the slack ℓ1 loss and find the Δs^{t−1} can gradually decrease". `bySeed`:
 * each seed's slack rows (`slackRows`), ancestors t = 1, 2, …; the claim holds where the mean Δs
 * over seeds falls at every step.
 */
export function slackVerdict(bySeed: readonly (readonly SlackRow[])[]): Verdict {
  const T = Math.min(...bySeed.map((rows) => rows.length));
  if (bySeed.length === 0 || T < 2) throw new Error("slack: no seed with two ancestors or more");
  const at = (t: number) => meanStd(bySeed.map((rows) => rows[t - 1].mean));
  const steps = Array.from({ length: T }, (_, i) => at(i + 1));
  const falls = steps.slice(1).map((s, i) => s.mean < steps[i].mean);
  const holds = falls.every(Boolean);
  const inside = bySeed.flatMap((rows) => rows.slice(0, T - 1).map((r) => r.inside ?? NaN));
  const share = meanStd(inside);
  return {
    claim:
      "Δs, the ancestor's regression error on the training images, decreases over evolution (§3.3)",
    paper:
      '"we minimize the slack ℓ1 loss and find the Δs^{t−1} can gradually decrease" (no numbers)',
    ours: `mean Δs, years, t = 1…${T}: ${steps.map((s) => ms(s, 2)).join(" → ")}`,
    holds,
    clear: holds
      ? steps.slice(1).every((s, i) => apart(s, steps[i]))
      : steps.slice(1).some((s, i) => !falls[i] && apart(s, steps[i])),
    reading:
      `each offspring ends inside its ancestor's interval on ${
        share.mean.toFixed(0)
      }% of the training images on average (no regression gradient from them)` +
      (holds ? "" : "; it depends on how closely the ancestor fits its training images (the " +
        "interval's width) and on λ_t. Would test it further: the slack term's test (the same " +
        "offspring with the plain ℓ1 of Eq. 9), and Table 6's λ_t sweep by head"),
  };
}

/**
 * "The Superiority of Evolutionary Mechanism": the gain from t = 1 to 2 "is mainly because of the
 * additional employment of KL divergence and the slack term". `rows` (`slackTermRows`): the
 * offspring with the slack ℓ1 and with the plain ℓ1, and the control where run; the slack term
 * helps where it beats the plain. With `first` (generation 1's row of Table 5) the reading says
 * whether the offspring's regression head falls behind its ancestor's whichever loss it trains
 * with; with the control (generation 1's loss, retrained), whether retraining alone moves the
 * regression head as far (then no term of Eq. 15 need be what costs it) or the KL term does.
 */
export function slackTermVerdict(
  rows: readonly SlackTermRow[],
  first?: Pick<Table5Row, "maeReg">,
): Verdict {
  const of = (loss: SlackTermRow["loss"]) => rows.find((r) => r.loss === loss);
  const [slack, plain, control] = [of("slack"), of("l1"), of("retrained")];
  if (!slack || !plain) throw new Error("the slack term's test needs the slack and plain-ℓ1 rows");
  const holds = slack.mean < plain.mean;
  const g1 = first?.maeReg;
  const behind = (r: SlackTermRow) =>
    g1 !== undefined && apart(r.maeReg, g1) && r.maeReg.mean > g1.mean;
  const both = behind(slack) && behind(plain);
  return {
    claim:
      `The slack term helps the offspring: Eq. 13's slack ℓ1 beats Eq. 9's plain ℓ1 (t = ${slack.t})`,
    paper:
      'the gain t = 1→2 "is mainly because of the additional employment of KL divergence and ' +
      'the slack term" (no ablation reported)',
    ours: `slack ${ms(slack)} vs plain ℓ1 ${ms(plain)}`,
    holds,
    clear: apart(slack, plain),
    reading:
      `slack against plain ℓ1: ${gap(slack.mean, plain.mean)}; by head, ŷ_reg ${
        f3(slack.maeReg.mean)
      } vs ${f3(plain.maeReg.mean)}, ŷ_ldl ${f3(slack.maeLdl.mean)} vs ${f3(plain.maeLdl.mean)}` +
      (g1 === undefined
        ? ""
        : both
        ? `; with either loss the offspring's ŷ_reg is behind generation 1's (${
          ms(g1)
        }) beyond the spread: what costs the regression head is not the slack`
        : `; generation 1's ŷ_reg: ${ms(g1)}`) +
      (control === undefined ? "" : controlReading(control, plain)) +
      (holds ? "" : "; it depends on how well the ancestor fits its training images (the " +
        "interval's width, Δs) and on λ_t. Would test it further: both losses at t = 3, 4 and " +
        "on a second target"),
  };
}

/**
 * The control against the plain-ℓ1 offspring: both train the plain ℓ1, and differ only in the KL
 * term (α = 0 in the control), so the gap between their ŷ_reg is the KL term's share.
 */
function controlReading(control: SlackTermRow, plain: SlackTermRow): string {
  const base = `; generation 1's own loss retrained at t = ${control.t} (α = 0, plain ℓ1, the ` +
    `control): ŷ ${ms(control)}, ŷ_reg ${ms(control.maeReg)}`;
  if (control.maeReg.mean >= plain.maeReg.mean) {
    return base + ", no better than the plain-ℓ1 offspring's: retraining alone moves the " +
      "regression head this far, so no term of Eq. 15 need be what costs it";
  }
  return base +
    (apart(control.maeReg, plain.maeReg)
      ? ", better than the plain-ℓ1 offspring's beyond the spread: the KL term (α > 0) is what costs it"
      : ", better than the plain-ℓ1 offspring's by less than the spread: the KL term's share is " +
        "not told apart from retraining's");
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
