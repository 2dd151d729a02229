import {
  assert,
  assertAlmostEquals,
  assertEquals,
  assertNotEquals,
  assertRejects,
} from "@std/assert";
import { join } from "node:path";
import {
  faceApiAgeOnFiles,
  faceApiAgeOnSource,
  loadFaceApiAge,
} from "../../lib/baselines/faceapi_age.ts";
import { faceApiAgeOnSplit, faceApiInputs } from "../../lib/baselines/faceapi_utkface.ts";
import { faceApiDir, loadFaceDetector } from "../../lib/data/align.ts";
import { decodeImage } from "../../lib/data/decode.ts";
import { defaultUtkfaceSplitPath, readSplitFile } from "../../lib/data/split.ts";
import type { Batch, SampleSource } from "../../lib/data/types.ts";
import { DataError } from "../../lib/errors.ts";
import { mae } from "../../lib/metrics.ts";
import { noRealData, skipUnless } from "../helpers/skip.ts";

const UTK = Deno.env.get("CEN_UTKFACE_DIR");

/** The best face of a face-api sample photo, cut out square (box side + 20%) at `size` px. */
async function sampleFace(size: number): Promise<Uint8Array> {
  const img = await decodeImage(join(faceApiDir(), "demo", "sample1.jpg"));
  if (!img.ok) throw new Error(img.detail);
  const detector = await loadFaceDetector();
  try {
    const [face] = await detector.detect(img.data, img.width, img.height);
    assert(face, "the detector finds a face in sample1.jpg");
    const side = 1.2 * Math.max(face.box.width, face.box.height);
    const cx = face.box.x + face.box.width / 2, cy = face.box.y + face.box.height / 2;
    const k = side / size;
    const out = new Uint8Array(size * size * 3);
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const sx = Math.min(img.width - 1, Math.max(0, Math.floor(cx - side / 2 + (x + 0.5) * k)));
        const sy = Math.min(img.height - 1, Math.max(0, Math.floor(cy - side / 2 + (y + 0.5) * k)));
        for (let c = 0; c < 3; c++) {
          out[(y * size + x) * 3 + c] = img.data[(sy * img.width + sx) * 3 + c];
        }
      }
    }
    return out;
  } finally {
    detector.dispose();
  }
}

/** A source of `images` (each `size`² RGB) with the given ages, in index order. */
function memorySource(images: Uint8Array[], size: number, ages: number[]): SampleSource {
  return {
    name: "memory",
    length: images.length,
    imageSize: size,
    ages: Int32Array.from(ages),
    async *batches(o): AsyncIterable<Batch> {
      for (let i = 0; i < images.length; i += o.batchSize) {
        const idx = Array.from(
          { length: Math.min(o.batchSize, images.length - i) },
          (_, k) => i + k,
        );
        const x = new Uint8Array(idx.length * size * size * 3);
        idx.forEach((j, k) => x.set(images[j], k * size * size * 3));
        yield { x, ages: Int32Array.from(idx, (j) => ages[j]), indices: Int32Array.from(idx) };
      }
    },
  };
}

