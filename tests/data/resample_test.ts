/**
 * lib/data/resample.ts against sharp: the detector's copy of a large photo (Lanczos-3 down), the
 * ×2 enlargement of the upscaled detection try (bilinear), and a chip made square ("cover", the
 * web page's).
 */
import { assert, assertEquals } from "@std/assert";
import { join } from "node:path";
import sharp from "sharp";
import { faceApiDir, type RgbImage } from "../../lib/data/align.ts";
import { decodeImage } from "../../lib/data/decode.ts";
import {
  coverSquare,
  KERNELS,
  lanczos3,
  resizeRgb,
  scaleRgb,
  triangle,
} from "../../lib/data/resample.ts";

/** The face-api sample photo, decoded. */
async function photo(): Promise<RgbImage> {
  const d = await decodeImage(join(faceApiDir(), "demo", "sample1.jpg"));
  if (!d.ok) throw new Error(d.detail);
  return d;
}

/** A part of an image, cut by sharp. */
async function cut(img: RgbImage, left: number, top: number, w: number, h: number) {
  const raw = { width: img.width, height: img.height, channels: 3 as const };
  const buf = await sharp(img.data, { raw }).extract({ left, top, width: w, height: h }).raw()
    .toBuffer();
  return { data: new Uint8Array(buf), width: w, height: h };
}

/** The largest and the mean absolute difference of two byte arrays of one length. */
function diff(a: Uint8Array, b: Uint8Array): { max: number; mean: number } {
  assertEquals(a.length, b.length);
  let max = 0, sum = 0;
  for (let i = 0; i < a.length; i++) {
    const e = Math.abs(a[i] - b[i]);
    max = Math.max(max, e);
    sum += e;
  }
  return { max, mean: sum / a.length };
}

/** sharp's resize of `img` to `w × h` with `fit` and `kernel`. */
async function sharpResize(
  img: RgbImage,
  w: number,
  h: number,
  fit: "fill" | "cover",
  kernel: "lanczos3" | "linear" = "lanczos3",
): Promise<Uint8Array> {
  const raw = { width: img.width, height: img.height, channels: 3 as const };
  return new Uint8Array(
    await sharp(img.data, { raw }).resize(w, h, { fit, kernel }).raw().toBuffer(),
  );
}

Deno.test("kernels: Lanczos-3 and triangle are 1 at 0, 0 at the integers and past their support", () => {
  assertEquals([lanczos3(0), triangle(0)], [1, 1]);
  for (const x of [1, 2, -1, -2]) assert(Math.abs(lanczos3(x)) < 1e-12);
  assertEquals([lanczos3(3), lanczos3(-3.5), triangle(1), triangle(-1.5)], [0, 0, 0, 0]);
  assertEquals(triangle(0.25), 0.75);
});

Deno.test("the detector's copy of a large photo: within 2 levels of sharp, nearly all equal", async () => {
  const img = await photo();
  const k = 1024 / Math.max(img.width, img.height);
  const mine = scaleRgb(img.data, img.width, img.height, k);
  assertEquals([mine.width, mine.height], [1024, 683]);
  const d = diff(mine.data, await sharpResize(img, mine.width, mine.height, "fill"));
  assert(d.max <= 2 && d.mean < 0.05, JSON.stringify(d));
});

Deno.test("×2 bilinear enlargement (the upscaled detection try): within 1 level of sharp", async () => {
  const img = await cut(await photo(), 400, 330, 192, 245);
  const mine = resizeRgb(img, 384, 490, KERNELS.linear);
  const d = diff(mine.data, await sharpResize(img, 384, 490, "fill", "linear"));
  assert(d.max <= 1 && d.mean < 0.1, JSON.stringify(d));
});

Deno.test("a chip made square (cover): sharp's size and centre cut, within a fraction of a level", async () => {
  const img = await photo();
  for (
    const [w, h, size, mean] of [[200, 200, 96, 0.05], [210, 200, 96, 0.3], [200, 215, 64, 0.3]]
  ) {
    const part = await cut(img, 500, 100, w, h);
    const mine = coverSquare(part, size);
    assertEquals([mine.width, mine.height], [size, size]);
    const d = diff(mine.data, await sharpResize(part, size, size, "cover"));
    assert(d.mean < mean, `${w}×${h} → ${size}: ${JSON.stringify(d)}`);
  }
});
