/**
 * Hostile and huge images: a pixel bomb (a 12,000 × 12,000 JPEG of one colour, under 1 MB on
 * disk), a 1 × 1 image, a 100,000 × 10 strip, a CMYK JPEG and a 16-bit PNG. Decoding reads the size
 * from the header and skips the bomb with its size before decoding a pixel; a photo is decoded
 * straight to its working size; `predictFiles` gives every other file its row, the bomb a skip
 * row in the CSV, and `deno task predict` on a folder with the bomb and a photo stays under 1 GB
 * and gives the photo's faces their ages.
 */
import { assert, assertEquals, assertMatch, assertStringIncludes } from "@std/assert";
import { join } from "node:path";
import sharp from "sharp";
import { initBackend } from "../../lib/backend/mod.ts";
import { type FaceDetector, loadFaceDetector } from "../../lib/data/align.ts";
import { decodeImage, type DecodeResult } from "../../lib/data/decode.ts";
import { WORKING_SIDE } from "../../lib/data/limits.ts";
import { loadAgeModel, predictFiles, rowsToCsv } from "../../lib/inference.ts";
import { LIMIT } from "../helpers/deadline.ts";
import { ROOT } from "../helpers/tool.ts";
import { pixelBomb, SAMPLE, testModel } from "../helpers/web.ts";

await initBackend();

/** The hostile files, written once for every test of this file. */
const DIR = await Deno.makeTempDir({ prefix: "cen-hostile-" });
const FILES = {
  bomb: await pixelBomb(DIR),
  one: join(DIR, "one.png"),
  strip: join(DIR, "strip.png"),
  cmyk: join(DIR, "cmyk.jpg"),
  png16: join(DIR, "deep.png"),
  photo: join(DIR, "photo.jpg"),
};
const colour = { r: 200, g: 100, b: 50 };
await sharp({ create: { width: 1, height: 1, channels: 3, background: colour } }).png()
  .toFile(FILES.one);
await sharp({ create: { width: 100_000, height: 10, channels: 3, background: colour } }).png()
  .toFile(FILES.strip);
await sharp(SAMPLE).toColourspace("cmyk").jpeg({ quality: 95 }).toFile(FILES.cmyk);
await sharp(SAMPLE).toColourspace("rgb16").png().toFile(FILES.png16);
await Deno.copyFile(SAMPLE, FILES.photo);

/** Removes the files once the last test is done. */
globalThis.addEventListener("unload", () => Deno.removeSync(DIR, { recursive: true }));

function ok(r: DecodeResult): { width: number; height: number; data: Uint8Array } {
  if (!r.ok) throw new Error(`expected a decoded image, got ${r.reason}: ${r.detail}`);
  return r;
}

Deno.test("hostile images: the bomb is skipped from its header with its size; the rest decode, photos to their working size", async () => {
  assertEquals((await sharp(FILES.cmyk).metadata()).space, "cmyk");
  assertEquals((await sharp(FILES.png16).metadata()).depth, "ushort");
  const t0 = performance.now();
  const bomb = await decodeImage(FILES.bomb, { maxSide: WORKING_SIDE });
  assertEquals(bomb.ok, false);
  if (bomb.ok) return;
  assertEquals(bomb.reason, "image-too-large");
  assertEquals(
    bomb.detail,
    "12000×12000 pixels (144.0 megapixels), more than the limit of 40 megapixels",
  );
  assert(performance.now() - t0 < 2000, "read from the header, not decoded");
  // Allowed (a raised limit), it is shrunk while it loads: 2,048 px, its one colour kept.
  const shrunk = ok(await decodeImage(FILES.bomb, { maxSide: WORKING_SIDE, maxPixels: 2e8 }));
  assertEquals([shrunk.width, shrunk.height], [2048, 2048]);
  for (let i = 0; i < shrunk.data.length; i += 99_999) {
    assert(Math.abs(shrunk.data[i] - [200, 180, 160][i % 3]) <= 3, `byte ${i}: ${shrunk.data[i]}`);
  }
  const one = ok(await decodeImage(FILES.one, { maxSide: WORKING_SIDE }));
  assertEquals([one.width, one.height, ...one.data], [1, 1, 200, 100, 50]);
  const strip = ok(await decodeImage(FILES.strip, { maxSide: WORKING_SIDE }));
  assertEquals([strip.width, strip.height], [2048, 1]);
  assert(Math.abs(strip.data[3000] - 200) <= 2);
  assertEquals([...ok(await decodeImage(FILES.strip)).data.subarray(0, 3)], [200, 100, 50]);
  for (const file of [FILES.cmyk, FILES.png16]) {
    const img = ok(await decodeImage(file, { maxSide: WORKING_SIDE }));
    assertEquals([img.width, img.height, img.data.length], [1920, 1280, 1920 * 1280 * 3]);
  }
});

