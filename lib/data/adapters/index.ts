/**
 * The dataset adapters by name, so that a config's `data.dataset` and `data.params` (or the
 * `deno task data check` command line) pick one. Each adapter reads a folder given by the caller
 * and returns an {@link AdapterResult}: samples, skips with reasons, warnings.
 *
 * @module
 */
import { DataError } from "../../errors.ts";
import type { AdapterResult } from "../skips.ts";
import { loadAaf } from "./aaf.ts";
import { loadChalearn } from "./chalearn.ts";
import { loadImdbWiki } from "./imdbwiki.ts";
import { loadMegaage } from "./megaage.ts";
import { loadMorph } from "./morph.ts";
import { loadUtkface } from "./utkface.ts";

export { loadAaf } from "./aaf.ts";
export { loadChalearn } from "./chalearn.ts";
export { loadImdbWiki } from "./imdbwiki.ts";
export { loadMegaage } from "./megaage.ts";
export { loadMorph } from "./morph.ts";
export { loadUtkface } from "./utkface.ts";

/** Adapter options as a config or command line gives them. */
export type AdapterParams = Record<string, string | number | boolean>;

/** One registered adapter. */
export interface AdapterEntry {
  /** Reads the dataset in `root`. */
  load(root: string, params: AdapterParams): Promise<AdapterResult>;
  /** The option names it accepts. */
  params: readonly string[];
  /** One line for help texts. */
  description: string;
}

const AGE = ["minAge", "maxAge"] as const;

/** Dataset name → adapter. */
export const ADAPTERS: Readonly<Record<string, AdapterEntry>> = Object.freeze(
  {
    utkface: {
      load: (root, p) => loadUtkface(root, p),
      params: [...AGE],
      description: "UTKFace: labels in the file names (a folder of images, or one with images/)",
    },
    "imdb-wiki": {
      load: (root, p) => loadImdbWiki(root, p),
      params: [...AGE, "mat", "minFaceScore", "allowSecondFace", "checkFiles"],
      description: "IMDB-WIKI: wiki.mat / imdb.mat metadata, cleaned (face score, one face, 0–100)",
    },
    morph: {
      load: (root, p) => loadMorph(root, p),
      params: [...AGE, "csv", "split", "seed", "trainFraction", "checkFiles"],
      description: "Morph II: CSV with subject ids; seeded 80/20 split by image or by subject",
    },
    chalearn: {
      load: (root, p) => loadChalearn(root, p),
      params: [
        ...AGE,
        "splits",
        "trainCsv",
        "trainDir",
        "valCsv",
        "valDir",
        "testCsv",
        "testDir",
        "checkFiles",
      ],
      description: "ChaLearn LAP 2015 apparent age: CSVs of image, mean, std per split",
    },
    megaage: {
      load: (root, p) => loadMegaage(root, p),
      params: [...AGE, "splits", "checkFiles"],
      description: "MegaAge-Asian: list/<split>_name.txt + list/<split>_age.txt",
    },
    aaf: {
      load: (root, p) => loadAaf(root, p),
      params: [...AGE, "splits", "checkFiles"],
      description: "All-Age-Faces: ages in NNNNNAaa.jpg names, splits/train.txt + splits/val.txt",
    },
  } satisfies Record<string, AdapterEntry>,
);

/** The registered dataset names. */
export function datasetNames(): string[] {
  return Object.keys(ADAPTERS);
}

/**
 * Loads dataset `name` from folder `root` with adapter options `params`. Throws a
 * {@link DataError} for an unknown dataset or option.
 */
export function loadDataset(
  name: string,
  root: string,
  params: AdapterParams = {},
): Promise<AdapterResult> {
  const entry = Object.hasOwn(ADAPTERS, name) ? ADAPTERS[name] : undefined;
  if (entry === undefined) {
    return Promise.reject(
      new DataError(`unknown dataset "${name}" (one of ${datasetNames().join(", ")})`),
    );
  }
  for (const key of Object.keys(params)) {
    if (!entry.params.includes(key)) {
      return Promise.reject(
        new DataError(
          `${name}: unknown option "${key}" (accepted: ${entry.params.join(", ")})`,
        ),
      );
    }
  }
  return entry.load(root, params);
}
