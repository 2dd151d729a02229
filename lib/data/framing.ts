/**
 * Faces of two datasets at the same framing, to show side by side (01-preprocessing): All-Age-Faces
 * images after their fixed crop ({@link AAF_CROP}) beside UTKFace chips of the same ages.
 *
 * @module
 */
import { loadAaf } from "./adapters/aaf.ts";
import { loadUtkface } from "./adapters/utkface.ts";
import type { FivePoints } from "./align.ts";
import { AAF_CROP, AAF_FIVE_POINTS, fixedCrop } from "./crops.ts";
import { decodeImage } from "./decode.ts";
import { nearestAgeSamples, samplesByAge } from "./pick.ts";
import type { AgeSample } from "./types.ts";

/** A row of `size × size` faces and a caption for each. */
export interface FaceRow {
  images: Uint8Array[];
  captions: string[];
}

/** One AAF image as given, with its fixed crop and the mean five points in pixels. */
export interface CropExample {
  rgb: Uint8Array;
  width: number;
  height: number;
  box: { x: number; y: number; width: number; height: number };
  five: FivePoints;
}

/** What {@link aafBesideUtkface} returns. */
export interface FramingComparison {
  /** AAF val images spread over ages, after the fixed crop. */
  aaf: FaceRow;
  /** For each, the UTKFace chip nearest in age, resized. */
  utkface: FaceRow;
  /** The first AAF image uncropped, to draw the crop on. */
  example: CropExample;
}

/** `size × size` crops of `samples` made by `cut` from each decoded image; captions name ages. */
async function row(
  samples: readonly AgeSample[],
  label: string,
  cut: (path: string) => Promise<Uint8Array | undefined>,
): Promise<FaceRow> {
  const out: FaceRow = { images: [], captions: [] };
  for (const s of samples) {
    const img = await cut(s.path);
    if (!img) continue;
    out.images.push(img);
    out.captions.push(`${label} ${s.age}`);
  }
  return out;
}

/**
 * `n` AAF images of the val list (`aafDir`: the folder with `images/` and `splits/`) spread over
 * ages, cut by the fixed crop at `size` px, beside the UTKFace chips (`utkDir`) nearest in age at
 * the same size; unreadable images are left out.
 */
export async function aafBesideUtkface(
  aafDir: string,
  utkDir: string,
  n: number,
  size: number,
): Promise<FramingComparison> {
  const picked = samplesByAge((await loadAaf(aafDir, { splits: "val" })).samples, n);
  const chips = nearestAgeSamples(
    (await loadUtkface(utkDir)).samples,
    picked.map((s) => s.age),
  );
  const aaf = await row(picked, "AAF", async (path) => {
    const d = await decodeImage(path);
    return d.ok ? fixedCrop(d.data, d.width, d.height, AAF_CROP, size) : undefined;
  });
  const utkface = await row(chips, "UTKFace", async (path) => {
    const d = await decodeImage(path, { size });
    return d.ok ? d.data : undefined;
  });
  return { aaf, utkface, example: await cropExample(picked[picked.length >> 1].path) };
}

/** An AAF image with the fixed crop and the mean five points in its pixels. */
export async function cropExample(path: string): Promise<CropExample> {
  const d = await decodeImage(path);
  if (!d.ok) throw new Error(`${path}: ${d.reason} (${d.detail})`);
  const { width, height } = d;
  return {
    rgb: d.data,
    width,
    height,
    box: {
      x: AAF_CROP.x * width,
      y: AAF_CROP.y * height,
      width: AAF_CROP.width * width,
      height: AAF_CROP.height * height,
    },
    five: AAF_FIVE_POINTS.map((p) => ({ x: p.x * width, y: p.y * height })) as FivePoints,
  };
}
