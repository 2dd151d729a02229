/**
 * Image decoding for the data path: any image sharp can read becomes
 * 8-bit RGB, and anything that cannot be used becomes a typed skip reason instead of a crash.
 *
 * Valid but unusual images are converted: alpha is flattened onto white, grayscale, CMYK and
 * 16-bit images become 8-bit sRGB, EXIF orientation is applied, and the file extension is
 * ignored (the format is sniffed from the bytes). The size is read from the header first: an image
 * of more than 40 megapixels (lib/data/limits.ts) is skipped with its size before any pixel is
 * decoded, and a resize happens while the image loads.
 *
 * @module
 */
import sharp, { type Metadata } from "sharp";
import { MAX_IMAGE_PIXELS, type Size, tooManyPixels, workingSize } from "./limits.ts";
import { resizeRgb } from "./resample.ts";
import type { SkipRecord } from "./skips.ts";

/** Why an image could not be used. */
export type DecodeSkipReason =
  /** Nothing at the path. */
  | "missing-file"
  /** A directory (or other non-file) where an image is expected. */
  | "not-a-file"
  /** A 0-byte file. */
  | "empty-file"
  /** Bytes that are no image format sharp knows (a stray text file, say). */
  | "not-an-image"
  /** A known format whose data is broken (corrupt or truncated JPEG, bad PNG chunks, …). */
  | "corrupt-image"
  /** More pixels than {@link DecodeOptions.maxPixels} (default 40 megapixels). */
  | "image-too-large";

/** A decoded image: `width × height × 3` bytes, row-major RGB. */
export interface DecodedImage {
  ok: true;
  data: Uint8Array;
  width: number;
  height: number;
}

/** An image that could not be used, and why. */
export interface DecodeFailure {
  ok: false;
  reason: DecodeSkipReason;
  detail: string;
}

/** What {@link decodeImage} returns. */
export type DecodeResult = DecodedImage | DecodeFailure;

/** Options of {@link decodeImage}. */
export interface DecodeOptions {
  /** Resize to `size × size` (default: keep the image's own size). */
  size?: number;
  /**
   * How to make a non-square image square when `size` is set: "cover" scales and centre-crops
   * (keeps the aspect ratio; the default), "fill" stretches.
   */
  fit?: "cover" | "fill";
  /**
   * Shrink an image whose longest side is larger to this side ({@link workingSize}, Lanczos-3): up
   * to twice the side it is decoded whole and shrunk by lib/data/resample.ts, as the web page
   * shrinks it (the same pixels); beyond, it is shrunk while it loads (a JPEG decodes at 1/2, 1/4
   * or 1/8 scale), so the full raster of a huge image is never held. Ignored with `size`.
   */
  maxSide?: number;
  /**
   * Refuse images with more pixels than this, read from the header before decoding (default
   * {@link MAX_IMAGE_PIXELS}, 40 megapixels): the skip's detail gives the image's size.
   */
  maxPixels?: number;
}

function fail(reason: DecodeSkipReason, detail: string): DecodeFailure {
  return { ok: false, reason, detail };
}

/**
 * Decodes the image file at `path` to 8-bit RGB, resized to `size × size` when `size` is given
 * (or shrunk to `maxSide`). Never throws for bad input: a missing, empty, non-image, corrupt or
 * oversized file gives a {@link DecodeFailure} with a reason key.
 */
export async function decodeImage(
  path: string,
  options: DecodeOptions = {},
): Promise<DecodeResult> {
  const bytes = await readImageFile(path);
  return bytes instanceof Uint8Array ? await decodeImageBytes(bytes, options) : bytes;
}

/** The bytes of the image file at `path`, or why there are none (missing, a folder, unreadable). */
export async function readImageFile(path: string): Promise<Uint8Array | DecodeFailure> {
  try {
    const info = await Deno.stat(path);
    if (!info.isFile) {
      return fail("not-a-file", info.isDirectory ? "a directory" : "not a regular file");
    }
    return await Deno.readFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return fail("missing-file", "no such file");
    if (e instanceof Deno.errors.IsADirectory) return fail("not-a-file", "a directory");
    return fail("missing-file", `cannot read: ${(e as Error).message}`);
  }
}

/**
 * The size of an image from its header alone (EXIF orientation applied), or why it cannot be
 * used: a {@link DecodeFailure} for bytes that are no image, and "image-too-large" (with the
 * size) for more than `maxPixels` pixels.
 */
