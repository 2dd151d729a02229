import {
  assert,
  assertAlmostEquals,
  assertEquals,
  assertNotEquals,
  assertThrows,
} from "@std/assert";
import { join } from "node:path";
import sharp from "sharp";
import {
  alignSettings,
  cropMetadata,
  cropTemplateFor,
  makePreparer,
  TEMPLATE,
  UTKFACE_CHIP_TEMPLATE,
} from "../../lib/data/align.ts";
import {
  AAF_CROP,
  AAF_FIVE_POINTS,
  AAF_IMAGE_SIZE,
  type CropRect,
  fixedCrop,
  fixedCropFile,
  squareCropRect,
} from "../../lib/data/crops.ts";

/** A black `width × height` RGB image with white pixels at `marks`. */
function marked(width: number, height: number, marks: [number, number][]): Uint8Array {
  const rgb = new Uint8Array(width * height * 3);
  for (const [x, y] of marks) rgb.fill(255, (y * width + x) * 3, (y * width + x) * 3 + 3);
  return rgb;
}

/** The (x, y) of the brightest pixel of a `size × size` RGB image (red channel). */
function brightest(rgb: Uint8Array, size: number): [number, number] {
  let best = -1, at = 0;
  for (let i = 0; i < size * size; i++) {
    if (rgb[i * 3] > best) [best, at] = [rgb[i * 3], i];
  }
  return [at % size, Math.floor(at / size)];
}

Deno.test("fixedCrop: a marked pixel lands where the rectangle puts it (no scaling: exact)", () => {
  // A 40×50 image; rect x 0.25 (10 px), y 0.2 (10 px), 0.5 × 0.4 of it = a 20×20 px square.
  const rgb = marked(40, 50, [[17, 23]]);
  const rect = { x: 0.25, y: 0.2, width: 0.5, height: 0.4 };
  const out = fixedCrop(rgb, 40, 50, rect, 20);
  assertEquals(brightest(out, 20), [7, 13]);
  assertEquals(Array.from(out.subarray((13 * 20 + 7) * 3, (13 * 20 + 7) * 3 + 3)), [255, 255, 255]);
  assertEquals(out.reduce((s, v) => s + v, 0), 3 * 255, "nothing else lit");
});

Deno.test("fixedCrop: shrinking averages each output pixel's source block", () => {
  // 2×2 source pixels per output pixel: a lit 2×2 block at (18, 24) → output (4, 7) fully lit.
  const rgb = marked(40, 50, [[18, 24], [19, 24], [18, 25], [19, 25]]);
  const out = fixedCrop(rgb, 40, 50, { x: 0.25, y: 0.2, width: 0.5, height: 0.4 }, 10);
  assertEquals(brightest(out, 10), [4, 7]);
  assertEquals(out[(7 * 10 + 4) * 3], 255);
  // One lit pixel of the block: a quarter of the light.
  const one = fixedCrop(marked(40, 50, [[18, 24]]), 40, 50, {
    x: 0.25,
    y: 0.2,
    width: 0.5,
    height: 0.4,
  }, 10);
  assertEquals(one[(7 * 10 + 4) * 3], 64);
});

Deno.test("fixedCrop: where the rectangle leaves the image, the edge pixels are repeated", () => {
  // Column 0 lit; the rect starts 20 px left of the image: output columns 0–20 repeat column 0.
  const rgb = marked(40, 50, Array.from({ length: 50 }, (_, y) => [0, y] as [number, number]));
  const out = fixedCrop(rgb, 40, 50, { x: -0.5, y: 0, width: 1, height: 0.8 }, 40);
  for (const u of [0, 5, 19]) assertEquals(out[(10 * 40 + u) * 3], 255, `column ${u}`);
  assertEquals(out[(10 * 40 + 25) * 3], 0);
  assertThrows(() => fixedCrop(rgb, 40, 49, AAF_CROP, 8), RangeError, "bytes");
  assertThrows(() => fixedCrop(rgb, 40, 50, { ...AAF_CROP, width: 0 }, 8), RangeError, "empty");
});

