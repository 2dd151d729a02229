/**
 * Notebook parameters of the study: the seeds and backbones a notebook asks for, or the profile's defaults.
 *
 * @module
 */
import { type Backbone, BACKBONES } from "../config.ts";
import { ConfigError } from "../errors.ts";
import { profile } from "../profiles.ts";

/** The seeds a notebook uses: its `seeds` parameter, or for 0 the profile's study default. */
export function studySeeds(profileName: string, seeds: number): number {
  return seeds > 0 ? seeds : profile(profileName).study.seeds;
}

/** The backbones a notebook compares: a comma list, or for "" the profile's study default. */
export function studyBackbones(profileName: string, list: string): Backbone[] {
  const named = list.split(",").map((s) => s.trim()).filter(Boolean);
  for (const b of named) {
    if (!(BACKBONES as readonly string[]).includes(b)) {
      throw new ConfigError(
        "backbones",
        `unknown backbone "${b}" (one of ${BACKBONES.join(", ")})`,
      );
    }
  }
  return named.length > 0 ? named as Backbone[] : profile(profileName).study.backbones;
}

/**
 * The τ values of 04-evolution's distribution figure: a comma list, or for "" the profile's study
 * default (τ = 1…4; none where the study has no ablations, as the verdict study on AAF).
 */
export function studyFigureTaus(profileName: string, list: string): number[] {
  const named = list.split(",").map((s) => s.trim()).filter(Boolean);
  for (const t of named) {
    if (!(Number(t) > 0)) throw new ConfigError("figureTaus", `not a temperature τ > 0: "${t}"`);
  }
  if (named.length > 0) return named.map(Number);
  return studyAblations(profileName) ? [1, 2, 3, 4] : [];
}

/**
 * Whether a profile's study runs the ablations (Table 6, the τ figure, the plain-ℓ1 offspring):
 * all but those that say not (the verdict study on AAF).
 */
export function studyAblations(profileName: string): boolean {
  return profile(profileName).study.ablations !== false;
}
