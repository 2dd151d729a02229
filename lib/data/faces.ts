/**
 * Every face in a photograph, detected and aligned: decode → SSD + 68 landmarks → five points →
 * similarity warp to the template (`align.ts`). Used to show alignment on real photos and by
 * `deno task predict` on raw photographs.
 *
 * @module
 */
import { alignFace, type FaceDetector, type FivePoints } from "./align.ts";
import { type DecodeFailure, decodeImage } from "./decode.ts";

/** One aligned face of a photo. */
export interface AlignedFace {
  /** `size × size × 3` RGB crop on the template. */
  crop: Uint8Array;
  score: number;
  box: { x: number; y: number; width: number; height: number };
  five: FivePoints;
}

/** A photo's faces, or why the photo could not be read. */
export type PhotoFaces =
  | { ok: true; width: number; height: number; rgb: Uint8Array; faces: AlignedFace[] }
  | DecodeFailure;

/** Detects and aligns every face of the image file at `path` into `size × size` crops. */
export async function alignFacesInFile(
  path: string,
  detector: FaceDetector,
  size: number,
  options: { maxSide?: number; template?: Readonly<FivePoints> } = {},
): Promise<PhotoFaces> {
  const img = await decodeImage(path);
  if (!img.ok) return img;
  const found = await detector.detect(img.data, img.width, img.height, {
    maxSide: options.maxSide ?? 1024,
  });
  const faces = found.map((f) => ({
    crop: alignFace(img.data, img.width, img.height, f.five, size, options.template).crop,
    score: f.score,
    box: f.box,
    five: f.five,
  }));
  return { ok: true, width: img.width, height: img.height, rgb: img.data, faces };
}
