import { assert, assertAlmostEquals, assertEquals, assertMatch } from "@std/assert";
import { join } from "node:path";
import sharp from "sharp";
import { initBackend } from "../lib/backend/mod.ts";
import {
  cropMetadata,
  faceApiDir,
  loadFaceDetector,
  TEMPLATE,
  UTKFACE_CHIP_TEMPLATE,
} from "../lib/data/align.ts";
import { AAF_CROP } from "../lib/data/crops.ts";
import {
  listImages,
  loadAgeModel,
  predictFiles,
  rowsToCsv,
  sourceCounts,
  wholeImageRect,
} from "../lib/inference.ts";
import { saveModel } from "../lib/model/io.ts";
import { createCenModel } from "../lib/model/resnet.ts";
import { LIMIT } from "./helpers/deadline.ts";

await initBackend();

async function fixture() {
  const dir = await Deno.makeTempDir();
  const modelDir = join(dir, "model");
  const model = createCenModel({ backbone: "resnet10-tiny", inputSize: 32, numAges: 62, seed: 1 });
  await saveModel(model, modelDir, { cen: { minAge: 16, maxAge: 77 }, input: { size: 32 } });
  model.dispose();
  const images = join(dir, "images");
  await Deno.mkdir(join(images, "sub"), { recursive: true });
  const rgb = new Uint8Array(40 * 40 * 3).map((_, i) => (i * 7) % 256);
  await sharp(rgb, { raw: { width: 40, height: 40, channels: 3 } }).png().toFile(
    join(images, "a.png"),
  );
  await sharp(rgb, { raw: { width: 40, height: 40, channels: 3 } }).jpeg().toFile(
    join(images, "sub/b.jpg"),
  );
  await Deno.writeFile(join(images, "broken.jpg"), new Uint8Array([0xff, 0xd8, 0xff, 0x00, 1, 2]));
  await Deno.writeTextFile(join(images, "notes.txt"), "not an image");
  await Deno.symlink(join(images, "a.png"), join(images, "sub", "link.png"));
  return { dir, modelDir, images };
}

Deno.test("the crop template comes from the model's metadata (the default template without one)", async () => {
  const { dir, modelDir } = await fixture();
  assertEquals((await loadAgeModel(modelDir)).template, TEMPLATE);
  const model = createCenModel({ backbone: "resnet10-tiny", inputSize: 32, numAges: 62, seed: 1 });
  const utk = join(dir, "utk-model");
  await saveModel(model, utk, {
    cen: { minAge: 16, maxAge: 77 },
    input: { size: 32 },
    crop: cropMetadata("utkface"),
  });
  model.dispose();
  const m = await loadAgeModel(utk);
  assertEquals(m.template, UTKFACE_CHIP_TEMPLATE);
  m.model.dispose();
});

Deno.test("CSV: header, one row per face, top ages as age:p pairs, quoted paths, skipped files", () => {
  const csv = rowsToCsv([
    {
      file: "x,y.jpg",
      age: 30.456,
      ageLdl: 31,
      ageReg: 29.9,
      top: [{ age: 31, p: 0.2 }, { age: 30, p: 0.1 }],
      face: 0,
      source: "detected-padded",
    },
  ], [{ path: "big.jpg", reason: "image-too-large", detail: "1×2 pixels, more than 1" }]);
  assertEquals(
    csv,
    "file,age,age_ldl,age_reg,top_ages,face,skipped\n" +
      '"x,y.jpg",30.46,31.00,29.90,31:0.200 30:0.100,detected-padded,\n' +
      'big.jpg,,,,,,"image-too-large: 1×2 pixels, more than 1"\n',
  );
});

Deno.test("chips without detection: every readable image predicted, broken ones skipped with a reason", async () => {
  const { modelDir, images } = await fixture();
  const m = await loadAgeModel(modelDir);
  const files = await listImages(images);
  assertEquals(files.map((f) => f.slice(images.length + 1)), [
    "a.png",
    "broken.jpg",
    "sub/b.jpg",
    "sub/link.png",
  ]);
  const { rows, skipped } = await predictFiles(files, m, { align: "none" });
  assertEquals(rows.map((r) => r.file.split("/").pop()), ["a.png", "b.jpg", "link.png"]);
  for (const r of rows) {
    assert(
      r.age >= 16 - 61 && r.ageLdl >= 16 && r.ageLdl <= 77,
      `ŷ_ldl ${r.ageLdl} within the classes`,
    );
    assertEquals(r.top.length, 3);
    assert(r.top[0].p >= r.top[1].p);
  }
  assertEquals(skipped.map((s) => [s.path.split("/").pop(), s.reason]), [[
    "broken.jpg",
    "corrupt-image",
  ]]);
});

Deno.test("raw photo with several faces: one row per face, left to right; a large photo with no face is reported", async () => {
  const { dir, modelDir } = await fixture();
  const m = await loadAgeModel(modelDir);
  const detector = await loadFaceDetector();
  const photo = join(faceApiDir(), "demo", "sample1.jpg");
  const blank = join(dir, "blank.png");
  const grey = new Uint8Array(600 * 600 * 3).fill(128);
  await sharp(grey, { raw: { width: 600, height: 600, channels: 3 } }).png().toFile(blank);
  const { rows, skipped } = await predictFiles([photo, blank], m, { align: "detect", detector });
  detector.dispose();
  assert(rows.length >= 2, `found ${rows.length} faces`);
  assertEquals(rows.map((r) => r.face), rows.map((_, i) => i));
  assert(rows.every((r) => r.source === "detected"));
  assertEquals(skipped.map((s) => [s.path, s.reason]), [[blank, "no-face"]]);
});

