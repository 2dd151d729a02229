/**
 * Pretraining: generation 1 from scratch beside the pretrained one (numbers;
 * `pretrainingDisplay` in `lib/report/study_tables.ts` writes them), and the configs of a
 * profile's other backbones.
 *
 * @module
 */
import { type Backbone, type CenConfig } from "../config.ts";
import { profileConfigs } from "../experiment.ts";
import { type RunMetrics } from "../train/run.ts";
import { metricsAt, type RunsOf, variant, withSeeds } from "./runs.ts";
import { type MeanStd, meanStd } from "./stats.ts";

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
