import { assert, assertEquals, assertRejects, assertThrows } from "@std/assert";
import { join } from "node:path";
import { openDataset, stratifiedSplit } from "../../lib/data/open.ts";
import { encodeJpeg, planSynthetic, renderFace } from "../../lib/data/synthetic.ts";
import type { Batch, SampleSource } from "../../lib/data/types.ts";
import { DataError } from "../../lib/errors.ts";
import { noRealData, skipUnless } from "../helpers/skip.ts";

async function first(src: SampleSource, seed = 0): Promise<Batch> {
  for await (
    const b of src.batches({ batchSize: 8, shuffle: true, augment: true, seed, epoch: 0 })
  ) return b;
  throw new Error("no batch");
}

Deno.test("openDataset: synthetic-target is generated, cached, split 80/20 and reused", async () => {
  const root = await Deno.makeTempDir();
  try {
    const data = { dataset: "synthetic-target", params: { count: 60, seed: 2 }, augment: true };
    const lines: string[] = [];
    const a = await openDataset(data, {
      imageSize: 32,
      cacheRoot: root,
      log: (l) => lines.push(l),
    });
    assertEquals([a.train.length, a.test.length], [48, 12]);
    assertEquals(a.train.imageSize, 32);
    assertEquals(a.report, { dataset: "synthetic-target", loaded: 60, skipped: {}, examples: {} });
    assert(a.train.ages.every((x) => x >= 16 && x <= 77));
    assert(lines.some((l) => l.includes("generating synthetic-target")));
    const again: string[] = [];
    const b = await openDataset(data, {
      imageSize: 32,
      cacheRoot: root,
      log: (l) => again.push(l),
    });
    assert(!again.some((l) => l.includes("generating") || l.includes("images, 0 skipped")));
    assertEquals(Array.from(b.train.ages), Array.from(a.train.ages));
    const [x, y] = [await first(a.train), await first(b.train)];
    assertEquals(Array.from(x.indices), Array.from(y.indices));
    assert(x.x.every((v, i) => v === y.x[i]));
    // The subject-exclusive option goes to the Morph adapter (its own tests check the sides).
    const s = await openDataset({ ...data, params: { ...data.params, split: "subject" } }, {
      imageSize: 32,
      cacheRoot: root,
    });
    assertEquals(s.train.length + s.test.length, 60);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("openDataset: synthetic-pretrain gets a stratified 90/10 split", async () => {
  const root = await Deno.makeTempDir();
  try {
    const d = await openDataset(
      { dataset: "synthetic-pretrain", params: { count: 50 }, augment: true },
      { imageSize: 24, cacheRoot: root },
    );
    assertEquals([d.train.length, d.test.length], [45, 5]);
    assert(d.train.ages.every((x) => x >= 0 && x <= 100));
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("openDataset: utkface from CEN_UTKFACE_DIR, broken files reported", async () => {
  const root = await Deno.makeTempDir();
  const folder = await Deno.makeTempDir();
  try {
    const recs = planSynthetic({ preset: "synthetic-target", count: 20, seed: 5 });
    for (const r of recs) {
      await Deno.writeFile(join(folder, r.file), await encodeJpeg(renderFace(r.spec, 40), 40));
    }
    await Deno.writeFile(join(folder, "33_0_0_20170101000000000.jpg.chip.jpg"), new Uint8Array());
    await Deno.writeFile(join(folder, "notes.txt"), new TextEncoder().encode("hello"));
    const d = await openDataset({ dataset: "utkface", params: { seed: 1 }, augment: false }, {
      imageSize: 32,
      cacheRoot: root,
      env: { CEN_UTKFACE_DIR: folder },
    });
    assertEquals(d.report.loaded, 20);
    assertEquals(d.report.skipped, { "empty-file": 1, "no-integer-age": 1 });
    assertEquals(d.train.length + d.test.length, 20);
    assertEquals(d.test.length, 4);
  } finally {
    await Deno.remove(root, { recursive: true });
    await Deno.remove(folder, { recursive: true });
  }
});

Deno.test("openDataset: clear errors for unknown, unconfigured and empty datasets", async () => {
  const root = await Deno.makeTempDir();
  const empty = await Deno.makeTempDir();
  try {
    const open = (dataset: string, env: Record<string, string> = {}, params = {}) =>
      openDataset({ dataset, params, augment: false }, { imageSize: 32, cacheRoot: root, env });
    await assertRejects(() => open("nope"), DataError, 'unknown dataset "nope"');
    await assertRejects(() => open("morph"), DataError, "set CEN_MORPH_DIR");
    await assertRejects(() => open("chalearn"), DataError, "CEN_CHALEARN_DIR");
    await assertRejects(() => open("megaage"), DataError, "CEN_MEGAAGE_DIR");
    await assertRejects(() => open("imdb-wiki"), DataError, "CEN_IMDB_WIKI_DIR");
    await assertRejects(
      () => open("utkface", { CEN_UTKFACE_DIR: empty }),
      DataError,
      "is empty",
    );
    await assertRejects(
      () => open("synthetic-target", {}, { colour: 1 }),
      DataError,
      'unknown data.params key "colour"',
    );
    await assertRejects(
      () =>
        openDataset({ dataset: "synthetic-target", params: {}, augment: false }, {
          imageSize: 8,
        }),
      DataError,
      "imageSize",
    );
  } finally {
    await Deno.remove(root, { recursive: true });
    await Deno.remove(empty, { recursive: true });
  }
});

Deno.test("stratifiedSplit: each age keeps the test fraction; seeded", () => {
  const ages = [1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 4, 4, 4, 4, 4];
  const test = stratifiedSplit(ages, 0.2, 7);
  assertEquals(test.filter(Boolean).length, 4);
  for (const a of [1, 2, 3, 4]) {
    assertEquals(test.filter((t, i) => t && ages[i] === a).length, 1, `age ${a}`);
  }
  assertEquals(stratifiedSplit(ages, 0.2, 7), test);
  assertThrows(() => stratifiedSplit(ages, 1, 0), DataError, "testFraction");
});

const UTK = Deno.env.get("CEN_UTKFACE_DIR");

Deno.test({
  name: "openDataset: the real UTKFace folder, every image accounted for",
  ignore: skipUnless(!!UTK, noRealData("CEN_UTKFACE_DIR")),
  async fn() {
    const root = await Deno.makeTempDir();
    try {
      const d = await openDataset({ dataset: "utkface", params: {}, augment: true }, {
        imageSize: 32,
        cacheRoot: root,
        env: { CEN_UTKFACE_DIR: UTK! },
      });
      let files = 0;
      const dir = await Deno.stat(join(UTK!, "images")).then(
        () => join(UTK!, "images"),
        () => UTK!,
      );
      for await (const _ of Deno.readDir(dir)) files++;
      const skipped = Object.values(d.report.skipped).reduce((a, b) => a + b, 0);
      assertEquals(d.report.loaded + skipped, files);
      assertEquals(d.train.length + d.test.length, d.report.loaded);
      const ratio = d.test.length / d.report.loaded;
      assert(Math.abs(ratio - 0.2) < 0.01, `test share ${ratio}`);
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  },
});

Deno.test({
  name: "openDataset: a Morph-layout folder of real photos goes through detection and alignment",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const { faceApiDir } = await import("../../lib/data/align.ts");
    const demo = join(faceApiDir(), "demo");
    const root = await Deno.makeTempDir();
    const folder = await Deno.makeTempDir();
    try {
      const rows = ["photo,id_num,age"];
      for (const i of [1, 2, 3, 4, 5]) {
        await Deno.copyFile(join(demo, `sample${i}.jpg`), join(folder, `p${i}.jpg`));
        rows.push(`p${i}.jpg,S${i},${20 + i}`);
      }
      const blank = await encodeJpeg(new Uint8Array(96 * 96 * 3).fill(200), 96);
      await Deno.writeFile(join(folder, "blank.jpg"), blank);
      rows.push("blank.jpg,S9,40");
      await Deno.writeTextFile(join(folder, "morph.csv"), rows.join("\n") + "\n");
      const d = await openDataset(
        { dataset: "morph", params: { trainFraction: 0.5 }, augment: true },
        { imageSize: 64, cacheRoot: root, env: { CEN_MORPH_DIR: folder } },
      );
      assertEquals(d.report.loaded, 5);
      assertEquals(d.report.skipped, { "no-face": 1 });
      assertEquals(d.train.length + d.test.length, 5);
      assertEquals(d.train.imageSize, 64);
    } finally {
      await Deno.remove(root, { recursive: true });
      await Deno.remove(folder, { recursive: true });
    }
  },
});

Deno.test("openDataset: the synthetic set is generated anew for another count, seed or size", async () => {
  const root = await Deno.makeTempDir();
  try {
    const generated = async (params: Record<string, number>, imageSize = 32) => {
      const lines: string[] = [];
      await openDataset({ dataset: "synthetic-target", params, augment: true }, {
        imageSize,
        cacheRoot: root,
        log: (l) => lines.push(l),
      });
      return lines.some((l) => l.includes("generating synthetic-target"));
    };
    assertEquals(await generated({ count: 40, seed: 1 }), true);
    assertEquals(await generated({ count: 40, seed: 1 }), false, "the same set is reused");
    assertEquals(await generated({ count: 40, seed: 2 }), true, "another seed");
    assertEquals(await generated({ count: 50, seed: 1 }), true, "another count");
    assertEquals(await generated({ count: 40, seed: 1 }, 48), true, "another size");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("openDataset: data.params.validation carves a validation part from the training images", async () => {
  const root = await Deno.makeTempDir();
  const opts = { imageSize: 32, cacheRoot: root };
  const base = await openDataset(
    { dataset: "synthetic-target", params: { count: 100, seed: 1 }, augment: false },
    opts,
  );
  const held = await openDataset(
    {
      dataset: "synthetic-target",
      params: { count: 100, seed: 1, validation: 0.25 },
      augment: false,
    },
    opts,
  );
  assertEquals(held.test.name, "synthetic-target/validation");
  // train' + validation = the training images; the test images are not used
  assertEquals(held.train.length + held.test.length, base.train.length);
  assert(Math.abs(held.test.length - 0.25 * base.train.length) <= 6, `${held.test.length}`);
  // disjoint, both drawn from the training images, none from the test images
  const paths = (x: SampleSource) => new Set(x.paths ?? []);
  const [tr, val, baseTrain, baseTest] = [held.train, held.test, base.train, base.test].map(paths);
  assertEquals(val.size, held.test.length);
  for (const p of val) assert(!tr.has(p) && baseTrain.has(p) && !baseTest.has(p), p);
  for (const p of tr) assert(baseTrain.has(p), p);
  assert(held.test.fingerprint !== base.test.fingerprint);
  await assertRejects(
    () =>
      openDataset(
        {
          dataset: "synthetic-target",
          params: { count: 100, seed: 1, validation: 0.9 },
          augment: false,
        },
        opts,
      ),
    DataError,
    "data.params.validation must be a fraction in (0, 0.5]",
  );
});
