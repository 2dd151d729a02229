/**
 * The data path: dataset adapters and their skips, image decoding (with the pixel limit),
 * detection and alignment, the decoded cache, splits (and the validation carve), augmentation,
 * batches, and the synthetic faces of the embedded default.
 *
 * @example
 * ```ts
 * import { openDataset } from "./mod.ts";
 * const { train, test } = await openDataset(
 *   { dataset: "synthetic-target", params: { count: 200 }, augment: false },
 *   { imageSize: 32 },
 * );
 * console.log(train.length, test.length);
 * ```
 *
 * @module
 */
export * from "./types.ts";
export * from "./open.ts";
export * from "./decode.ts";
export * from "./limits.ts";
export * from "./align.ts";
export * from "./crops.ts";
export * from "./framing.ts";
export * from "./resample.ts";
export * from "./cache.ts";
export * from "./batches.ts";
export * from "./augment.ts";
export * from "./split.ts";
export * from "./skips.ts";
export * from "./synthetic.ts";
export * from "./mat.ts";
export * from "./faces.ts";
export * from "./pick.ts";
export * from "./memory.ts";
