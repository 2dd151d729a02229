import { assert, assertEquals } from "@std/assert";
import sharp from "sharp";
import { join } from "node:path";
import { decodeImage, decodeImageBytes, type DecodeResult } from "../../lib/data/decode.ts";

const RGB = { r: 200, g: 100, b: 50 };

function solid(width: number, height: number, channels: 3 | 4 = 3) {
  const background = channels === 4 ? { r: 0, g: 0, b: 255, alpha: 0 } : RGB;
  return sharp({ create: { width, height, channels, background } });
}

function ok(r: DecodeResult): { width: number; height: number; data: Uint8Array } {
  if (!r.ok) throw new Error(`expected a decoded image, got ${r.reason}: ${r.detail}`);
  return r;
}
function reason(r: DecodeResult): string {
  return r.ok ? "ok" : r.reason;
}
/** Asserts every pixel is within `tol` of `rgb`. */
function assertSolid(data: Uint8Array, rgb: [number, number, number], tol: number) {
  assertEquals(data.length % 3, 0);
  for (let i = 0; i < data.length; i++) {
    const want = rgb[i % 3];
    if (Math.abs(data[i] - want) > tol) {
      throw new Error(`byte ${i} = ${data[i]}, want ${want} ± ${tol}`);
    }
  }
}

Deno.test("decode: a plain JPEG gives RGB bytes of its size, resize gives size × size", async () => {
  const jpg = new Uint8Array(await solid(64, 48).jpeg({ quality: 95 }).toBuffer());
  const full = ok(await decodeImageBytes(jpg));
  assertEquals([full.width, full.height, full.data.length], [64, 48, 64 * 48 * 3]);
  assertSolid(full.data, [200, 100, 50], 3);
  for (const fit of ["cover", "fill"] as const) {
    const small = ok(await decodeImageBytes(jpg, { size: 16, fit }));
    assertEquals([small.width, small.height, small.data.length], [16, 16, 16 * 16 * 3]);
  }
});

Deno.test("decode: cover keeps the centre of a non-square image, fill keeps all of it", async () => {
  // 60×20: left third red, middle green, right blue.
  const px = new Uint8Array(60 * 20 * 3);
  for (let y = 0; y < 20; y++) {
    for (let x = 0; x < 60; x++) px[(y * 60 + x) * 3 + Math.floor(x / 20)] = 255;
  }
  const png = new Uint8Array(
    await sharp(px, { raw: { width: 60, height: 20, channels: 3 } }).png().toBuffer(),
  );
  const cover = ok(await decodeImageBytes(png, { size: 10, fit: "cover" }));
  // Only the green middle square remains (the outer columns blend a little through the kernel).
  for (let y = 0; y < 10; y++) {
    assertSolid(cover.data.subarray((y * 10 + 1) * 3, (y * 10 + 9) * 3), [0, 255, 0], 2);
    assert(cover.data[y * 30] < 40 && cover.data[y * 30 + 29] < 40, `row ${y} edges`);
  }
  const fill = ok(await decodeImageBytes(png, { size: 12, fit: "fill" }));
  assertEquals(Array.from(fill.data.subarray(0, 3)), [255, 0, 0]); // left edge still red
  assertEquals(Array.from(fill.data.subarray(11 * 3, 12 * 3)), [0, 0, 255]); // right edge blue
});

Deno.test("decode: unusual but valid images become RGB and are used", async () => {
  // PNG with alpha: a fully transparent image is flattened onto white.
  const alpha = ok(await decodeImageBytes(new Uint8Array(await solid(8, 8, 4).png().toBuffer())));
  assertEquals(alpha.data.length, 8 * 8 * 3);
  assertSolid(alpha.data, [255, 255, 255], 0);
  // Grayscale PNG (one channel): gray repeated on R, G, B.
  const grayPng = await solid(8, 8).toColourspace("b-w").png().toBuffer();
  assertEquals((await sharp(grayPng).metadata()).channels, 1);
  const gray = ok(await decodeImageBytes(new Uint8Array(grayPng)));
  assertEquals(gray.data.length, 8 * 8 * 3);
  const g = gray.data[0];
  assert(g > 100 && g < 150, `gray level ${g}`);
  assertSolid(gray.data, [g, g, g], 0);
  // CMYK JPEG: converted back close to the original colour.
  const cmyk = await solid(16, 16).toColourspace("cmyk").jpeg({ quality: 95 }).toBuffer();
  assertEquals((await sharp(cmyk).metadata()).space, "cmyk");
  assertSolid(ok(await decodeImageBytes(new Uint8Array(cmyk))).data, [200, 100, 50], 30);
  // 16-bit PNG: scaled to 8 bits.
  const p16 = await solid(8, 8).toColourspace("rgb16").png().toBuffer();
  assertEquals((await sharp(p16).metadata()).depth, "ushort");
  const d16 = ok(await decodeImageBytes(new Uint8Array(p16)));
  assertEquals(d16.data.length, 8 * 8 * 3);
  assertSolid(d16.data, [200, 100, 50], 1);
});

