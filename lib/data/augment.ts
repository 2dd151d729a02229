/**
 * The training augmentation of SPEC.md (Data and protocols): random resized crop (scale 0.8–1.0
 * of the area, aspect ratio 0.8–1.25, log-uniform) back to the full side with bilinear
 * resampling, and horizontal flip with p = 0.5, on square uint8 RGB images, seeded.
 *
 * @module
 */
import { DataError } from "../errors.ts";
import type { Rng } from "../rng.ts";

/** The crop window (pixels, in the source image) and whether to flip. */
export interface AugmentParams {
  x: number;
  y: number;
  w: number;
  h: number;
  flip: boolean;
}

/** Ranges of the random resized crop and the flip probability. */
export interface AugmentRanges {
  scale: [number, number];
  ratio: [number, number];
  flipP: number;
}

/** SPEC.md's ranges. */
export const DEFAULT_RANGES: Readonly<AugmentRanges> = Object.freeze({
  scale: [0.8, 1.0] as [number, number],
  ratio: [0.8, 1.25] as [number, number],
  flipP: 0.5,
});

/**
 * Draws crop and flip parameters for a `size × size` image: area fraction uniform in `scale`,
 * aspect ratio w/h log-uniform in `ratio`; a window that does not fit is redrawn (torchvision's
 * rule, up to 10 tries, then the whole image). Always draws the same number of values per try.
 */
export function sampleAugment(
  rng: Rng,
  size: number,
  ranges: AugmentRanges = DEFAULT_RANGES,
): AugmentParams {
  const [s0, s1] = ranges.scale;
  const [r0, r1] = ranges.ratio;
  let crop: AugmentParams | undefined;
  for (let attempt = 0; attempt < 10 && !crop; attempt++) {
    const area = size * size * (s0 + (s1 - s0) * rng.next());
    const ratio = Math.exp(Math.log(r0) + (Math.log(r1) - Math.log(r0)) * rng.next());
    const w = Math.sqrt(area * ratio), h = Math.sqrt(area / ratio);
    const ux = rng.next(), uy = rng.next();
    if (w <= size && h <= size) {
      crop = { x: ux * (size - w), y: uy * (size - h), w, h, flip: false };
    }
  }
  crop ??= { x: 0, y: 0, w: size, h: size, flip: false };
  crop.flip = rng.next() < ranges.flipP;
  return crop;
}

/**
 * Resamples the window `p` of `src` (`size × size × 3`) to `outSize × outSize` with bilinear
 * interpolation (pixel centres; edge pixels clamped), mirrored when `p.flip`. Writes into `dst`
 * (allocated when omitted) and returns it.
 */
export function applyAugment(
  src: Uint8Array,
  size: number,
  p: AugmentParams,
  outSize = size,
  dst: Uint8Array = new Uint8Array(outSize * outSize * 3),
): Uint8Array {
  if (src.length !== size * size * 3) {
    throw new DataError(`image has ${src.length} bytes, want ${size}×${size}×3`);
  }
  if (dst.length !== outSize * outSize * 3) {
    throw new DataError(`output has ${dst.length} bytes, want ${outSize}×${outSize}×3`);
  }
  const sx = p.w / outSize, sy = p.h / outSize;
  const max = size - 1;
  // Precompute the horizontal taps once per image.
  const x0s = new Int32Array(outSize), x1s = new Int32Array(outSize);
  const fxs = new Float32Array(outSize);
  for (let ox = 0; ox < outSize; ox++) {
    const col = p.flip ? outSize - 1 - ox : ox;
    let fx = p.x + (col + 0.5) * sx - 0.5;
    fx = fx < 0 ? 0 : fx > max ? max : fx;
    const x0 = Math.floor(fx);
    x0s[ox] = x0 * 3;
    x1s[ox] = Math.min(max, x0 + 1) * 3;
    fxs[ox] = fx - x0;
  }
  for (let oy = 0; oy < outSize; oy++) {
    let fy = p.y + (oy + 0.5) * sy - 0.5;
    fy = fy < 0 ? 0 : fy > max ? max : fy;
    const y0 = Math.floor(fy);
    const wy = fy - y0;
    const r0 = y0 * size * 3, r1 = Math.min(max, y0 + 1) * size * 3;
    let o = oy * outSize * 3;
    for (let ox = 0; ox < outSize; ox++) {
      const a = x0s[ox], b = x1s[ox], wx = fxs[ox];
      for (let c = 0; c < 3; c++) {
        const top = src[r0 + a + c] + (src[r0 + b + c] - src[r0 + a + c]) * wx;
        const bot = src[r1 + a + c] + (src[r1 + b + c] - src[r1 + a + c]) * wx;
        dst[o++] = top + (bot - top) * wy + 0.5;
      }
    }
  }
  return dst;
}
