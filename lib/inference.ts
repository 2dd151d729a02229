/**
 * Age estimation for image files with a trained CEN model: faces are detected and aligned in raw
 * photos (every face of a photo gets a row), pre-aligned chips are resized, and files that cannot
 * be read or show no face are reported with a reason. Backs `deno task predict`.
 *
 * @module
 */
import type * as tfl from "@tensorflow/tfjs-layers";
import { join } from "node:path";
import sharp from "sharp";
import {
  type CropMetadata,
  type FaceDetector,
  type FivePoints,
  loadFaceDetector,
  TEMPLATE,
} from "./data/align.ts";
import { decodeImage } from "./data/decode.ts";
import { alignFacesInFile } from "./data/faces.ts";
import type { SkipRecord } from "./data/report.ts";
import { loadModel, readModelMetadata } from "./model/io.ts";
import { predictImages } from "./predict.ts";

/**
 * How faces are found: "detect" always detects and aligns; "none" resizes every image (pre-aligned
 * chips); "auto" takes a small square image (≤ 256 px) as a chip and detects faces in the rest.
 */
export type AlignPolicy = "auto" | "detect" | "none";

/** One predicted face. */
export interface AgeRow {
  file: string;
  /** ŷ (Eq. 18), ŷ_ldl (Eq. 16), ŷ_reg (Eq. 17). */
  age: number;
  ageLdl: number;
  ageReg: number;
  /** The three most probable ages with their probabilities. */
  top: { age: number; p: number }[];
  /** 0-based face number within the file (left to right), or -1 for a chip used whole. */
  face: number;
}

/** A loaded model and what it needs to know about its input and classes. */
export interface AgeModel {
  model: tfl.LayersModel;
  size: number;
  minAge: number;
  maxAge: number;
  dir: string;
  /** Where photos' five points go in a crop: the framing of the training images. */
  template: Readonly<FivePoints>;
}

/**
 * Loads a model saved by the trainer (its metadata gives the input size, the age range and the
 * crop template; a model saved without a template gets {@link TEMPLATE}).
 */
export async function loadAgeModel(dir: string): Promise<AgeModel> {
  const meta = await readModelMetadata(dir) as {
    cen?: { minAge: number; maxAge: number };
    input?: { size: number };
    crop?: CropMetadata;
  };
  if (!meta.cen || !meta.input) {
    throw new Error(`${dir}/model.json has no CEN metadata (not a model saved by this library)`);
  }
  const template = meta.crop?.template.length === 5 ? meta.crop.template : TEMPLATE;
  return { model: await loadModel(dir), size: meta.input.size, ...meta.cen, dir, template };
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

/** A chip: small and square enough to be a pre-aligned face crop. */
function looksLikeChip(width: number, height: number): boolean {
  return Math.max(width, height) <= 256 &&
    Math.abs(width - height) <= 0.1 * Math.max(width, height);
}

/** Predicts every face in `files`; unreadable files and files with no face are `skipped`. */
export async function predictFiles(
  files: readonly string[],
  m: AgeModel,
  options: { align?: AlignPolicy; detector?: FaceDetector; log?: (line: string) => void } = {},
): Promise<{ rows: AgeRow[]; skipped: SkipRecord[] }> {
  const policy = options.align ?? "auto";
  const detector = policy === "none" ? undefined : options.detector ?? await loadFaceDetector();
  const rows: AgeRow[] = [];
  const skipped: SkipRecord[] = [];
  const k = m.maxAge - m.minAge + 1;
  for (const [n, file] of files.entries()) {
    let crops: Uint8Array[] = [];
    let faceIds: number[] = [];
    // auto: a small square image is a pre-aligned chip, used whole as in training ("resize");
    // anything larger is a photo whose faces are detected and aligned.
    const meta = policy === "auto"
      ? await sharp(file).metadata().catch(() => undefined)
      : undefined;
    const chip = policy === "none" ||
      (meta?.width && meta.height && looksLikeChip(meta.width, meta.height));
    if (chip || !detector) {
      const img = await decodeImage(file, { size: m.size });
      if (!img.ok) {
        skipped.push({ path: file, reason: img.reason, detail: img.detail });
        continue;
      }
      [crops, faceIds] = [[img.data], [-1]];
    } else {
      const r = await alignFacesInFile(file, detector, m.size, { template: m.template });
      if (!r.ok) {
        skipped.push({ path: file, reason: r.reason, detail: r.detail });
        continue;
      }
      const faces = [...r.faces].sort((a, b) => a.box.x - b.box.x);
      crops = faces.map((f) => f.crop);
      faceIds = faces.map((_, i) => i);
    }
    if (crops.length === 0) {
      skipped.push({ path: file, reason: "no-face", detail: "the detector found no face" });
      continue;
    }
    const p = predictImages(m.model, crops, m.size, m);
    crops.forEach((_, i) => {
      const dist = Array.from(p.p.subarray(i * k, (i + 1) * k));
      const top = dist.map((v, j) => ({ age: m.minAge + j, p: v })).sort((a, b) => b.p - a.p).slice(
        0,
        3,
      );
      rows.push({ file, age: p.y[i], ageLdl: p.yLdl[i], ageReg: p.yReg[i], top, face: faceIds[i] });
    });
    if ((n + 1) % 100 === 0) options.log?.(`predict: ${n + 1}/${files.length} files`);
  }
  return { rows, skipped };
}

/** CSV with the header `file,age,age_ldl,age_reg,top_ages` (top_ages: `age:p` pairs, space-separated). */
export function rowsToCsv(rows: readonly AgeRow[]): string {
  const q = (s: string) => (/[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s);
  const lines = rows.map((r) =>
    [
      q(r.file),
      r.age.toFixed(2),
      r.ageLdl.toFixed(2),
      r.ageReg.toFixed(2),
      r.top.map((t) => `${t.age}:${t.p.toFixed(3)}`).join(" "),
    ].join(",")
  );
  return ["file,age,age_ldl,age_reg,top_ages", ...lines].join("\n") + "\n";
}
