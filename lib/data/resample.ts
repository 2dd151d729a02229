/**
 * Image resizing in plain TypeScript, close to sharp's (within 1–2 grey levels,
 * tests/data/resample_test.ts) and the same in Deno and in a browser, where sharp is not
 * available: separable Lanczos-3 (sharp's default kernel) and triangle (bilinear) filters on
 * 8-bit RGB. `deno task predict` and the web page resize with it wherever a resize changes which
 * faces are found or where: the copy of a large photo the box detector looks at (a box edge that
 * moves by a fraction of a pixel can round to another pixel, and the landmarks with it) and the ×2
 * enlargement of a small image. The page also makes a chip square with it ("cover"), where
 * predict's `decodeImage` lets sharp do it.
 *
 * @module
 */
import type { RgbImage } from "./types.ts";

/** The Lanczos-3 kernel: sinc(x)·sinc(x/3) on |x| < 3. */
export function lanczos3(x: number): number {
  if (x === 0) return 1;
  if (x <= -3 || x >= 3) return 0;
  const px = Math.PI * x;
  return (3 * Math.sin(px) * Math.sin(px / 3)) / (px * px);
}

/** The triangle kernel (bilinear interpolation when enlarging): 1 − |x| on |x| < 1. */
export function triangle(x: number): number {
  const a = Math.abs(x);
  return a < 1 ? 1 - a : 0;
}

/** A resampling kernel: its function and support (half-width, in input samples at scale 1). */
export interface Kernel {
  f: (x: number) => number;
  support: number;
}

/** sharp's "lanczos3" (its default) and "linear" kernels. */
export const KERNELS = {
  lanczos3: { f: lanczos3, support: 3 },
  linear: { f: triangle, support: 1 },
} as const satisfies Record<string, Kernel>;

/** For each output sample along one axis: the first input index and the normalised weights. */
interface Taps {
  first: Int32Array;
  weights: Float64Array[];
}

/**
 * The filter taps mapping `inSize` samples onto `outSize` (shrinking with pixel centres aligned:
 * output `o` samples input `(o + ½)·inSize/outSize − ½`); the kernel is stretched by the scale when
 * shrinking, and taps past the edges read the edge sample.
 */
function taps(inSize: number, outSize: number, kernel: Kernel): Taps {
  const scale = inSize / outSize;
  const stretch = Math.max(1, scale);
  const support = kernel.support * stretch;
  const first = new Int32Array(outSize);
  const weights: Float64Array[] = [];
  for (let o = 0; o < outSize; o++) {
    // Shrinking: centres aligned. Enlarging: libvips's affine sampling, output o at input
    // o·scale − ½ (measured against sharp: tests/data/resample_test.ts).
    const centre = scale < 1 ? o * scale - 0.5 : (o + 0.5) * scale - 0.5;
    const lo = Math.ceil(centre - support), hi = Math.floor(centre + support);
    const w = new Float64Array(hi - lo + 1);
    let sum = 0;
    for (let i = lo; i <= hi; i++) sum += w[i - lo] = kernel.f((i - centre) / stretch);
    for (let j = 0; j < w.length; j++) w[j] /= sum;
    first[o] = lo;
    weights.push(w);
  }
  return { first, weights };
}

/** Rounds and clamps a filtered value to a byte. */
function toByte(v: number): number {
  return v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v);
}

/** Filters the rows of an RGB image to `outWidth` columns (bytes out, as libvips does per pass). */
function resizeRows(img: RgbImage, outWidth: number, kernel: Kernel): RgbImage {
  const { data, width, height } = img;
  const t = taps(width, outWidth, kernel);
  const out = new Uint8Array(outWidth * height * 3);
  for (let y = 0; y < height; y++) {
    const row = y * width * 3;
    for (let x = 0; x < outWidth; x++) {
      const w = t.weights[x], lo = t.first[x];
      let r = 0, g = 0, b = 0;
      for (let j = 0; j < w.length; j++) {
        const i = Math.min(width - 1, Math.max(0, lo + j));
        const o = row + i * 3;
        r += w[j] * data[o];
        g += w[j] * data[o + 1];
        b += w[j] * data[o + 2];
      }
      const q = (y * outWidth + x) * 3;
      out[q] = toByte(r);
      out[q + 1] = toByte(g);
      out[q + 2] = toByte(b);
    }
  }
  return { data: out, width: outWidth, height };
}

/** Filters the columns of an RGB image to `outHeight` rows. */
function resizeColumns(img: RgbImage, outHeight: number, kernel: Kernel): RgbImage {
  const { data, width, height } = img;
  const t = taps(height, outHeight, kernel);
  const out = new Uint8Array(width * outHeight * 3);
  const acc = new Float64Array(width * 3);
  for (let y = 0; y < outHeight; y++) {
    const w = t.weights[y], lo = t.first[y];
    acc.fill(0);
    for (let j = 0; j < w.length; j++) {
      const row = Math.min(height - 1, Math.max(0, lo + j)) * width * 3;
      for (let i = 0; i < width * 3; i++) acc[i] += w[j] * data[row + i];
    }
    const base = y * width * 3;
    for (let i = 0; i < width * 3; i++) out[base + i] = toByte(acc[i]);
  }
  return { data: out, width, height: outHeight };
}

/**
 * Resizes an RGB image to `width × height` with `kernel` (default Lanczos-3), the vertical pass
 * first, as libvips does.
 */
export function resizeRgb(
  img: RgbImage,
  width: number,
  height: number,
  kernel: Kernel = KERNELS.lanczos3,
): RgbImage {
  if (img.data.length !== img.width * img.height * 3) {
    throw new RangeError(`image has ${img.data.length} bytes, want ${img.width}×${img.height}×3`);
  }
  const tall = height === img.height ? img : resizeColumns(img, height, kernel);
  return width === img.width ? tall : resizeRows(tall, width, kernel);
}

/**
 * Scales an RGB image by `k` (sizes rounded, at least 1 px; Lanczos-3): as sharp's
 * `resize(w, h, { fit: "fill" })`, within 2 grey levels.
 */
export function scaleRgb(rgb: Uint8Array, width: number, height: number, k: number): RgbImage {
  const w = Math.max(1, Math.round(width * k)), h = Math.max(1, Math.round(height * k));
  return resizeRgb({ data: rgb, width, height }, w, h);
}

/**
 * `size × size` from an RGB image as sharp's `resize(size, size, { fit: "cover" })` makes it:
 * scaled so that the shorter side is `size`, then the centre cut out.
 */
export function coverSquare(img: RgbImage, size: number): RgbImage {
  const f = Math.min(img.width, img.height) / size;
  const w = Math.max(size, Math.round(img.width / f));
  const h = Math.max(size, Math.round(img.height / f));
  const scaled = resizeRgb(img, w, h);
  const left = Math.floor((w - size + 1) / 2), top = Math.floor((h - size + 1) / 2);
  const out = new Uint8Array(size * size * 3);
  for (let y = 0; y < size; y++) {
    const from = ((top + y) * w + left) * 3;
    out.set(scaled.data.subarray(from, from + size * 3), y * size * 3);
  }
  return { data: out, width: size, height: size };
}

/** {@link scaleRgb} as the detector's `Downscale` (`DetectOptions.downscale`, align.ts). */
export function downscaleRgb(
  rgb: Uint8Array,
  width: number,
  height: number,
  k: number,
): Promise<RgbImage> {
  return Promise.resolve(scaleRgb(rgb, width, height, k));
}