Deno.test({
  name: "face-api age: a finite age for a face of a sample photo, both crops, in index order",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const size = 160;
    const face = await sampleFace(size);
    const model = await loadFaceApiAge();
    const whole = await loadFaceApiAge({ crop: "whole" });
    try {
      assertEquals([model.crop, whole.crop], ["landmarks", "whole"]);
      const age = await model.predict(face, size);
      const ageWhole = await whole.predict(face, size);
      for (const a of [age, ageWhole]) assert(Number.isFinite(a) && a >= 1 && a <= 100, `age ${a}`);
      // Deterministic; the mirrored face gets an age of its own (the net is not flip-invariant:
      // up to 7 years apart on sample1.jpg's faces), which makes the index order visible below.
      assertEquals(await model.predict(face, size), age);
      const mirrored = new Uint8Array(face.length);
      for (let y = 0; y < size; y++) {
        for (let x = 0; x < size; x++) {
          for (let c = 0; c < 3; c++) {
            mirrored[(y * size + x) * 3 + c] = face[(y * size + size - 1 - x) * 3 + c];
          }
        }
      }
      const ageMirrored = await whole.predict(mirrored, size);
      assert(Number.isFinite(ageMirrored) && ageMirrored >= 1 && ageMirrored <= 100);
      assert(ageMirrored !== ageWhole);
      // A source: predictions in index order, the first `limit` only.
      const src = memorySource([mirrored, face, mirrored], size, [30, 30, 30]);
      const pred = await faceApiAgeOnSource(src, { model: whole });
      assertEquals(Array.from(pred), [ageMirrored, ageWhole, ageMirrored].map(Math.fround));
      assertEquals((await faceApiAgeOnSource(src, { model: whole, limit: 2 })).length, 2);
      // Bad input.
      await assertRejects(() => model.predict(face, size + 1), DataError, "bytes");
      await assertRejects(() => model.predict(face, 0), DataError, "bad image size");
      await assertRejects(() => faceApiAgeOnSource(src, { model, limit: 0 }), DataError, "limit");
      await assertRejects(
        () => loadFaceApiAge({ crop: "box" as "whole" }),
        DataError,
        '"landmarks" or "whole"',
      );
      // Files: decoded at their own size; an unreadable file is NaN with its reason.
      const photo = join(faceApiDir(), "demo", "sample2.jpg");
      const r = await faceApiAgeOnFiles([photo, join(faceApiDir(), "nope.jpg")], { model });
      assert(Number.isFinite(r.ages[0]) && Number.isNaN(r.ages[1]));
      assertEquals(r.failed, [{ path: join(faceApiDir(), "nope.jpg"), reason: "missing-file" }]);
    } finally {
      model.dispose();
      whole.dispose();
    }
  },
});

Deno.test({
  name: "face-api age on 50 real UTKFace test images (CEN_UTKFACE_DIR): MAE < 10",
  ignore: skipUnless(!!UTK, noRealData("CEN_UTKFACE_DIR")),
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    // Every 31st test image, so that all ages are represented (the file is sorted by name).
    const split = await readSplitFile(defaultUtkfaceSplitPath());
    const names = split.test.filter((_, i) => i % 31 === 0).slice(0, 50);
    const dir = await Deno.stat(join(UTK!, "images")).then(() => join(UTK!, "images"), () => UTK!);
    const r = await faceApiAgeOnFiles(names.map((n) => join(dir, n)));
    assertEquals(r.failed, []);
    const ages = names.map((n) => Number(n.split("_")[0]));
    const m = mae(r.ages, ages);
    console.log(`face-api age: MAE ${m.toFixed(2)} on ${names.length} UTKFace test images`);
    assert(m < 10, `MAE ${m}`);
    // The split runner gives the same predictions for the same images.
    const s = await faceApiAgeOnSplit(UTK!, { limit: 2 });
    assertEquals(s.names, split.test.slice(0, 2));
    assertAlmostEquals(s.pred[0], r.ages[0], 1e-4);
  },
});

Deno.test("face-api's saved scores are keyed by the test images' files, the crop and the size", async () => {
  const split = await readSplitFile(defaultUtkfaceSplitPath());
  const dir = await Deno.makeTempDir();
  try {
    for (const name of split.test.slice(0, 3)) {
      await Deno.writeFile(join(dir, name), new Uint8Array(10));
    }
    const base = await faceApiInputs(dir);
    assertEquals(await faceApiInputs(dir), base);
    assertNotEquals(await faceApiInputs(dir, "whole"), base);
    assertNotEquals(await faceApiInputs(dir, "landmarks", 112), base);
    await Deno.writeFile(join(dir, split.test[1]), new Uint8Array(11)); // an image replaced
    assertNotEquals(await faceApiInputs(dir), base);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
