/**
 * Fixed crops for datasets that are aligned already, but framed unlike the chips our models train
 * on. All-Age-Faces' "aligned faces" (192×245) show hair, neck and background around a face that
 * sits in nearly the same place in every image, so one rectangle, measured once, cuts each of
 * them to UTKFace's chip framing (`UTKFACE_CHIP_TEMPLATE` in `align.ts`) with no detection.
 *
 * @module
 */
import type { FivePoints, Point } from "./types.ts";
import { type DecodeFailure, decodeImage } from "./decode.ts";

/** A crop rectangle as fractions of an image's width (`x`, `width`) and height (`y`, `height`). */
export interface CropRect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * Where face-api's five points (eye centres, nose tip, mouth corners) fall in AAF's aligned
 * faces, as fractions of the image's width and height: the mean over 448 of 456 images (every
 * 25th by name of the 11,376; 8 had no face even framed by black), measured by
 * `deno run -A tools/aaf_crop.ts ../shared/data/aaf/images --every 25`.
 */
export const AAF_FIVE_POINTS: Readonly<FivePoints> = Object.freeze([
  { x: 0.357, y: 0.503 },
  { x: 0.615, y: 0.498 },
  { x: 0.492, y: 0.627 },
  { x: 0.393, y: 0.725 },
  { x: 0.6, y: 0.722 },
]) as Readonly<FivePoints>;

/**
 * The size of AAF's images here (the originals, about 309×394, have the same aspect): an image of
 * this aspect is taken for an AAF face where a fixed crop is the fallback (`lib/inference.ts`).
 */
export const AAF_IMAGE_SIZE: Readonly<{ width: number; height: number }> = Object.freeze({
  width: 192,
  height: 245,
});

/**
 * AAF's fixed crop: the square (in pixels) that maps {@link AAF_FIVE_POINTS} onto UTKFace's chip
 * template by least squares (scale and shift, no rotation: AAF is aligned upright), i.e.
 * `squareCropRect(AAF_FIVE_POINTS, 192, 245, UTKFACE_CHIP_TEMPLATE)` rounded to 4 decimals (a
 * square of 132.9 px in a 192×245 image), printed by the same `tools/aaf_crop.ts` run. A fixed
 * crop cannot follow the faces AAF framed differently: of the 448 images' own crops (the square
 * that maps each one's points onto the template), 40.0% are within 5% of the side of it, 81.3%
 * within 10%, 94.4% within 20%. (The median of the own crops, x 0.1581, y 0.3631, width 0.6906,
 * would put 52.5% within 5% but 77.7% within 10% and 92.6% within 20%: a tail of AAF images
 * frame the face higher or larger than the rest.)
 */
export const AAF_CROP: Readonly<CropRect> = Object.freeze({
  x: 0.1552,
  y: 0.3475,
  width: 0.692,
  height: 0.5423,
});

/**
 * The square crop of a `width × height` image that maps `points` (fractions of width and height)
 * onto `template` (fractions of the crop's side) by the least-squares scale and shift.
 */
export function squareCropRect(
  points: readonly Point[],
  width: number,
  height: number,
  template: readonly Point[],
): CropRect {
  if (points.length !== template.length || points.length < 2) {
    throw new RangeError(`crop fit needs ≥ 2 point pairs, got ${points.length}/${template.length}`);
  }
  const n = points.length;
  const px = points.map((p) => p.x * width), py = points.map((p) => p.y * height);
  const mean = (v: readonly number[]) => v.reduce((s, a) => s + a, 0) / n;
  const [pxm, pym] = [mean(px), mean(py)];
  const [qxm, qym] = [mean(template.map((q) => q.x)), mean(template.map((q) => q.y))];
  let num = 0, den = 0;
  for (let i = 0; i < n; i++) {
    const dx = px[i] - pxm, dy = py[i] - pym;
    num += dx * (template[i].x - qxm) + dy * (template[i].y - qym);
    den += dx * dx + dy * dy;
  }
  if (!(den > 0 && num > 0)) throw new RangeError("crop fit: degenerate points");
  const side = den / num; // pixels per unit of the crop's side (1 / scale)
  return {
    x: (pxm - qxm * side) / width,
    y: (pym - qym * side) / height,
    width: side / width,
    height: side / height,
  };
}

