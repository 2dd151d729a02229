/**
 * face-api's age model (`@vladmandic/face-api`, off the shelf) on the UTKFace part 1 test split:
 * the images the committed split
 * file names, decoded from the folder (at their native 200 px unless `size` says otherwise),
 * scored with lib/metrics.ts.
 *
 * ```sh
 * CEN_UTKFACE_DIR=../shared/data/utkface-part1 \
 *   deno task baseline [--crop=whole|landmarks] [--size=N] [--limit=N]
 * ```
 *
 * prints one JSON object `{crop, size, images, mae, ca3, ca5, ca7, seconds, msPerImage}`.
 * Predictions come in the split file's order (names sorted), which is also the index order of
 * `openDataset({dataset: "utkface"})`'s test source on that folder (checked on part 1), so they
 * pair with a CEN model's test predictions image by image.
 *
 * @module
 */
import { join } from "node:path";
import { hashJson } from "../config.ts";
import { faceApiDir } from "../data/align.ts";
import { readJsonIfExists, writeJsonAtomic } from "../fsutil.ts";
import { BASELINES_DIR } from "../paths.ts";
import { decodeImage } from "../data/decode.ts";
import { defaultUtkfaceSplitPath, readSplitFile } from "../data/split.ts";
import { DataError } from "../errors.ts";
import { cumulativeAccuracy, mae } from "../metrics.ts";
import { type FaceApiCrop, type FaceApiRunOptions, loadFaceApiAge } from "./faceapi_age.ts";

/** Options of {@link faceApiAgeOnSplit}. */
export interface SplitRunOptions extends FaceApiRunOptions {
  /** The split file (default: the committed `data/splits/utkface-part1.json`). */
  splitPath?: string;
  /** Which side of the split (default "test"). */
  side?: "test" | "train";
  /** Resize each image to `size × size` first (default: the file's own size, 200 px). */
  size?: number;
}

/** Predictions and scores of one run. */
export interface SplitEvaluation {
  crop: FaceApiCrop;
  /** The side the images were fed at (0: their own size). */
  size: number;
  names: string[];
  ages: Int32Array;
  pred: Float32Array;
  /** Eq. 19, and CA(3), CA(5), CA(7) (Eq. 21), in years and percent. */
  mae: number;
  ca3: number;
  ca5: number;
  ca7: number;
  /** Wall time of the predictions (decoding included, loading the nets not). */
  seconds: number;
}

/** The folder holding the images of a UTKFace folder (`images/` when it has one). */
async function imageDir(folder: string): Promise<string> {
  try {
    if ((await Deno.stat(join(folder, "images"))).isDirectory) return join(folder, "images");
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  return folder;
}

/**
 * Runs face-api's age model on the split file's `side` images (or the first `limit` of them,
 * in the file's order) found in `folder`. Throws a {@link DataError} when one cannot be
 * decoded: the split's images are all expected to be there.
 */
export async function faceApiAgeOnSplit(
  folder: string,
  opts: SplitRunOptions = {},
): Promise<SplitEvaluation> {
  const split = await readSplitFile(opts.splitPath ?? defaultUtkfaceSplitPath());
  const all = opts.side === "train" ? split.train : split.test;
  if (!all) throw new DataError(`split file ${split.dataset} has no train list`);
  const names = all.slice(0, opts.limit ?? all.length);
  const dir = await imageDir(folder);
  const ages = Int32Array.from(names, (n) => Number(n.split("_")[0]));
  const pred = new Float32Array(names.length);
  const model = opts.model ?? await loadFaceApiAge(opts);
  const t0 = performance.now();
  try {
    for (let i = 0; i < names.length; i++) {
      const img = await decodeImage(join(dir, names[i]), opts.size ? { size: opts.size } : {});
      if (!img.ok) throw new DataError(`${names[i]}: ${img.reason} (${img.detail})`);
      pred[i] = await model.predict(img.data, img.width, img.height);
      opts.onProgress?.(i + 1, names.length);
    }
  } finally {
    if (!opts.model) model.dispose();
  }
  const seconds = (performance.now() - t0) / 1000;
  return {
    crop: model.crop,
    size: opts.size ?? 0,
    names,
    ages,
    pred,
    mae: mae(pred, ages),
    ca3: cumulativeAccuracy(pred, ages, 3),
    ca5: cumulativeAccuracy(pred, ages, 5),
    ca7: cumulativeAccuracy(pred, ages, 7),
    seconds,
  };
}

/** The scores of a finished {@link faceApiAgeOnSplit}, as saved to and read from disk. */
export interface SavedFaceApiScores {
  /** What the scores were computed from ({@link faceApiInputs}); saved scores of others are not used. */
  inputs?: string;
  crop: FaceApiCrop;
  size: number;
  images: number;
  mae: number;
  ca3: number;
  ca5: number;
  ca7: number;
  seconds: number;
}

/** Where the scores of face-api on the default split are kept (`results/baselines/`). */
export function faceApiScoresPath(crop: FaceApiCrop = "landmarks", size = 0): string {
  return join(BASELINES_DIR, `faceapi-age-${crop}-${size || "native"}.json`);
}

/**
 * face-api's scores on the whole test split of the committed split file: read from
 * {@link faceApiScoresPath} when a run saved them, else computed (about a minute) and saved.
 */
export async function faceApiScores(
  folder: string,
  opts: Omit<SplitRunOptions, "limit" | "splitPath" | "side"> = {},
): Promise<SavedFaceApiScores> {
  const inputs = await faceApiInputs(folder, opts.crop, opts.size);
  const cached = await readJsonIfExists<SavedFaceApiScores>(
    faceApiScoresPath(opts.crop, opts.size),
  );
  if (cached?.inputs === inputs) return cached;
  const r = await faceApiAgeOnSplit(folder, opts);
  await saveFaceApiScores(r, folder);
  return scoresOf(r, inputs);
}

/**
 * What face-api's scores on a folder depend on, hashed: the committed split's test names, the
 * size in bytes of each of those files in `folder`, the crop, the input size and the face-api
 * package's version. Another folder's images (or a replaced one), another split or another model
 * give another value.
 */
export async function faceApiInputs(
  folder: string,
  crop: FaceApiCrop = "landmarks",
  size = 0,
): Promise<string> {
  const split = await readSplitFile(defaultUtkfaceSplitPath());
  const dir = await imageDir(folder);
  const files = await Promise.all(split.test.map(async (name) => {
    try {
      return [name, (await Deno.stat(join(dir, name))).size];
    } catch {
      return [name, null];
    }
  }));
  const pkg = JSON.parse(await Deno.readTextFile(join(faceApiDir(), "package.json")));
  return await hashJson({ files, crop, size, faceApi: pkg.version ?? null });
}

/**
 * Saves the scores of a whole-split evaluation of `folder` to {@link faceApiScoresPath}, with the
 * inputs they came from; returns the path.
 */
export async function saveFaceApiScores(r: SplitEvaluation, folder: string): Promise<string> {
  const path = faceApiScoresPath(r.crop, r.size);
  await writeJsonAtomic(path, scoresOf(r, await faceApiInputs(folder, r.crop, r.size)));
  return path;
}

/** The scores of an evaluation (what {@link faceApiScores} keeps). */
function scoresOf(r: SplitEvaluation, inputs: string): SavedFaceApiScores {
  return {
    inputs,
    crop: r.crop,
    size: r.size,
    images: r.names.length,
    mae: r.mae,
    ca3: r.ca3,
    ca5: r.ca5,
    ca7: r.ca7,
    seconds: r.seconds,
  };
}
