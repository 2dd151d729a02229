/**
 * Age estimation for image files with a trained CEN model: faces are detected and aligned in raw
 * photos (every face of a photo gets a row), pre-aligned chips are resized, and files that cannot
 * be read are reported with a reason. Backs `deno task predict`.
 *
 * A small image that is already one framed face (an AAF image, a tight crop) is never given up
 * on: when the detector finds no face, it retries on the image framed by black (25%, then 50% of
 * its longest side) and then upscaled ×2; when still none, the whole image is the face, framed as
 * well as it can be (AAF's fixed crop for AAF's aspect, else the centre square). Each row says
 * which path its face took ({@link FaceSource}). Only a large photo with no face is skipped.
 *
 * This module goes from files to faces; the ages of a face are the network's outputs through
 * Eqs. 16–18, in `model/predict.ts`.
 *
 * @module
 */
import type * as tfl from "@tensorflow/tfjs-layers";
import { join } from "node:path";
import {
  alignFace,
  type CropMetadata,
  type DetectedFace,
  type FaceDetector,
  type FivePoints,
  loadFaceDetector,
  type RgbImage,
  TEMPLATE,
} from "./data/align.ts";
import {
  AAF_FIVE_POINTS,
  AAF_IMAGE_SIZE,
  type CropRect,
  fixedCrop,
  squareCropRect,
} from "./data/crops.ts";
import { decodeImageBytes, imageHeader, readImageFile } from "./data/decode.ts";
import { MAX_IMAGE_PIXELS, WORKING_SIDE } from "./data/limits.ts";
import { downscaleRgb, KERNELS, resizeRgb } from "./data/resample.ts";
import type { SkipRecord } from "./data/skips.ts";
import { DataError } from "./errors.ts";
import { loadModel, readModelMetadata } from "./model/io.ts";
import { predictImages } from "./model/predict.ts";

/**
 * How faces are found: "detect" always detects and aligns; "none" resizes every image (pre-aligned
 * chips); "auto" takes a small square image (≤ 256 px) as a chip and detects faces in the rest.
 */
export type AlignPolicy = "auto" | "detect" | "none";

/**
 * How a row's face reached the model (the CSV column `face`): "chip" (a pre-aligned chip used
 * whole), "detected" (found and aligned to the model's template), "detected-padded" (found once the
 * image was framed by black), "detected-upscaled" (found once it was also upscaled ×2),
 * "aaf-crop" (no face found: an image of AAF's aspect cut by AAF's fixed crop, moved onto the
 * model's template), "whole-image" (no face found: the centre square of a small image).
 */
export type FaceSource =
  | "chip"
  | "detected"
  | "detected-padded"
  | "detected-upscaled"
  | "aaf-crop"
  | "whole-image";

/** One predicted face. */
export interface AgeRow {
  /** The image file. */
  file: string;
  /** ŷ (Eq. 18), ŷ_ldl (Eq. 16), ŷ_reg (Eq. 17). */
  age: number;
  /** ŷ_ldl (Eq. 16). */
  ageLdl: number;
  /** ŷ_reg (Eq. 17). */
  ageReg: number;
  /** The three most probable ages with their probabilities. */
  top: { age: number; p: number }[];
  /** 0-based face number within the file (left to right), or -1 for an image used whole. */
  face: number;
  /** How the face was found (the CSV column `face`). */
  source: FaceSource;
}

/** A loaded model and what it needs to know about its input and classes. */
export interface AgeModel {
  /** The network (both heads). */
  model: tfl.LayersModel;
  /** Input side in pixels. */
  size: number;
  /** The youngest age class. */
  minAge: number;
  /** The oldest age class. */
  maxAge: number;
  /** The folder it was loaded from. */
  dir: string;
  /** Where photos' five points go in a crop: the framing of the training images. */
  template: Readonly<FivePoints>;
}

/** What a saved model's `model.json` metadata says for inference. */
export interface AgeModelMetadata {
  cen?: { minAge: number; maxAge: number };
  input?: { size: number };
  crop?: CropMetadata;
}

/**
 * A model's input size, age range and crop template from its metadata (a model saved without a
 * template gets {@link TEMPLATE}); `where` names the model in the error for a model with none.
 */
export function ageModelSettings(
  meta: AgeModelMetadata,
  where: string,
): Pick<AgeModel, "size" | "minAge" | "maxAge" | "template"> {
  if (!meta.cen || !meta.input) {
    throw new DataError(
      `${where} has no CEN metadata (not a model saved by this library): pass --run <id|dir> ` +
        "with a model this library trained or exported",
    );
  }
  const template = meta.crop?.template.length === 5 ? meta.crop.template : TEMPLATE;
  return { size: meta.input.size, minAge: meta.cen.minAge, maxAge: meta.cen.maxAge, template };
}

