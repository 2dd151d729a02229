/**
 * The off-the-shelf baseline, the `@vladmandic/face-api` age model on our test images:
 * face-api's AgeGenderNet (a TinyXception regressor, weights in its npm package,
 * `model/age_gender_model*`), run on our tfjs engine through the node-wasm bundle that
 * `lib/data/align.ts` loads.
 *
 * What face-api itself feeds the age net: in `detectAllFaces(…).withFaceLandmarks()
 * .withAgeAndGender()` the face is cut out by `extractFaceTensors` at the *aligned* box, which is
 * the bounding box of the 68 landmarks padded by 20% of its width and height (10% a side,
 * `FaceLandmarks.align()` → `alignMinBbox(0.2)`), clipped to the image; the age net then pads the
 * crop to a square (centred, black) and resizes it to 112 px, subtracts its mean RGB and divides
 * by 255. A UTKFace chip is already the detector's box (a tight, aligned crop), so:
 *
 * - `crop: "landmarks"` (default) runs face-api's pipeline from the landmarks on: the 68-point
 *   net on the whole image as the face box, the aligned box from its points, the age net on that
 *   crop. This is what a face-api user gets on a photo whose face was found.
 * - `crop: "whole"` feeds the whole image to the age net (one net, half the time).
 *
 * On the 1,577 test images of UTKFace part 1's committed split (data/splits/utkface-part1.json;
 * `deno task baseline --crop=… [--size=…]`, 2026-11-28, 2 busy cores):
 *
 * | crop        | fed at          | MAE   | CA(5) | ms / image (decode included) |
 * | ----------- | --------------- | ----- | ----- | ---------------------------- |
 * | `landmarks` | native 200 px   | 4.192 | 70.9% | 43                           |
 * | `landmarks` | 112 px          | 4.234 | 70.3% | 31                           |
 * | `whole`     | native 200 px   | 4.312 | 68.9% | 23                           |
 * | `whole`     | 112 px / 64 px  | 4.321 / 4.314 | 69.2 / 68.7% | 20 / 19           |
 *
 * So the default, and face-api's fair input, is its own landmarks crop of the native 200 px chip
 * (from a {@link SampleSource}: open the dataset at `imageSize: 200`). face-api's age model was
 * probably trained with UTKFace among its data, so this baseline is optimistic.
 *
 * @module
 */
import type { Tensor3D } from "@tensorflow/tfjs-core";
import { faceApiDir, loadFaceApi, loadNet } from "../data/align.ts";
import { decodeImage } from "../data/decode.ts";
import type { SampleSource } from "../data/types.ts";
import { DataError } from "../errors.ts";

// deno-lint-ignore no-explicit-any
type Any = any;

/** How the face is cut out of the image before the age net (see the module note). */
export type FaceApiCrop = "landmarks" | "whole";

/** Options of {@link loadFaceApiAge}. */
export interface FaceApiAgeOptions {
  /** Default "landmarks": face-api's own crop (the aligned box of its 68 landmarks). */
  crop?: FaceApiCrop;
  /** face-api's package folder (default: the one in node_modules). */
  packageDir?: string;
}

/** A loaded face-api age model. */
export interface FaceApiAge {
  readonly crop: FaceApiCrop;
  /**
   * The age in years (a real number) of the face filling `rgb`, a `width × height` RGB image
   * (8-bit, row-major; `height` defaults to `width`, i.e. a square crop of side `width`).
   */
  predict(rgb: Uint8Array, width: number, height?: number): Promise<number>;
  /** Releases the networks' weights. */
  dispose(): void;
}

