/**
 * The trainer's progress lines (they go to the console and the run's `train.log`; tools, tests and
 * the folded run logs of `lib/report/runlog.ts` read some of them, so their text is fixed).
 *
 * API:
 * - `formatSeconds(s)`: a duration as `42s` or `3m07s` (`?` when not finite).
 * - `epochLine(generations, epochs, entry, steps)`: the line of a finished epoch, with its ETA.
 * - `generationLine(t, scored)`: the line of a finished generation (test MAE, CA(3/5/7)).
 *
 * @module
 */
import type { AgeMetrics } from "../metrics.ts";
import type { EpochLog } from "./run.ts";

/** A duration for an ETA: `42s`, `3m07s`, or `?` when not finite. */
export function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return "?";
  const m = Math.floor(s / 60);
  return m > 0 ? `${m}m${Math.round(s % 60).toString().padStart(2, "0")}s` : `${s.toFixed(0)}s`;
}

/**
 * The line of a finished epoch of a run of `generations` generations and `epochs` epochs each:
 * mean losses, learning rate, speed, steps, the time left in this generation at this epoch's pace,
 * and the test MAE when the epoch scored it.
 */
export function epochLine(
  generations: number,
  epochs: number,
  entry: EpochLog,
  steps: number,
): string {
  const parts = (["ce", "l1", "kl", "slack"] as const)
    .filter((k) => entry[k] !== undefined)
    .map((k) => `${k} ${entry[k]!.toFixed(4)}`).join(" ");
  const eta = (epochs - entry.epoch) * entry.seconds;
  return `gen ${entry.generation}/${generations} epoch ${entry.epoch}/${epochs}  loss ${
    entry.loss.toFixed(4)
  } ` +
    `(${parts})  lr ${entry.lr.toExponential(1)}  ${entry.imagesPerSec.toFixed(1)} img/s  ` +
    `${steps} steps  ETA ${formatSeconds(eta)}` +
    (entry.testMae !== undefined ? `  test MAE ${entry.testMae.toFixed(3)}` : "");
}

/** The line of a finished generation `t`: its test MAE (ŷ, ŷ_ldl, ŷ_reg) and CA(3/5/7). */
export function generationLine(t: number, scored: AgeMetrics): string {
  return `generation ${t}: test MAE ${scored.mae.toFixed(3)} (ldl ${scored.maeLdl.toFixed(3)}, ` +
    `reg ${scored.maeReg.toFixed(3)})  CA3/5/7 ${scored.ca3.toFixed(1)}/${scored.ca5.toFixed(1)}/${
      scored.ca7.toFixed(1)
    }`;
}
