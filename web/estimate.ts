/**
 * The web page's age estimation, without the DOM: from a decoded RGB image to each face's ŷ,
 * ŷ_ldl, ŷ_reg and age distribution, by `deno task predict`'s own steps — its chip rule and face
 * finding (`looksLikeChip`, `facesInImage` in lib/inference.ts: detection with retries, alignment
 * to the model's template, the whole-image fallback) and Eqs. 16–18 (`predictImages`,
 * lib/model/predict.ts). A chip is made square by lib/data/resample.ts where predict lets sharp do
 * it. The page (web/app.ts) adds decoding and drawing: its image is decoded as predict decodes a
 * photo, a photo larger than 2,048 px shrunk to it (lib/data/limits.ts `workingSize`). Deno tests
 * run this module as it is (tests/web/estimate_test.ts).
 *
 * @module
 */
import type * as tfl from "@tensorflow/tfjs-layers";
import type { FaceDetector, FivePoints, RgbImage } from "../lib/data/align.ts";
import { type FaceCrop, facesInImage, looksLikeChip } from "../lib/inference.ts";
import { predictImages } from "../lib/model/predict.ts";
import { coverSquare } from "../lib/data/resample.ts";

/** What the page needs of a model: the network, its input size, age range and crop template. */
export interface PageModel {
  model: tfl.LayersModel;
  size: number;
  minAge: number;
  maxAge: number;
  template: Readonly<FivePoints>;
}

/** One face's estimate: where it came from (lib/inference.ts's `FaceCrop`) and its ages. */
export interface FaceEstimate extends FaceCrop {
  /** ŷ (Eq. 18), ŷ_ldl (Eq. 16), ŷ_reg (Eq. 17). */
  age: number;
  ageLdl: number;
  ageReg: number;
  /** p over ages minAge … maxAge (τ = 1). */
  p: Float32Array;
}

/** The faces of an image, or why there are none. */
export type Estimate =
  | { ok: true; chip: boolean; faces: FaceEstimate[] }
  | { ok: false; reason: "no-face"; detail: string };

/** The whole image as one chip: made square and resized as `decodeImage(…, { size })` does. */
function chipCrop(img: RgbImage, size: number): FaceCrop {
  const crop = img.width === size && img.height === size ? img.data : coverSquare(img, size).data;
  const box = { x: 0, y: 0, width: img.width, height: img.height };
  return { crop, face: -1, source: "chip", box };
}

/** Runs the model on the crops (Eqs. 16–18) and pairs each with its ages and distribution. */
function predictCrops(crops: readonly FaceCrop[], m: PageModel): FaceEstimate[] {
  const k = m.maxAge - m.minAge + 1;
  const pr = predictImages(m.model, crops.map((c) => c.crop), m.size, m);
  return crops.map((c, i) => ({
    ...c,
    age: pr.y[i],
    ageLdl: pr.yLdl[i],
    ageReg: pr.yReg[i],
    p: pr.p.slice(i * k, (i + 1) * k),
  }));
}

/**
 * The faces of a decoded image and their ages, as `deno task predict --align auto` finds them: a
 * chip (`looksLikeChip`; the rule is symmetric, so the decoded size gives the file's answer) is
 * used whole; otherwise `facesInImage` detects (with its retries) and aligns every face, or
 * falls back on the whole of a small image.
 */
export async function estimateAges(
  img: RgbImage,
  detector: FaceDetector,
  m: PageModel,
): Promise<Estimate> {
  const chip = looksLikeChip(img.width, img.height);
  const crops = chip ? [chipCrop(img, m.size)] : await facesInImage(img, m, detector);
  if (!Array.isArray(crops)) return { ok: false, ...crops };
  return { ok: true, chip, faces: predictCrops(crops, m) };
}