/** Loads face-api's AgeGenderNet (and, for `crop: "landmarks"`, its 68-landmark net). */
export async function loadFaceApiAge(options: FaceApiAgeOptions = {}): Promise<FaceApiAge> {
  const crop = options.crop ?? "landmarks";
  if (crop !== "landmarks" && crop !== "whole") {
    throw new DataError(`face-api age: crop must be "landmarks" or "whole", got "${crop}"`);
  }
  const dir = options.packageDir ?? faceApiDir();
  const api = await loadFaceApi(dir);
  const tf = await import("@tensorflow/tfjs-core");
  const ageNet = new api.AgeGenderNet();
  await loadNet(ageNet, dir, "age_gender_model");
  let marks: Any;
  if (crop === "landmarks") {
    marks = new api.FaceLandmark68Net();
    await loadNet(marks, dir, "face_landmark_68_model");
  }
  const ageOf = async (face: Tensor3D): Promise<number> => {
    const out = await ageNet.predictAgeAndGender(face);
    return out.age as number;
  };
  return {
    crop,
    async predict(rgb, width, height = width) {
      if (!(Number.isInteger(width) && width > 0 && Number.isInteger(height) && height > 0)) {
        throw new DataError(`face-api age: bad image size ${width}×${height}`);
      }
      if (rgb.length !== width * height * 3) {
        throw new DataError(
          `face-api age: image has ${rgb.length} bytes, want ${width}×${height}×3`,
        );
      }
      const input = tf.tensor3d(rgb, [height, width, 3], "int32");
      try {
        if (!marks) return await ageOf(input);
        // face-api's withFaceLandmarks → alignedRect → extractFaceTensors, the image as the box.
        const lm = await marks.detectLandmarks(input);
        const box = lm.align();
        const [face] = await api.extractFaceTensors(input, [
          new api.Rect(box.x, box.y, box.width, box.height),
        ]);
        try {
          return await ageOf(face ?? input);
        } finally {
          face?.dispose();
        }
      } finally {
        input.dispose();
      }
    },
    dispose() {
      ageNet.dispose();
      marks?.dispose();
    },
  };
}

/** Options of {@link faceApiAgeOnSource} and {@link faceApiAgeOnFiles}. */
export interface FaceApiRunOptions extends FaceApiAgeOptions {
  /** A model loaded already (else one is loaded, and disposed at the end). */
  model?: FaceApiAge;
  /** Only the first `limit` images (in index order). */
  limit?: number;
  /** Called after each image with (done, total). */
  onProgress?: (done: number, total: number) => void;
}

async function withModel<T>(
  opts: FaceApiRunOptions,
  run: (m: FaceApiAge) => Promise<T>,
): Promise<T> {
  const model = opts.model ?? await loadFaceApiAge(opts);
  try {
    return await run(model);
  } finally {
    if (!opts.model) model.dispose();
  }
}

function limitOf(opts: FaceApiRunOptions, length: number): number {
  const n = opts.limit ?? length;
  if (!Number.isInteger(n) || n < 1) throw new DataError(`limit must be an integer ≥ 1, got ${n}`);
  return Math.min(n, length);
}

/**
 * face-api's age for every image of `source` (or its first `limit`), in index order, so that
 * `mae(pred, source.ages.subarray(0, pred.length))` (lib/metrics.ts) scores it. The source's
 * images are fed at its `imageSize`: open the dataset at 200 px for UTKFace's native chips.
 */
export function faceApiAgeOnSource(
  source: SampleSource,
  opts: FaceApiRunOptions = {},
): Promise<Float32Array> {
  const total = limitOf(opts, source.length);
  return withModel(opts, async (model) => {
    const out = new Float32Array(total);
    const s = source.imageSize, px = s * s * 3;
    let done = 0;
    const batches = source.batches({
      batchSize: 32,
      shuffle: false,
      augment: false,
      seed: 0,
      epoch: 0,
    });
    for await (const b of batches) {
      for (let k = 0; k < b.indices.length; k++) {
        const i = b.indices[k];
        if (i >= total) continue;
        out[i] = await model.predict(b.x.subarray(k * px, (k + 1) * px), s);
        opts.onProgress?.(++done, total);
      }
      if (done >= total) break;
    }
    return out;
  });
}

/**
 * face-api's age for image files (decoded at their own size), in the order given; NaN where a
 * file cannot be decoded (its reason in `failed`).
 */
export function faceApiAgeOnFiles(
  paths: readonly string[],
  opts: FaceApiRunOptions = {},
): Promise<{ ages: Float32Array; failed: { path: string; reason: string }[] }> {
  const total = limitOf(opts, paths.length);
  return withModel(opts, async (model) => {
    const ages = new Float32Array(total).fill(NaN);
    const failed: { path: string; reason: string }[] = [];
    for (let i = 0; i < total; i++) {
      const img = await decodeImage(paths[i]);
      if (img.ok) ages[i] = await model.predict(img.data, img.width, img.height);
      else failed.push({ path: paths[i], reason: img.reason });
      opts.onProgress?.(i + 1, total);
    }
    return { ages, failed };
  });
}