export async function imageHeader(
  bytes: Uint8Array,
  maxPixels = MAX_IMAGE_PIXELS,
): Promise<Size | DecodeFailure> {
  if (bytes.length === 0) return fail("empty-file", "0 bytes");
  let meta: Metadata;
  try {
    meta = await sharp(bytes, { limitInputPixels: false, animated: false }).metadata();
  } catch (e) {
    return classify(String((e as Error)?.message ?? e).split("\n")[0]);
  }
  const { width, height } = meta.autoOrient ?? meta;
  if (!(width > 0 && height > 0)) return fail("corrupt-image", "no size in its header");
  const tooLarge = tooManyPixels(width, height, maxPixels);
  return tooLarge ? fail("image-too-large", tooLarge) : { width, height };
}

/** Decodes image bytes already in memory; see {@link decodeImage}. */
export async function decodeImageBytes(
  bytes: Uint8Array,
  options: DecodeOptions = {},
): Promise<DecodeResult> {
  if (bytes.length === 0) return fail("empty-file", "0 bytes");
  const maxPixels = options.maxPixels ?? MAX_IMAGE_PIXELS;
  const size = options.size;
  if (size !== undefined && !(Number.isInteger(size) && size > 0)) {
    throw new RangeError(`decodeImage: size must be a positive integer, got ${size}`);
  }
  const header = await imageHeader(bytes, maxPixels);
  if ("ok" in header) return header;
  try {
    let img = sharp(bytes, {
      failOn: "error",
      limitInputPixels: maxPixels,
      autoOrient: true,
      animated: false,
    });
    img = img.flatten({ background: { r: 255, g: 255, b: 255 } }).toColourspace("srgb");
    let shrinkHere: Size | undefined;
    if (size !== undefined) img = img.resize(size, size, { fit: options.fit ?? "cover" });
    else if (options.maxSide !== undefined) {
      const to = workingSize(header.width, header.height, options.maxSide);
      if (Math.max(header.width, header.height) <= 2 * options.maxSide) {
        // Up to twice the side, decoded whole and shrunk by resample.ts as the web page does: a
        // grey level of difference moves a landmark, and the age with it.
        if (to.width !== header.width || to.height !== header.height) shrinkHere = to;
      } else {
        // Larger, shrunk while it loads (Lanczos-3; a JPEG decodes at 1/2, 1/4 or 1/8 scale,
        // leaving at least a factor of two): the full raster is never held here.
        img = img.resize(to.width, to.height, { fit: "fill", fastShrinkOnLoad: false });
      }
    }
    const { data, info } = await img.raw({ depth: "uchar" }).toBuffer({ resolveWithObject: true });
    const rgb = toRgb(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), info.channels);
    if (rgb === undefined) {
      return fail("corrupt-image", `decoded to ${info.channels} channels, cannot make RGB`);
    }
    const decoded = { data: rgb, width: info.width, height: info.height };
    if (!shrinkHere) return { ok: true, ...decoded };
    return { ok: true, ...resizeRgb(decoded, shrinkHere.width, shrinkHere.height) };
  } catch (e) {
    return classify(String((e as Error)?.message ?? e).split("\n")[0]);
  }
}

/** Expands gray or drops a leftover alpha channel so the result is always 3 channels. */
function toRgb(data: Uint8Array, channels: number): Uint8Array | undefined {
  if (channels === 3) return data;
  const n = data.length / channels;
  if (channels !== 1 && channels !== 2 && channels !== 4) return undefined;
  const out = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) {
    if (channels <= 2) {
      const g = data[i * channels];
      out[3 * i] = g;
      out[3 * i + 1] = g;
      out[3 * i + 2] = g;
    } else {
      out[3 * i] = data[4 * i];
      out[3 * i + 1] = data[4 * i + 1];
      out[3 * i + 2] = data[4 * i + 2];
    }
  }
  return out;
}

function classify(message: string): DecodeFailure {
  if (/unsupported image format/i.test(message)) return fail("not-an-image", message);
  if (/pixel limit/i.test(message)) return fail("image-too-large", message);
  return fail("corrupt-image", message);
}

/** A skip record for a failed decode (what the data report lists). */
export function decodeSkip(path: string, failure: DecodeFailure): SkipRecord {
  return { path, reason: failure.reason, detail: failure.detail };
}
