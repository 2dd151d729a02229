/**
 * The epoch curve: generation 1 trained for increasing lengths, and the length E the
 * study uses: the first where doubling it changes the test MAE by less than a tolerance (0.1
 * years) or makes it worse (overfitting). Verdicts drawn from models shorter than E would
 * compare models that are still learning.
 *
 * @module
 */
import { type CenConfig } from "../config.ts";
import { lrStepFor } from "../profiles.ts";
import { type RunMetrics } from "../train/run.ts";
import { metricsAt, variant } from "./runs.ts";
import { f3, type Verdict } from "./verdicts.ts";

/** Generation 1 of `target` trained `e` epochs for each `e` (the rate ÷10 for the last quarter). */
export function epochCurveConfigs(target: CenConfig, epochs: readonly number[]): CenConfig[] {
  return epochs.map((e) =>
    variant(target, {
      generations: 1,
      optim: { ...target.optim, epochs: e, lrStepEpochs: lrStepFor(e) },
    })
  );
}

/** The share of the training images held out to choose E on (`data.params.validation`). */
export const VALIDATION_FRACTION = 0.2;

/**
 * The epoch curve on a validation part carved from the training images (`data.params.validation`)
 * in place of the test split, so that the length is chosen without looking at the test images.
 */
export function validationCurveConfigs(
  target: CenConfig,
  epochs: readonly number[],
  fraction = VALIDATION_FRACTION,
): CenConfig[] {
  const data = { ...target.data, params: { ...target.data.params, validation: fraction } };
  return epochCurveConfigs(variant(target, { data }), epochs);
}

/** One point of the curve: a length and generation 1's test metrics after it. */
export interface EpochPoint {
  epochs: number;
  mae: number;
  maeLdl: number;
  maeReg: number;
  ca5: number;
}

/** The curve's points, by length (runs without generation 1 are left out). */
export function epochCurve(runs: readonly RunMetrics[]): EpochPoint[] {
  return runs.flatMap((r) => {
    const m = metricsAt(r, 1);
    return m
      ? [{
        epochs: r.config.optim.epochs,
        mae: m.mae,
        maeLdl: m.maeLdl,
        maeReg: m.maeReg,
        ca5: m.ca5,
      }]
      : [];
  }).sort((a, b) => a.epochs - b.epochs);
}

/** The length chosen from a curve, and why. */
export interface EpochChoice {
  epochs: number;
  /** "converged": doubling changed the MAE by less than the tolerance; "overfits": it got worse;
   * "not converged": no length of the curve qualified (the longest is returned). */
  reason: "converged" | "overfits" | "not converged";
  /** MAE at `epochs` and at twice as long (when measured). */
  mae: number;
  maeDoubled?: number;
}

/**
 * The first length E of the curve whose double 2E is also on it and changes the test MAE by less
 * than `tolerance` years, or makes it worse. Without one, the longest length, "not converged".
 */
export function chooseEpochs(points: readonly EpochPoint[], tolerance = 0.1): EpochChoice {
  if (points.length === 0) throw new Error("epoch curve: no finished runs to choose from");
  for (const p of points) {
    const d = points.find((q) => q.epochs === 2 * p.epochs);
    if (!d) continue;
    if (d.mae > p.mae) {
      return { epochs: p.epochs, reason: "overfits", mae: p.mae, maeDoubled: d.mae };
    }
    if (p.mae - d.mae < tolerance) {
      return { epochs: p.epochs, reason: "converged", mae: p.mae, maeDoubled: d.mae };
    }
  }
  const last = points[points.length - 1];
  return { epochs: last.epochs, reason: "not converged", mae: last.mae };
}

/** The runs trained to the length the epoch curve chose. */
export function convergenceVerdict(choice: EpochChoice, epochs: number): Verdict {
  const holds = choice.epochs === epochs && choice.reason !== "not converged";
  return {
    claim: `The runs are trained to convergence (E = ${epochs} epochs per generation)`,
    paper: "160 epochs per generation (ResNet18 at 224 px, Morph)",
    ours: `curve: ${f3(choice.mae)} at ${choice.epochs}` +
      (choice.maeDoubled !== undefined ? `, ${f3(choice.maeDoubled)} at ${2 * choice.epochs}` : ""),
    holds,
    clear: true,
    reading: `the curve chose E = ${choice.epochs} (${choice.reason})` +
      (holds ? "" : `; the runs train ${epochs}: retrain them at E, or extend the curve`),
  };
}