/**
 * Small images of one face (from face-api's sample1.jpg, the face whose box is 838, 421,
 * 186×228) that the detector does not find as they are: cut to the box (found once framed), and
 * cut tighter still (never found): the latter as a square and at AAF's aspect.
 */
async function tightFaces(dir: string): Promise<Record<string, string>> {
  const photo = join(faceApiDir(), "demo", "sample1.jpg");
  const cuts: Record<string, { shrink: number; width: number; height: number }> = {
    box: { shrink: 0, width: 96, height: 96 },
    tighter: { shrink: 0.2, width: 96, height: 96 },
    "tighter-aaf": { shrink: 0.2, width: 96, height: 122 },
  };
  const out: Record<string, string> = {};
  for (const [name, c] of Object.entries(cuts)) {
    out[name] = join(dir, `${name}.png`);
    await sharp(photo)
      .extract({
        left: Math.round(838 + c.shrink * 186),
        top: Math.round(421 + c.shrink * 228),
        width: Math.round(186 * (1 - 2 * c.shrink)),
        height: Math.round(228 * (1 - 2 * c.shrink)),
      })
      .resize(c.width, c.height, { fit: "fill" })
      .png()
      .toFile(out[name]);
  }
  return out;
}

Deno.test("a small image of one face always gets an age: framed and retried, else used whole; the CSV names the path", async () => {
  const { dir, modelDir, images } = await fixture();
  const m = await loadAgeModel(modelDir);
  const detector = await loadFaceDetector();
  const faces = await tightFaces(dir);
  const files = [faces.box, faces.tighter, faces["tighter-aaf"], join(images, "a.png")];
  const { rows, skipped } = await predictFiles(files, m, { align: "detect", detector });
  detector.dispose();
  assertEquals(skipped, []);
  assertEquals(rows.map((r) => [r.file, r.source, r.face]), [
    [faces.box, "detected-padded", 0],
    [faces.tighter, "whole-image", -1],
    [faces["tighter-aaf"], "aaf-crop", -1],
    [join(images, "a.png"), "whole-image", -1],
  ]);
  assert(rows.every((r) => Number.isFinite(r.age)));
  assertEquals(sourceCounts(rows), "detected-padded 1, whole-image 2, aaf-crop 1");
  const csv = rowsToCsv(rows).trim().split("\n");
  assertEquals(csv.map((l) => l.split(",").at(-2)), [
    "face",
    "detected-padded",
    "whole-image",
    "aaf-crop",
    "whole-image",
  ]);
});

Deno.test("wholeImageRect: AAF's aspect gets AAF's crop onto the model's template, others the centre square", () => {
  const aaf = wholeImageRect(192, 245, UTKFACE_CHIP_TEMPLATE);
  assertEquals(aaf.source, "aaf-crop");
  for (const k of ["x", "y", "width", "height"] as const) {
    assertAlmostEquals(aaf.rect[k], AAF_CROP[k], 5e-5, k);
  }
  // The default template is wider than UTKFace's chips: a larger square, still on the face.
  const wide = wholeImageRect(309, 394, TEMPLATE).rect;
  assert(wide.width > AAF_CROP.width && wide.x < AAF_CROP.x, JSON.stringify(wide));
  assertEquals(wholeImageRect(100, 50, TEMPLATE), {
    rect: { x: 0.25, y: 0, width: 0.5, height: 1 },
    source: "whole-image",
  });
});

Deno.test("deno task predict writes the CSV and reports skipped files", async () => {
  const { dir, modelDir, images } = await fixture();
  const out = join(dir, "ages.csv");
  const r = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "tools/predict.ts",
      images,
      "--run",
      modelDir,
      "--out",
      out,
      "--align",
      "none",
    ],
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(LIMIT.tool), // a stuck child fails the test
  }).output();
  const err = new TextDecoder().decode(r.stderr);
  assertEquals(r.code, 0, err);
  const csv = await Deno.readTextFile(out);
  assertEquals(csv.split("\n")[0], "file,age,age_ldl,age_reg,top_ages,face,skipped");
  assertEquals(csv.trim().split("\n").length, 5);
  assertMatch(csv, /broken\.jpg,,,,,,corrupt-image: /);
  assertMatch(err, /skipped .*broken\.jpg: corrupt-image/);
  const bad = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "tools/predict.ts"],
    stderr: "piped",
    signal: AbortSignal.timeout(LIMIT.tool),
  }).output();
  assertEquals(bad.code, 2);
});

Deno.test("auto: a small square image is a chip used whole, a large photo is searched for faces", async () => {
  const { modelDir, images } = await fixture();
  const m = await loadAgeModel(modelDir);
  const photo = join(faceApiDir(), "demo", "sample1.jpg");
  const { rows, skipped } = await predictFiles([join(images, "a.png"), photo], m, {
    align: "auto",
  });
  assertEquals(skipped, []);
  assertEquals([rows[0].face, rows[0].source], [-1, "chip"], "the chip is used whole");
  assert(rows.slice(1).length >= 2 && rows.slice(1).every((r) => r.file === photo && r.face >= 0));
});
