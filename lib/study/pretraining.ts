/**
 * Pretraining: generation 1 from scratch beside the pretrained one (numbers;
 * `pretrainingDisplay` writes them), and the configs of a
 * profile's other backbones.
 *
 * @module
 */
import { type Backbone, type CenConfig } from "../config.ts";
import { profileConfigs } from "../experiment.ts";
import { type RunMetrics } from "../train/run.ts";
import { metricsAt, type RunsOf, variant, withSeeds } from "./runs.ts";
import { type MeanStd, meanStd } from "./stats.ts";
import type { TableRow } from "../report/table.ts";
import { apart, f3, type Verdict } from "./verdicts.ts";
import { formatMeanStd, formatMeanStd as ms } from "./stats.ts";

/** Generation 1 trained from scratch (no pretrained backbone), to set beside the pretrained one. */
export function scratchConfigs(target: CenConfig, seeds: number): CenConfig[] {
  return withSeeds(variant(target, { generations: 1, pretrained: null }), seeds);
}

/**
 * The runs of the pretraining comparison over `seeds`: generation 1 of `target` (from its
 * pretrained backbone) and from scratch, got by `runsOf` (trained or looked up).
 */
export async function pretrainingRuns(
  target: CenConfig,
  seeds: number,
  runsOf: RunsOf,
): Promise<{ pretrained: RunMetrics[]; scratch: RunMetrics[] }> {
  const pretrained = withSeeds(variant(target, { generations: 1 }), seeds);
  return {
    pretrained: await runsOf(pretrained, "pretrained, seed"),
    scratch: await runsOf(scratchConfigs(target, seeds), "from scratch, seed"),
  };
}

/** A profile's pretraining and target configs with another backbone (pretrained on it too). */
export function backboneConfigs(
  profileName: string,
  backbone: Backbone,
): ReturnType<typeof profileConfigs> {
  return profileConfigs(profileName, { backbone }, { backbone });
}

/** One row of the pretraining comparison: how generation 1 started, and its MAE ŷ over seeds. */
export interface PretrainingRow extends MeanStd {
  /** "pretrained backbone" or "from scratch". */
  start: string;
}

/**
 * The pretraining comparison: generation 1's MAE (ŷ) started from the pretrained backbone and
 * from scratch, over seeds, and whether pretraining helped.
 */
export function pretrainingRows(pretrained: RunMetrics[], scratch: RunMetrics[]) {
  const mae = (ms: RunMetrics[]) => meanStd(ms.map((m) => metricsAt(m, 1)?.mae ?? NaN));
  const w = mae(pretrained), wo = mae(scratch);
  const gain = wo.mean - w.mean;
  const rows: PretrainingRow[] = [
    { start: "pretrained backbone", ...w },
    { start: "from scratch", ...wo },
  ];
  return {
    rows,
    helps: gain > 0,
    text: `pretrained ${w.mean.toFixed(3)} vs scratch ${wo.mean.toFixed(3)}: pretraining ` +
      (gain > 0
        ? `helps by ${gain.toFixed(3)}`
        : `does NOT help (worse by ${(-gain).toFixed(3)})`) +
      ` years (spread over seeds ±${w.std.toFixed(3)} / ±${wo.std.toFixed(3)})`,
  };
}

/** Pretraining helps: generation 1 from the pretrained backbone against from scratch. */
export function pretrainingVerdict(pretrained: MeanStd, scratch: MeanStd, data: string): Verdict {
  const holds = pretrained.mean < scratch.mean;
  return {
    claim: `Pretraining (on ${data}) helps`,
    paper: "every model starts from IMDB-WIKI pretraining (no from-scratch number reported)",
    ours: `pretrained ${ms(pretrained)} vs scratch ${ms(scratch)}`,
    holds,
    clear: apart(pretrained, scratch),
    reading: `generation 1, ŷ: ${f3(scratch.mean - pretrained.mean)} years gained` +
      (holds ? "" : `; it depends on how close ${data} is to the target's faces and ages`),
  };
}

/** The pretraining comparison as shown: how generation 1 started, its MAE ŷ, the seeds. */
export function pretrainingDisplay(rows: readonly PretrainingRow[]): TableRow[] {
  return rows.map((r) => ({ start: r.start, "MAE ŷ, t = 1": formatMeanStd(r), seeds: r.n }));
}