Deno.test("squareCropRect: recovers the square that puts the points on the template", () => {
  // Points = the template scaled to a 60 px square at (30, 70) of a 120×200 image.
  const [W, H] = [120, 200];
  const points = UTKFACE_CHIP_TEMPLATE.map((p) => ({
    x: (30 + 60 * p.x) / W,
    y: (70 + 60 * p.y) / H,
  }));
  const r = squareCropRect(points, W, H, UTKFACE_CHIP_TEMPLATE);
  const want: CropRect = { x: 30 / W, y: 70 / H, width: 60 / W, height: 60 / H };
  for (const k of ["x", "y", "width", "height"] as const) assertAlmostEquals(r[k], want[k], 1e-12);
  // Cropping an image with a mark on each point puts the marks on the template.
  const marks = points.map((p) => [Math.round(p.x * W - 0.5), Math.round(p.y * H - 0.5)]) as [
    number,
    number,
  ][];
  for (const [i, m] of marks.entries()) {
    const out = fixedCrop(marked(W, H, [m]), W, H, r, 60);
    const [u, v] = brightest(out, 60);
    assert(Math.abs(u + 0.5 - 60 * UTKFACE_CHIP_TEMPLATE[i].x) <= 1, `point ${i}: x ${u}`);
    assert(Math.abs(v + 0.5 - 60 * UTKFACE_CHIP_TEMPLATE[i].y) <= 1, `point ${i}: y ${v}`);
  }
});

Deno.test("AAF_CROP is the fit of AAF_FIVE_POINTS onto UTKFace's chips, a square inside the image", () => {
  const { width: W, height: H } = AAF_IMAGE_SIZE;
  const fit = squareCropRect(AAF_FIVE_POINTS, W, H, UTKFACE_CHIP_TEMPLATE);
  for (const k of ["x", "y", "width", "height"] as const) {
    assertAlmostEquals(AAF_CROP[k], fit[k], 5e-5, k);
  }
  assertAlmostEquals(AAF_CROP.width * W, AAF_CROP.height * H, 0.05, "square in pixels");
  assert(AAF_CROP.x >= 0 && AAF_CROP.y >= 0);
  assert(AAF_CROP.x + AAF_CROP.width <= 1 && AAF_CROP.y + AAF_CROP.height <= 1);
});

Deno.test("aaf-crop: its rectangle keys the cache; the preparer cuts it; AAF models record the chip template", async () => {
  const settings = alignSettings("aaf-crop");
  assertEquals(settings.rect, `${AAF_CROP.x},${AAF_CROP.y},${AAF_CROP.width},${AAF_CROP.height}`);
  assertNotEquals(settings, alignSettings("resize"));
  const dir = await Deno.makeTempDir();
  try {
    const [W, H] = [48, 61];
    const rgb = new Uint8Array(W * H * 3).map((_, i) => (i * 13) % 251);
    const path = join(dir, "00001A30.png");
    await sharp(rgb, { raw: { width: W, height: H, channels: 3 } }).png().toFile(path);
    const prepared = await makePreparer("aaf-crop", 16)({ path, age: 30 });
    assert(prepared.ok);
    assertEquals(prepared.rgb, fixedCrop(rgb, W, H, AAF_CROP, 16));
    const file = await fixedCropFile(path, AAF_CROP, 16);
    assert(file.ok);
    assertEquals(file.rgb, prepared.rgb);
    const missing = await fixedCropFile(join(dir, "none.jpg"), AAF_CROP, 16);
    assertEquals(missing.ok ? "ok" : missing.reason, "missing-file");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  for (const d of ["aaf", "utkface+aaf", "real-pretrain", "utkface"]) {
    assertEquals(cropTemplateFor(d), UTKFACE_CHIP_TEMPLATE, d);
  }
  assertEquals(cropTemplateFor("megaage"), TEMPLATE);
  assertEquals(cropMetadata("aaf").template[0], { x: 0.29, y: 0.289 });
});
