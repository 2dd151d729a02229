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
import { quantile } from "./stats.ts";
import { type MaeByHead, maeByHead, variant, withSeeds } from "./runs.ts";

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
