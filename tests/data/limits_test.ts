/**
 * lib/data/limits.ts: the working size, the message for too many pixels, and the header reader
 * the web page checks the pixel limit by, against sharp's own reading of the same files.
 */
import { assert, assertEquals } from "@std/assert";
import sharp from "sharp";
import {
  imageSizeFromHeader,
  MAX_IMAGE_PIXELS,
  tooManyPixels,
  WORKING_SIDE,
  workingSize,
} from "../../lib/data/limits.ts";

Deno.test("workingSize: unchanged up to the side, else scaled to it (each side at least 1 px)", () => {
  assertEquals(workingSize(1920, 1280), { width: 1920, height: 1280 });
  assertEquals(workingSize(2048, 100), { width: 2048, height: 100 });
  assertEquals(workingSize(4032, 3024), { width: 2048, height: 1536 });
  assertEquals(workingSize(3024, 4032), { width: 1536, height: 2048 });
  assertEquals(workingSize(100_000, 10), { width: WORKING_SIDE, height: 1 });
  assertEquals(workingSize(12000, 12000, 1000), { width: 1000, height: 1000 });
});

Deno.test("tooManyPixels: the image's size, its megapixels and the limit; none within it", () => {
  assertEquals(
    tooManyPixels(12000, 12000),
    "12000×12000 pixels (144.0 megapixels), more than the limit of 40 megapixels",
  );
  assertEquals(tooManyPixels(7000, 5714), undefined); // 39.998 megapixels
  assertEquals(tooManyPixels(7000, 5715, MAX_IMAGE_PIXELS), tooManyPixels(7000, 5715));
  assert(tooManyPixels(7000, 5715)?.startsWith("7000×5715 pixels (40.0 megapixels)"));
  assertEquals(
    tooManyPixels(1000, 1000, 250_000),
    "1000×1000 pixels (1.0 megapixels), more than the limit of 0.25 megapixels",
  );
});

/** A 54-byte-header 24-bit BMP of `width × height` (bottom-up rows, padded to 4 bytes). */
function bmp(width: number, height: number): Uint8Array {
  const row = Math.ceil((width * 3) / 4) * 4;
  const out = new Uint8Array(54 + row * height);
  const v = new DataView(out.buffer);
  out.set([0x42, 0x4d]);
  v.setUint32(2, out.length, true);
  v.setUint32(10, 54, true);
  v.setUint32(14, 40, true);
  v.setInt32(18, width, true);
  v.setInt32(22, height, true);
  v.setUint16(26, 1, true);
  v.setUint16(28, 24, true);
  return out;
}

Deno.test("imageSizeFromHeader: PNG, JPEG (after an EXIF block), GIF, WebP (lossy, lossless, extended), BMP as sharp reads them", async () => {
  const img = (w: number, h: number, channels: 3 | 4 = 3) =>
    sharp({
      create: { width: w, height: h, channels, background: { r: 9, g: 99, b: 199, alpha: 0.5 } },
    });
  const files: [string, Uint8Array][] = [
    ["png", new Uint8Array(await img(321, 123).png().toBuffer())],
    [
      "jpeg with EXIF",
      new Uint8Array(
        await img(640, 480).withExif({ IFD0: { Copyright: "x".repeat(4000) } }).jpeg()
          .toBuffer(),
      ),
    ],
    [
      "progressive jpeg",
      new Uint8Array(await img(17, 1000).jpeg({ progressive: true }).toBuffer()),
    ],
    ["gif", new Uint8Array(await img(300, 7).gif().toBuffer())],
    ["webp lossy", new Uint8Array(await img(501, 333).webp().toBuffer())],
    ["webp lossless", new Uint8Array(await img(1001, 2).webp({ lossless: true }).toBuffer())],
    ["webp with alpha", new Uint8Array(await img(77, 55, 4).webp().toBuffer())],
  ];
  for (const [what, bytes] of files) {
    const meta = await sharp(bytes).metadata();
    assertEquals(imageSizeFromHeader(bytes), { width: meta.width, height: meta.height }, what);
  }
  assertEquals(imageSizeFromHeader(bmp(12000, 12000)), { width: 12000, height: 12000 });
  // The first kilobyte is enough: the size of a large JPEG is read without its data.
  const large = new Uint8Array(
    await sharp({
      create: { width: 16000, height: 400, channels: 3, background: { r: 1, g: 2, b: 3 } },
    }).jpeg({ quality: 30 }).toBuffer(),
  );
  assertEquals(imageSizeFromHeader(large.subarray(0, 1024)), { width: 16000, height: 400 });
  for (
    const other of [
      new Uint8Array(),
      new TextEncoder().encode("not an image"),
      large.subarray(0, 3),
    ]
  ) {
    assertEquals(imageSizeFromHeader(other), undefined);
  }
});
