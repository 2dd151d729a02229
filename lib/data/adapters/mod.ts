/**
 * Dataset adapters: each turns a dataset folder into labelled images and skips with reasons
 * (UTKFace, All-Age-Faces, Morph, ChaLearn LAP 2015, MegaAge, IMDB-WIKI), and the check that
 * accounts for every input.
 *
 * @example
 * ```ts
 * import { datasetNames } from "./mod.ts";
 * console.log(datasetNames()); // the datasets an adapter reads
 * ```
 *
 * @module
 */
export * from "./index.ts";
export * from "./common.ts";
export * from "./check.ts";