Deno.test("decode: a huge image is decoded (shrunk on load); a pixel limit refuses it", async () => {
  const huge = new Uint8Array(await solid(6000, 4000).jpeg().toBuffer());
  const small = ok(await decodeImageBytes(huge, { size: 32 }));
  assertEquals([small.width, small.height], [32, 32]);
  assertSolid(small.data, [200, 100, 50], 3);
  assertEquals(reason(await decodeImageBytes(huge, { maxPixels: 1_000_000 })), "image-too-large");
});

Deno.test("decode: broken inputs give a skip reason, never a throw", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const jpg = new Uint8Array(await solid(64, 64).jpeg().toBuffer());
    // A PNG saved under a .jpg name is fine (the format is sniffed).
    const wrongExt = join(dir, "really-a-png.jpg");
    await Deno.writeFile(wrongExt, new Uint8Array(await solid(5, 7).png().toBuffer()));
    const w = ok(await decodeImage(wrongExt));
    assertEquals([w.width, w.height], [5, 7]);

    const cases: [string, Uint8Array | "dir" | "none", string][] = [
      ["truncated.jpg", jpg.subarray(0, Math.floor(jpg.length * 0.6)), "corrupt-image"],
      ["header-only.jpg", jpg.subarray(0, 30), "corrupt-image"],
      ["empty.jpg", new Uint8Array(0), "empty-file"],
      ["notes.jpg", new TextEncoder().encode("not an image at all\n"), "not-an-image"],
      ["a-directory.jpg", "dir", "not-a-file"],
      ["missing.jpg", "none", "missing-file"],
    ];
    // Garbled Huffman tables: bytes overwritten inside the header segments.
    const garbled = jpg.slice();
    for (let i = 200; i < 400; i++) garbled[i] = 0x55 ^ i;
    cases.push(["garbled.jpg", garbled, "corrupt-image"]);
    for (const [name, content, want] of cases) {
      const path = join(dir, name);
      if (content === "dir") await Deno.mkdir(path);
      else if (content !== "none") await Deno.writeFile(path, content);
      const r = await decodeImage(path);
      assertEquals(reason(r), want, name);
      if (!r.ok) assert(r.detail.length > 0);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("decode: a bad size option is a programming error", async () => {
  const png = new Uint8Array(await solid(4, 4).png().toBuffer());
  const e = await decodeImageBytes(png, { size: 0 }).catch((e) => e);
  assert(e instanceof RangeError);
});

Deno.test("decode: EXIF orientation is applied (a 6 = rotate 90° image comes out upright)", async () => {
  // 30×10 stored, orientation 6: displayed as 10×30.
  const jpg = await solid(30, 10).jpeg().withMetadata({ orientation: 6 }).toBuffer();
  const r = ok(await decodeImageBytes(new Uint8Array(jpg)));
  assertEquals([r.width, r.height], [10, 30]);
});

Deno.test("decode: random bytes and damaged JPEGs never throw", async () => {
  const jpg = new Uint8Array(await solid(48, 48).jpeg().toBuffer());
  let state = 12345;
  const rand = () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const reasons = new Set<string>();
  for (let k = 0; k < 30; k++) {
    // Even k: random bytes (some starting with a JPEG or PNG signature); odd k: flipped bytes.
    let bytes: Uint8Array;
    if (k % 2 === 0) {
      bytes = new Uint8Array(1 + Math.floor(rand() * 400)).map(() => Math.floor(rand() * 256));
      if (k % 4 === 0) bytes.set([0xff, 0xd8, 0xff].slice(0, bytes.length));
      if (k % 6 === 0) bytes.set([0x89, 0x50, 0x4e, 0x47].slice(0, bytes.length));
    } else {
      bytes = jpg.slice(0, Math.floor(jpg.length * (0.3 + 0.7 * rand())));
      for (let j = 0; j < 10; j++) bytes[Math.floor(rand() * bytes.length)] ^= 0xff;
    }
    const r = await decodeImageBytes(bytes); // must resolve, whatever the bytes
    reasons.add(reason(r));
    if (r.ok) assertEquals(r.data.length, r.width * r.height * 3);
  }
  assert(reasons.has("not-an-image") && reasons.has("corrupt-image"), [...reasons].join(","));
});