/**
 * Cuts `rect` (fractions of the image's width and height) out of `rgb` (`width × height × 3`)
 * and resizes it to `size × size`: bilinear, with k×k supersampling along an axis that shrinks
 * (k = ⌈source pixels per output pixel⌉, at most 4); where the rectangle leaves the image the
 * edge pixels are repeated (as `warpSimilarity` does).
 */
export function fixedCrop(
  rgb: Uint8Array,
  width: number,
  height: number,
  rect: Readonly<CropRect>,
  size: number,
): Uint8Array {
  if (rgb.length !== width * height * 3) {
    throw new RangeError(`image has ${rgb.length} bytes, want ${width}×${height}×3`);
  }
  if (!(rect.width > 0 && rect.height > 0)) throw new RangeError("crop: empty rectangle");
  const x0 = rect.x * width, y0 = rect.y * height;
  const stepX = (rect.width * width) / size, stepY = (rect.height * height) / size;
  const kx = Math.min(4, Math.max(1, Math.ceil(stepX - 1e-9)));
  const ky = Math.min(4, Math.max(1, Math.ceil(stepY - 1e-9)));
  const xs = samplePositions(x0, stepX, kx, size, width);
  const ys = samplePositions(y0, stepY, ky, size, height);
  const out = new Uint8Array(size * size * 3);
  const acc = [0, 0, 0];
  for (let v = 0; v < size; v++) {
    for (let u = 0; u < size; u++) {
      acc[0] = acc[1] = acc[2] = 0;
      for (let j = 0; j < ky; j++) {
        const fy = ys[v * ky + j], yA = Math.floor(fy), wy = fy - yA;
        const yB = Math.min(height - 1, yA + 1);
        for (let i = 0; i < kx; i++) {
          const fx = xs[u * kx + i], xA = Math.floor(fx), wx = fx - xA;
          const xB = Math.min(width - 1, xA + 1);
          const o00 = (yA * width + xA) * 3, o01 = (yA * width + xB) * 3;
          const o10 = (yB * width + xA) * 3, o11 = (yB * width + xB) * 3;
          for (let c = 0; c < 3; c++) {
            const top = rgb[o00 + c] + (rgb[o01 + c] - rgb[o00 + c]) * wx;
            const bot = rgb[o10 + c] + (rgb[o11 + c] - rgb[o10 + c]) * wx;
            acc[c] += top + (bot - top) * wy;
          }
        }
      }
      const o = (v * size + u) * 3, kk = kx * ky;
      out[o] = acc[0] / kk + 0.5;
      out[o + 1] = acc[1] / kk + 0.5;
      out[o + 2] = acc[2] / kk + 0.5;
    }
  }
  return out;
}

/** A fixed crop of an image file, or why the file could not be read. */
export type CropResult = { ok: true; rgb: Uint8Array } | DecodeFailure;

/** Decodes the image file at `path` and cuts `rect` out of it at `size × size` ({@link fixedCrop}). */
export async function fixedCropFile(
  path: string,
  rect: Readonly<CropRect>,
  size: number,
): Promise<CropResult> {
  const d = await decodeImage(path);
  return d.ok ? { ok: true, rgb: fixedCrop(d.data, d.width, d.height, rect, size) } : d;
}

/**
 * The source coordinates (pixel centres at integers, clamped to 0…n−1) of the k samples of each
 * of `size` output pixels along one axis starting at `start` with `step` source pixels each.
 */
function samplePositions(
  start: number,
  step: number,
  k: number,
  size: number,
  n: number,
): Float64Array {
  const out = new Float64Array(size * k);
  for (let u = 0; u < size; u++) {
    for (let i = 0; i < k; i++) {
      const f = start + (u + (i + 0.5) / k) * step - 0.5;
      out[u * k + i] = f < 0 ? 0 : f > n - 1 ? n - 1 : f;
    }
  }
  return out;
}
