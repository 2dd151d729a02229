import { assert, assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import * as tf from "@tensorflow/tfjs-core";
import { join } from "node:path";
import {
  alignFace,
  applySimilarity,
  cropMetadata,
  cropTemplateFor,
  faceApiDir,
  type FaceDetector,
  fitSimilarity,
  fivePointsFrom68,
  loadFaceDetector,
  makePreparer,
  type Point,
  TEMPLATE,
  templatePoints,
  UTKFACE_CHIP_TEMPLATE,
  warpSimilarity,
} from "../../lib/data/align.ts";
import { decodeImage } from "../../lib/data/decode.ts";
import { DataError } from "../../lib/errors.ts";
import { initBackend } from "../../lib/backend/mod.ts";
import { noFile, skipUnless } from "../helpers/skip.ts";

Deno.test("fitSimilarity: recovers a known rotation, scale and translation", () => {
  const src: Point[] = [{ x: 0, y: 0 }, { x: 10, y: 0 }, { x: 3, y: 7 }, { x: -4, y: 2 }];
  // 30°, scale 2, shift (5, −3): a = 2cos30°, b = 2sin30°.
  const m = { a: 2 * Math.cos(Math.PI / 6), b: 2 * Math.sin(Math.PI / 6), tx: 5, ty: -3 };
  const dst = src.map((p) => applySimilarity(m, p));
  const fit = fitSimilarity(src, dst);
  assertAlmostEquals(fit.a, m.a, 1e-12);
  assertAlmostEquals(fit.b, m.b, 1e-12);
  assertAlmostEquals(fit.tx, 5, 1e-12);
  assertAlmostEquals(fit.ty, -3, 1e-12);
});

Deno.test("fitSimilarity: least squares by hand, and no reflection", () => {
  // Two points (0,0),(2,0) onto (0,0),(4,0) and a mirrored pair: the best similarity of a
  // reflection is a scale-0 fit here (a = b = 0), never a mirror.
  const m = fitSimilarity([{ x: 0, y: 0 }, { x: 2, y: 0 }], [{ x: 1, y: 1 }, { x: 5, y: 1 }]);
  assertEquals([m.a, m.b, m.tx, m.ty], [2, 0, 1, 1]);
  const mirror = fitSimilarity(
    [{ x: -1, y: 0 }, { x: 1, y: 0 }, { x: 0, y: -1 }, { x: 0, y: 1 }],
    [{ x: 1, y: 0 }, { x: -1, y: 0 }, { x: 0, y: -1 }, { x: 0, y: 1 }],
  );
  assertAlmostEquals(mirror.a, 0, 1e-12);
  assertAlmostEquals(mirror.b, 0, 1e-12);
  assertThrows(() => fitSimilarity([{ x: 1, y: 1 }], [{ x: 0, y: 0 }]), DataError);
  assertThrows(
    () => fitSimilarity([{ x: 1, y: 1 }, { x: 1, y: 1 }], [{ x: 0, y: 0 }, { x: 1, y: 0 }]),
    DataError,
    "coincide",
  );
});

Deno.test("fivePointsFrom68: eye means of 36–41 / 42–47, nose 30, mouth 48 and 54", () => {
  const lm = Array.from({ length: 68 }, (_, i) => ({ x: i, y: 2 * i }));
  const five = fivePointsFrom68(lm);
  assertEquals(five, [
    { x: 38.5, y: 77 },
    { x: 44.5, y: 89 },
    { x: 30, y: 60 },
    { x: 48, y: 96 },
    { x: 54, y: 108 },
  ]);
  assertThrows(() => fivePointsFrom68(lm.slice(1)), DataError, "68");
});

Deno.test("warpSimilarity: identity and integer shifts are exact", () => {
  const w = 6, h = 5;
  const src = Uint8Array.from({ length: w * h * 3 }, (_, i) => (i * 13) % 251);
  const crop = warpSimilarity(src, w, h, { a: 1, b: 0, tx: 0, ty: 0 }, 5);
  for (let y = 0; y < 5; y++) {
    for (let x = 0; x < 5; x++) {
      for (let c = 0; c < 3; c++) assertEquals(crop[(y * 5 + x) * 3 + c], src[(y * w + x) * 3 + c]);
    }
  }
  // dst = src − (1, 2): crop pixel (x, y) is source pixel (x + 1, y + 2).
  const shifted = warpSimilarity(src, w, h, { a: 1, b: 0, tx: -1, ty: -2 }, 3);
  assertEquals(shifted[0], src[(2 * w + 1) * 3]);
  assertEquals(shifted[(2 * 3 + 2) * 3 + 1], src[(4 * w + 3) * 3 + 1]);
  // Halving: 2×2 supersampling averages each 2×2 block.
  const flat = new Uint8Array(4 * 4 * 3);
  flat.fill(100, 0, 2 * 3);
  const half = warpSimilarity(flat, 4, 4, { a: 0.5, b: 0, tx: 0, ty: 0 }, 2);
  assertEquals(half[0], 50); // (100 + 100 + 0 + 0) / 4
});

Deno.test("alignFace: the five points land on the template", () => {
  const size = 64;
  const t = templatePoints(size);
  // Points of a face twice the template size, rotated 10°, in a 200×200 image.
  const ang = Math.PI / 18;
  const five = t.map((p) => ({
    x: 40 + 2 * (Math.cos(ang) * p.x - Math.sin(ang) * p.y),
    y: 30 + 2 * (Math.sin(ang) * p.x + Math.cos(ang) * p.y),
  }));
  const { transform } = alignFace(new Uint8Array(200 * 200 * 3), 200, 200, five, size);
  five.forEach((p, i) => {
    const q = applySimilarity(transform, p);
    assertAlmostEquals(q.x, t[i].x, 1e-9);
    assertAlmostEquals(q.y, t[i].y, 1e-9);
  });
  assertEquals(TEMPLATE[1].x - TEMPLATE[0].x, 0.25);
});

Deno.test("alignFace to UTKFace's chip template; each dataset's training framing", () => {
  const size = 100;
  const t = templatePoints(size, UTKFACE_CHIP_TEMPLATE);
  assertAlmostEquals(t[0].x, 29, 1e-9); // 0.29 × 100
  assertAlmostEquals(t[0].y, 28.9, 1e-9); // 0.289 × 100
  const five = t.map((p) => ({ x: 0.5 * p.x + 10, y: 0.5 * p.y + 20 })); // half size, shifted
  const { transform } = alignFace(
    new Uint8Array(120 * 120 * 3),
    120,
    120,
    five,
    size,
    UTKFACE_CHIP_TEMPLATE,
  );
  five.forEach((p, i) => {
    const q = applySimilarity(transform, p);
    assertAlmostEquals(q.x, t[i].x, 1e-9);
    assertAlmostEquals(q.y, t[i].y, 1e-9);
  });
  assertEquals(cropTemplateFor("utkface"), UTKFACE_CHIP_TEMPLATE);
  assertEquals(cropTemplateFor("morph"), TEMPLATE);
  assertEquals(cropTemplateFor("synthetic-target"), TEMPLATE);
  assertEquals(cropMetadata("utkface").template[4], { x: 0.651, y: 0.687 });
});

const SAMPLE = join(faceApiDir(), "demo", "sample1.jpg");
const haveSample = await Deno.stat(SAMPLE).then(() => true, () => false);

/** Re-detects the face on an aligned crop (framed by grey) and measures both eyes' errors. */
async function eyeErrors(detector: FaceDetector, crop: Uint8Array, size: number) {
  const pad = size / 2, side = size + 2 * pad;
  const framed = new Uint8Array(side * side * 3).fill(128);
  for (let y = 0; y < size; y++) {
    framed.set(crop.subarray(y * size * 3, (y + 1) * size * 3), ((y + pad) * side + pad) * 3);
  }
  const again = await detector.detect(framed, side, side);
  assert(again.length >= 1, "no face re-detected on the aligned crop");
  const t = templatePoints(size);
  return [0, 1].map((k) =>
    Math.hypot(again[0].five[k].x - pad - t[k].x, again[0].five[k].y - pad - t[k].y)
  );
}

Deno.test({
  name: "face-api on a real photo: aligned eye centres land on the template (re-detected)",
  ignore: skipUnless(haveSample, noFile("face-api demo photo (node_modules/@vladmandic/face-api)")),
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const backend = await initBackend();
    const detector = await loadFaceDetector();
    // face-api shares our tfjs engine and leaves the backend choice alone.
    assertEquals(tf.getBackend(), backend);
    const img = await decodeImage(SAMPLE);
    assert(img.ok);
    const faces = await detector.detect(img.data, img.width, img.height);
    assertEquals(faces.length, 3); // the photo shows three faces
    assert(faces[0].score > 0.9);
    const size = 224;
    const { crop } = alignFace(img.data, img.width, img.height, faces[0].five, size);
    for (const e of await eyeErrors(detector, crop, size)) {
      assert(e < 4, `eye ${e.toFixed(1)} px off the template`);
    }
    // The cache's preparer finds the face on a copy scaled to ≤ 1024 px; landmarks and warp use
    // the full image (measured 1.2 and 1.3 px).
    const prepared = await makePreparer("detect", size, detector, 1024)({ path: SAMPLE, age: 30 });
    assert(prepared.ok);
    for (const e of await eyeErrors(detector, prepared.rgb, size)) {
      assert(e < 4, `eye ${e.toFixed(1)} px off the template (preparer)`);
    }
    // An image with no face: nothing detected, and the preparer skips it with "no-face".
    const blank = new Uint8Array(128 * 128 * 3).fill(90);
    assertEquals(await detector.detect(blank, 128, 128), []);
    const dir = await Deno.makeTempDir();
    try {
      const { encodeJpeg } = await import("../../lib/data/synthetic.ts");
      await Deno.writeFile(join(dir, "blank.jpg"), await encodeJpeg(blank, 128));
      const prepared = await makePreparer("detect", 64, detector)({
        path: join(dir, "blank.jpg"),
        age: 30,
      });
      assertEquals(prepared.ok ? "ok" : prepared.reason, "no-face");
      const missing = await makePreparer("detect", 64, detector)({
        path: join(dir, "none.jpg"),
        age: 30,
      });
      assertEquals(missing.ok ? "ok" : missing.reason, "missing-file");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
    detector.dispose();
  },
});

Deno.test("makePreparer: resize mode decodes and resizes; detect mode needs a detector", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const { encodeJpeg } = await import("../../lib/data/synthetic.ts");
    await Deno.writeFile(join(dir, "a.jpg"), await encodeJpeg(new Uint8Array(40 * 40 * 3), 40));
    await Deno.writeFile(join(dir, "bad.jpg"), new Uint8Array([0xff, 0xd8, 0xff, 1, 2, 3]));
    const prep = makePreparer("resize", 16);
    const ok = await prep({ path: join(dir, "a.jpg"), age: 1 });
    assert(ok.ok);
    assertEquals(ok.rgb.length, 16 * 16 * 3);
    const bad = await prep({ path: join(dir, "bad.jpg"), age: 1 });
    assertEquals(bad.ok ? "ok" : bad.reason, "corrupt-image");
    assertThrows(() => makePreparer("detect", 16), DataError, "detector");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