/**
 * Loads a model saved by the trainer (its metadata gives the input size, the age range and the
 * crop template: {@link ageModelSettings}).
 */
export async function loadAgeModel(dir: string): Promise<AgeModel> {
  const settings = ageModelSettings(await readModelMetadata(dir), `${dir}/model.json`);
  return { model: await loadModel(dir), ...settings, dir };
}

const IMAGE_EXT = /\.(jpe?g|png|webp|gif|tiff?|bmp|avif)$/i;

/** The image files under `path` (a file is returned as is; folders are walked, sorted). */
export async function listImages(path: string): Promise<string[]> {
  const info = await Deno.stat(path);
  if (info.isFile) return [path];
  const out: string[] = [];
  for await (const e of Deno.readDir(path)) {
    const p = join(path, e.name);
    // Follow symbolic links (a folder of links to a dataset's test split is common).
    const kind = e.isSymlink ? await Deno.stat(p).catch(() => undefined) : e;
    if (kind?.isDirectory) out.push(...await listImages(p));
    else if (kind?.isFile && IMAGE_EXT.test(e.name)) out.push(p);
  }
  return out.sort();
}

/** A chip: small and square enough to be a pre-aligned face crop (`--align auto`). */
export function looksLikeChip(width: number, height: number): boolean {
  return Math.max(width, height) <= 256 &&
    Math.abs(width - height) <= 0.1 * Math.max(width, height);
}

/**
 * The longest side up to which an image may be one framed face: it is also retried upscaled, and
 * used whole when no face is found. A larger image with no face is skipped ("no-face").
 */
export const SMALL_IMAGE_SIDE = 512;

/** One detection try: upscale by `scale`, then frame by `pad` × the longest side in black. */
interface DetectTry {
  source: FaceSource;
  scale: number;
  pad: number;
}

/**
 * The tries in order. On 572 AAF val images (every 10th) the first found a face in 511; framing by
 * 25% found 52 of the other 61, framing by 50% or upscaling 4 more; 5 had none.
 */
const DETECT_TRIES: readonly DetectTry[] = [
  { source: "detected", scale: 1, pad: 0 },
  { source: "detected-padded", scale: 1, pad: 0.25 },
  { source: "detected-padded", scale: 1, pad: 0.5 },
  { source: "detected-upscaled", scale: 2, pad: 0.25 },
];

/** One face of an image, as the model's input. */
export interface FaceCrop {
  /** `size × size × 3` RGB. */
  crop: Uint8Array;
  /** 0-based face number, left to right; -1 for an image used whole. */
  face: number;
  source: FaceSource;
  /** Where the face is in the image, px (what was cut for an image used whole). */
  box: { x: number; y: number; width: number; height: number };
  /** The five points it was aligned by (detected faces only). */
  five?: FivePoints;
}

/**
 * `img` scaled by `scale` (bilinear, resample.ts: the same in a browser) and framed by `pad` black
 * pixels on every side.
 */
function reframe(img: RgbImage, scale: number, pad: number): RgbImage {
  let { data, width, height } = img;
  if (scale !== 1) {
    const [w, h] = [Math.round(width * scale), Math.round(height * scale)];
    ({ data, width, height } = resizeRgb(img, w, h, KERNELS.linear));
  }
  if (pad === 0) return { data, width, height };
  const W = width + 2 * pad;
  const out = new Uint8Array(W * (height + 2 * pad) * 3);
  for (let y = 0; y < height; y++) {
    out.set(data.subarray(y * width * 3, (y + 1) * width * 3), ((y + pad) * W + pad) * 3);
  }
  return { data: out, width: W, height: height + 2 * pad };
}

/**
 * The faces of `img` by the first {@link DETECT_TRIES} try that finds any (the upscaled one only
 * for a small image), with their five points and boxes in `img`'s own pixels. Images larger than
 * 1024 px are searched on a copy scaled by resample.ts, so that the web page, which has no sharp,
 * finds the same boxes.
 */
export async function detectWithRetries(
  img: RgbImage,
  detector: FaceDetector,
): Promise<{ source: FaceSource; faces: DetectedFace[] } | undefined> {
  const small = Math.max(img.width, img.height) <= SMALL_IMAGE_SIDE;
  for (const t of DETECT_TRIES) {
    if (t.scale !== 1 && !small) continue;
    const pad = Math.round(t.pad * t.scale * Math.max(img.width, img.height));
    const framed = reframe(img, t.scale, pad);
    const found = await detector.detect(framed.data, framed.width, framed.height, {
      maxSide: 1024,
      downscale: downscaleRgb,
    });
    if (found.length === 0) continue;
    const back = (p: { x: number; y: number }) => ({
      x: (p.x - pad) / t.scale,
      y: (p.y - pad) / t.scale,
    });
    const faces = found.map((f) => ({
      ...f,
      box: {
        ...back(f.box),
        width: f.box.width / t.scale,
        height: f.box.height / t.scale,
      },
      landmarks: f.landmarks.map(back),
      five: f.five.map(back) as FivePoints,
    }));
    return { source: t.source, faces };
  }
  return undefined;
}

