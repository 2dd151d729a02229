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