Deno.test("hostile images: one bad image never stops a batch; the bomb is a skip row of predict's CSV", async () => {
  const { modelDir } = await testModel(DIR);
  const m = await loadAgeModel(modelDir);
  const detector = await loadFaceDetector();
  try {
    const files = Object.values(FILES);
    const { rows, skipped } = await predictFiles(files, m, { detector });
    const facesOf = (f: string) => rows.filter((r) => r.file === f).length;
    assertEquals(facesOf(FILES.photo), 3, "the photo's three faces");
    assertEquals(facesOf(FILES.cmyk), 3, "the CMYK copy's");
    assertEquals(facesOf(FILES.png16), 3, "the 16-bit copy's");
    assertEquals(rows.filter((r) => r.file === FILES.one).map((r) => r.source), ["chip"]);
    assert(rows.every((r) => Number.isFinite(r.age)));
    const bomb = skipped.find((s) => s.path === FILES.bomb);
    assertEquals(bomb?.reason, "image-too-large");
    // The strip (2,048 × 1 px once shrunk) is searched like any photo: no face, nothing failed.
    assertEquals(skipped.filter((s) => s.path !== FILES.bomb).map((s) => [s.path, s.reason]), [
      [FILES.strip, "no-face"],
    ]);
    // Every file has its rows or its skip, and only one of them.
    for (const f of files) {
      assert((facesOf(f) > 0) !== skipped.some((s) => s.path === f), `${f}: a row or a skip`);
    }
    const csv = rowsToCsv(rows, skipped).trim().split("\n");
    assertEquals(csv.length, 1 + rows.length + skipped.length);
    assertStringIncludes(
      csv.find((l) => l.startsWith(FILES.bomb))!,
      ',,,,,,"image-too-large: 12000×12000 pixels (144.0 megapixels)',
    );
  } finally {
    detector.dispose();
    m.model.dispose();
  }
});

Deno.test("hostile images: a file whose processing throws is a skip row, and the next file still gets its age", async () => {
  const { modelDir } = await testModel(DIR);
  const m = await loadAgeModel(modelDir);
  // A detector that fails as the old one did on a huge raster.
  const detector: FaceDetector = {
    detect: () => Promise.reject(new RangeError("offset is out of bounds")),
    dispose() {},
  };
  try {
    const { rows, skipped } = await predictFiles([FILES.photo, FILES.one], m, { detector });
    assertEquals(skipped, [
      { path: FILES.photo, reason: "failed", detail: "RangeError: offset is out of bounds" },
    ]);
    assertEquals(rows.map((r) => [r.file, r.source]), [[FILES.one, "chip"]]);
  } finally {
    m.model.dispose();
  }
});

/** The peak resident memory (VmHWM, bytes) of a running process, or 0 once it is gone. */
async function peakRss(pid: number): Promise<number> {
  try {
    const status = await Deno.readTextFile(`/proc/${pid}/status`);
    return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
  } catch {
    return 0;
  }
}

Deno.test("hostile images: deno task predict on a folder with a pixel bomb and a photo stays under 1 GB; the photo's faces get their ages", async () => {
  const dir = join(DIR, "batch");
  await Deno.mkdir(dir);
  await Deno.copyFile(FILES.bomb, join(dir, "bomb.jpg"));
  await Deno.copyFile(FILES.photo, join(dir, "photo.jpg"));
  const { modelDir } = await testModel(DIR);
  const out = join(DIR, "ages.csv");
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "tools/predict.ts", dir, "--run", modelDir, "--out", out],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(LIMIT.tool),
  }).spawn();
  let peak = 0, running = true;
  const watch = (async () => {
    while (running) {
      peak = Math.max(peak, await peakRss(child.pid));
      await new Promise((r) => setTimeout(r, 25));
    }
  })();
  const done = await child.output();
  running = false;
  await watch;
  const err = new TextDecoder().decode(done.stderr);
  assertEquals(done.code, 0, err);
  console.log(
    `deno task predict on a pixel bomb and a photo: peak RSS ${(peak / 2 ** 20).toFixed(0)} MiB`,
  );
  assert(peak > 0, "the child's memory was read");
  assert(peak < 2 ** 30, `peak RSS ${peak} bytes, want under 1 GiB`);
  assertMatch(err, /skipped .*bomb\.jpg: image-too-large \(12000×12000 pixels/);
  const csv = (await Deno.readTextFile(out)).trim().split("\n");
  const photo = csv.filter((l) => l.includes("photo.jpg"));
  assertEquals(photo.length, 3);
  for (const l of photo) assert(Number.isFinite(Number(l.split(",")[1])), l);
  assertEquals(
    csv.filter((l) => l.includes("bomb.jpg") && l.includes("image-too-large")).length,
    1,
  );
});
