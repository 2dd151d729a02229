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

/** Big-endian 16-bit value at `i`. */
function be16(b: Uint8Array, i: number): number {
  return (b[i] << 8) | b[i + 1];
}

/** Little-endian 16-bit value at `i`. */
function le16(b: Uint8Array, i: number): number {
  return b[i] | (b[i + 1] << 8);
}

/** Little-endian 24-bit value at `i`. */
function le24(b: Uint8Array, i: number): number {
  return b[i] | (b[i + 1] << 8) | (b[i + 2] << 16);
}

/** Big-endian 32-bit value at `i` (unsigned). */
function be32(b: Uint8Array, i: number): number {
  return ((b[i] << 24) >>> 0) + ((b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3]);
}

/** Little-endian 32-bit value at `i` (signed). */
function le32(b: Uint8Array, i: number): number {
  return b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24);
}

/** True when `b` starts with the ASCII text `s` at `at`. */
function ascii(b: Uint8Array, at: number, s: string): boolean {
  for (let i = 0; i < s.length; i++) if (b[at + i] !== s.charCodeAt(i)) return false;
  return true;
}

/** The size in a JPEG's first frame header (SOFn), scanning markers from the start. */
function jpegSize(b: Uint8Array): Size | undefined {
  let i = 2;
  while (i + 9 < b.length) {
    if (b[i] !== 0xff) return undefined;
    const m = b[i + 1];
    if (m === 0xff) { // fill byte
      i++;
      continue;
    }
    if (m === 0xd8 || m === 0x01 || (m >= 0xd0 && m <= 0xd7)) { // no length
      i += 2;
      continue;
    }
    const sof = m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc;
    if (sof) return { width: be16(b, i + 7), height: be16(b, i + 5) };
    i += 2 + be16(b, i + 2);
  }
  return undefined;
}

/**
 * An image's width and height from the first bytes of its file (PNG, JPEG, GIF, WebP, BMP), without
 * decoding it — what a browser, which has no sharp, checks {@link MAX_IMAGE_PIXELS} by. Undefined
 * for another format or a header it cannot read. EXIF orientation is not applied (it does not
 * change the pixel count).
 */
export function imageSizeFromHeader(b: Uint8Array): Size | undefined {
  if (b.length >= 24 && b[0] === 0x89 && ascii(b, 1, "PNG") && ascii(b, 12, "IHDR")) {
    return { width: be32(b, 16), height: be32(b, 20) };
  }
  if (b.length >= 4 && b[0] === 0xff && b[1] === 0xd8) return jpegSize(b);
  if (b.length >= 10 && (ascii(b, 0, "GIF87a") || ascii(b, 0, "GIF89a"))) {
    return { width: le16(b, 6), height: le16(b, 8) };
  }
  if (b.length >= 26 && ascii(b, 0, "BM")) {
    return { width: Math.abs(le32(b, 18)), height: Math.abs(le32(b, 22)) };
  }
  if (b.length >= 30 && ascii(b, 0, "RIFF") && ascii(b, 8, "WEBP")) {
    if (ascii(b, 12, "VP8 ")) {
      return { width: le16(b, 26) & 0x3fff, height: le16(b, 28) & 0x3fff };
    }
    if (ascii(b, 12, "VP8L")) {
      const [b0, b1, b2, b3] = [b[21], b[22], b[23], b[24]];
      return {
        width: 1 + (((b1 & 0x3f) << 8) | b0),
        height: 1 + (((b3 & 0xf) << 10) | (b2 << 2) | ((b1 & 0xc0) >> 6)),
      };
    }
    if (ascii(b, 12, "VP8X")) return { width: 1 + le24(b, 24), height: 1 + le24(b, 27) };
  }
  return undefined;
}