/** True when `width × height` has AAF's aspect (within 3%). */
function hasAafAspect(width: number, height: number): boolean {
  const aaf = AAF_IMAGE_SIZE.width / AAF_IMAGE_SIZE.height;
  return Math.abs(width / height / aaf - 1) <= 0.03;
}

/**
 * The rectangle that frames a whole image with no face found as well as it can be: for AAF's
 * aspect, the square that puts AAF's mean five points on the model's `template` (AAF's fixed
 * crop when the template is UTKFace's chips); else the centre square.
 */
export function wholeImageRect(
  width: number,
  height: number,
  template: Readonly<FivePoints>,
): { rect: CropRect; source: FaceSource } {
  if (hasAafAspect(width, height)) {
    return { rect: squareCropRect(AAF_FIVE_POINTS, width, height, template), source: "aaf-crop" };
  }
  const side = Math.min(width, height);
  return {
    rect: {
      x: (width - side) / 2 / width,
      y: (height - side) / 2 / height,
      width: side / width,
      height: side / height,
    },
    source: "whole-image",
  };
}

/** A photo with no face: a large image where no try of {@link detectWithRetries} found one. */
export interface NoFace {
  reason: "no-face";
  detail: string;
}

/**
 * The faces of a decoded (not a chip) image as the model's input, or why it has none: faces are
 * detected ({@link detectWithRetries}) and aligned to the model's template, left to right, and a
 * small image with none is used whole ({@link wholeImageRect}). `deno task predict` and the web
 * page (web/estimate.ts) both find faces here.
 */
export async function facesInImage(
  img: RgbImage,
  m: Pick<AgeModel, "size" | "template">,
  detector: FaceDetector,
): Promise<FaceCrop[] | NoFace> {
  const found = await detectWithRetries(img, detector);
  if (found) {
    const faces = [...found.faces].sort((a, b) => a.box.x - b.box.x);
    return faces.map((f, i) => ({
      crop: alignFace(img.data, img.width, img.height, f.five, m.size, m.template).crop,
      face: i,
      source: found.source,
      box: f.box,
      five: f.five,
    }));
  }
  if (Math.max(img.width, img.height) > SMALL_IMAGE_SIDE) {
    return {
      reason: "no-face",
      detail: `the detector found no face in ${img.width}×${img.height}, framed or not`,
    };
  }
  const { rect, source } = wholeImageRect(img.width, img.height, m.template);
  const crop = fixedCrop(img.data, img.width, img.height, rect, m.size);
  const box = {
    x: rect.x * img.width,
    y: rect.y * img.height,
    width: rect.width * img.width,
    height: rect.height * img.height,
  };
  return [{ crop, face: -1, source, box }];
}

/** How `deno task predict` reads images: its face-finding policy and the size limits. */
export interface ReadPolicy {
  align: AlignPolicy;
  /** Images with more pixels are skipped, from their header (default {@link MAX_IMAGE_PIXELS}). */
  maxPixels: number;
  /** Photos are decoded to at most this side for face finding (default {@link WORKING_SIDE}). */
  maxSide: number;
}

/**
 * The faces of one file as the model's input, or why it has none. The size is read from the
 * header first (an image over `maxPixels` is skipped with its size); a chip (`--align none`, or
 * `auto` with a small square image) is resized whole as it loads; a photo is decoded straight to
 * `maxSide` and searched ({@link facesInImage}).
 */
async function faceCrops(
  file: string,
  m: AgeModel,
  policy: ReadPolicy,
  detector: FaceDetector | undefined,
): Promise<FaceCrop[] | SkipRecord> {
  const skip = (f: { reason: string; detail: string }): SkipRecord => ({
    path: file,
    reason: f.reason,
    detail: f.detail,
  });
  const bytes = await readImageFile(file);
  if (!(bytes instanceof Uint8Array)) return skip(bytes);
  const header = await imageHeader(bytes, policy.maxPixels);
  if ("ok" in header) return skip(header);
  const chip = !detector || policy.align === "none" ||
    (policy.align === "auto" && looksLikeChip(header.width, header.height));
  if (chip) {
    const img = await decodeImageBytes(bytes, { size: m.size, maxPixels: policy.maxPixels });
    if (!img.ok) return skip(img);
    const box = { x: 0, y: 0, width: m.size, height: m.size };
    return [{ crop: img.data, face: -1, source: "chip", box }];
  }
  const img = await decodeImageBytes(bytes, {
    maxSide: policy.maxSide,
    maxPixels: policy.maxPixels,
  });
  if (!img.ok) return skip(img);
  const faces = await facesInImage(img, m, detector!);
  return Array.isArray(faces) ? faces : skip(faces);
}

