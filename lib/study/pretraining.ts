/**
 * Pretraining: generation 1 from scratch beside the pretrained one, and the configs of a profile's other backbones.
 *
 * @module
 */
import { type Backbone, type CenConfig } from "../config.ts";
import { metricsAt } from "./runs.ts";
import { profileConfigs } from "../experiment.ts";
import { type RunMetrics } from "../train/run.ts";
import { formatMeanStd, meanStd } from "./stats.ts";
import { variant, withSeeds } from "./runs.ts";

/** Generation 1 trained from scratch (no pretrained backbone), to set beside the pretrained one. */
export function scratchConfigs(target: CenConfig, seeds: number): CenConfig[] {
  return withSeeds(variant(target, { generations: 1, pretrained: null }), seeds);
}

/** A profile's pretraining and target configs with another backbone (pretrained on it too). */
export function backboneConfigs(
  profileName: string,
  backbone: Backbone,
): ReturnType<typeof profileConfigs> {
  return profileConfigs(profileName, { backbone }, { backbone });
}

/**
 * The pretraining comparison: generation 1's MAE (ŷ) started from the pretrained backbone and
 * from scratch, over seeds, and whether pretraining helped.
 */
export function pretrainingRows(pretrained: RunMetrics[], scratch: RunMetrics[]) {
  const mae = (ms: RunMetrics[]) => meanStd(ms.map((m) => metricsAt(m, 1)?.mae ?? NaN));
  const w = mae(pretrained), wo = mae(scratch);
  const gain = wo.mean - w.mean;
  return {
    rows: [
      { start: "pretrained backbone", "MAE ŷ, t = 1": formatMeanStd(w), seeds: w.n },
      { start: "from scratch", "MAE ŷ, t = 1": formatMeanStd(wo), seeds: wo.n },
    ],
    helps: gain > 0,
    text: `pretrained ${w.mean.toFixed(3)} vs scratch ${wo.mean.toFixed(3)}: pretraining ` +
      (gain > 0
        ? `helps by ${gain.toFixed(3)}`
        : `does NOT help (worse by ${(-gain).toFixed(3)})`) +
      ` years (spread over seeds ±${w.std.toFixed(3)} / ±${wo.std.toFixed(3)})`,
  };
}
