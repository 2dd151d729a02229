/**
 * How big an image may be, shared by `deno task predict`, the dataset adapters and the web page
 * (plain TypeScript: the page bundles it). An image's size is read from its header before any
 * pixel is decoded: more than {@link MAX_IMAGE_PIXELS} is skipped with its size, and a photo whose
 * faces are searched for is decoded straight to {@link WORKING_SIDE} (shrunk while it loads), so
 * no image holds more than a bounded raster in memory.
 *
 * @module
 */

/**
 * The most pixels an image may have: 40 megapixels (a 7,300 × 5,500 photo), well below sharp's
 * own limit of 16,383². Larger images (pixel bombs: a 12,000 × 12,000 JPEG of one colour is under
 * 1 MB on disk) are skipped before decoding, with their size. Options override it
 * (`maxPixels`, `deno task predict --max-megapixels`).
 */
export const MAX_IMAGE_PIXELS = 40_000_000;

/**
 * The longest side a photo is decoded to when its faces are searched for: larger photos are
 * shrunk on load (JPEG decodes at 1/2, 1/4 or 1/8 scale directly). Boxes come from a 1,024 px
 * copy and landmarks from this image, so 2,048 px keeps a face of a tenth of the photo's width
 * over 200 px, and bounds the detector's memory (its framed retries are at most twice the side).
 */
export const WORKING_SIDE = 2048;

/** A width and a height in pixels. */
export interface Size {
  width: number;
  height: number;
}

/**
 * The size `width × height` is decoded to for face finding: unchanged when its longest side is
 * at most `maxSide`, else scaled to it (each side rounded, at least 1 px).
 */
export function workingSize(width: number, height: number, maxSide = WORKING_SIDE): Size {
  const k = Math.min(1, maxSide / Math.max(width, height));
  if (k === 1) return { width, height };
  return {
    width: Math.max(1, Math.round(width * k)),
    height: Math.max(1, Math.round(height * k)),
  };
}

/** "144.0 megapixels", "0.3 megapixels". */
function megapixels(pixels: number): string {
  return `${(pixels / 1e6).toFixed(1)} megapixels`;
}

/**
 * Why an image of `width × height` is too large to decode, e.g. "12000×12000 pixels (144.0
 * megapixels), more than the limit of 40 megapixels", or undefined when it is not.
 */
export function tooManyPixels(
  width: number,
  height: number,
  maxPixels = MAX_IMAGE_PIXELS,
): string | undefined {
  if (width * height <= maxPixels) return undefined;
  const limit = `${Number((maxPixels / 1e6).toPrecision(6))} megapixels`;
  return `${width}×${height} pixels (${
    megapixels(width * height)
  }), more than the limit of ${limit}`;
}