/** Options of {@link predictFiles}. */
export interface PredictOptions {
  /** How faces are found (default "auto"). */
  align?: AlignPolicy;
  /** The face detector (default: face-api's, loaded now). */
  detector?: FaceDetector;
  /** Skip images with more pixels, read from the header (default {@link MAX_IMAGE_PIXELS}). */
  maxPixels?: number;
  /** Decode photos to at most this side for face finding (default {@link WORKING_SIDE}). */
  maxSide?: number;
  /** Progress lines. */
  log?: (line: string) => void;
}

/**
 * Predicts every face in `files`; unreadable files, images too large, large photos with no face,
 * and a file whose processing failed for any other reason are `skipped` (one bad image never stops
 * the others).
 *
 * @example
 * ```ts
 * import { listImages, loadAgeModel, predictFiles, rowsToCsv, SHIPPED_MODEL_DIR } from "./mod.ts";
 * const model = await loadAgeModel(SHIPPED_MODEL_DIR);
 * const { rows, skipped } = await predictFiles(await listImages("photos/"), model);
 * console.log(rowsToCsv(rows, skipped), `${skipped.length} files skipped`);
 * ```
 */
export async function predictFiles(
  files: readonly string[],
  m: AgeModel,
  options: PredictOptions = {},
): Promise<{ rows: AgeRow[]; skipped: SkipRecord[] }> {
  const policy: ReadPolicy = {
    align: options.align ?? "auto",
    maxPixels: options.maxPixels ?? MAX_IMAGE_PIXELS,
    maxSide: options.maxSide ?? WORKING_SIDE,
  };
  const detector = policy.align === "none"
    ? undefined
    : options.detector ?? await loadFaceDetector();
  const rows: AgeRow[] = [];
  const skipped: SkipRecord[] = [];
  const k = m.maxAge - m.minAge + 1;
  for (const [n, file] of files.entries()) {
    try {
      const faces = await faceCrops(file, m, policy, detector);
      if (!Array.isArray(faces)) {
        skipped.push(faces);
        continue;
      }
      const p = predictImages(m.model, faces.map((f) => f.crop), m.size, m);
      faces.forEach((f, i) => {
        const dist = Array.from(p.p.subarray(i * k, (i + 1) * k));
        const top = dist.map((v, j) => ({ age: m.minAge + j, p: v })).sort((a, b) => b.p - a.p)
          .slice(0, 3);
        rows.push({
          file,
          age: p.y[i],
          ageLdl: p.yLdl[i],
          ageReg: p.yReg[i],
          top,
          face: f.face,
          source: f.source,
        });
      });
    } catch (e) {
      const err = e as Error;
      const detail = `${err?.name ?? "Error"}: ${String(err?.message ?? e).split("\n")[0]}`;
      skipped.push({ path: file, reason: "failed", detail });
    } finally {
      if ((n + 1) % 100 === 0) options.log?.(`predict: ${n + 1}/${files.length} files`);
    }
  }
  return { rows, skipped };
}

/** How many files took each {@link FaceSource}, e.g. "detected 1699, detected-padded 230". */
export function sourceCounts(rows: readonly AgeRow[]): string {
  const files = new Map<FaceSource, Set<string>>();
  for (const r of rows) files.set(r.source, (files.get(r.source) ?? new Set()).add(r.file));
  return [...files].map(([source, f]) => `${source} ${f.size}`).join(", ");
}

/**
 * CSV with the header `file,age,age_ldl,age_reg,top_ages,face,skipped` (top_ages: `age:p` pairs,
 * space-separated; face: the row's {@link FaceSource}): one row per face, then one per skipped
 * file with only `file` and `skipped` (its reason and detail, e.g. "image-too-large: 12000×12000
 * pixels (144.0 megapixels), more than the limit of 40 megapixels").
 */
export function rowsToCsv(rows: readonly AgeRow[], skipped: readonly SkipRecord[] = []): string {
  const q = (s: string) => (/[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s);
  const lines = rows.map((r) =>
    [
      q(r.file),
      r.age.toFixed(2),
      r.ageLdl.toFixed(2),
      r.ageReg.toFixed(2),
      r.top.map((t) => `${t.age}:${t.p.toFixed(3)}`).join(" "),
      r.source,
      "",
    ].join(",")
  );
  for (const s of skipped) {
    const why = s.detail ? `${s.reason}: ${s.detail}` : s.reason;
    lines.push([q(s.path), "", "", "", "", "", q(why)].join(","));
  }
  return ["file,age,age_ldl,age_reg,top_ages,face,skipped", ...lines].join("\n") + "\n";
}
