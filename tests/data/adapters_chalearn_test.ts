import { assert, assertEquals } from "@std/assert";
import { join } from "node:path";
import { loadChalearn } from "../../lib/data/adapters/chalearn.ts";
import { summarize } from "../../lib/data/skips.ts";

async function touch(path: string) {
  await Deno.writeFile(path, new Uint8Array([1]));
}

async function makeChalearn(root: string) {
  await Deno.mkdir(join(root, "train"));
  await Deno.mkdir(join(root, "valid"));
  for (const n of ["image_1.jpg", "image_2.jpg", "image_3.jpg", "image_4.jpg"]) {
    await touch(join(root, "train", n));
  }
  for (const n of ["image_5.jpg", "image_6.jpg"]) await touch(join(root, "valid", n));
  await Deno.writeTextFile(
    join(root, "train.csv"),
    [
      "image,mean,std",
      "image_1.jpg,25.5,3.2", // age 26 (halves round up)
      "image_2.jpg,25.49,0", // age 25
      '"image_3.jpg",40,4.75', // quoted name
      "image_1.jpg,30,1", // duplicate
      "image_4.jpg,abc,1", // no age
      "image_8.jpg,30,-1", // bad std
      "image_9.jpg,30,2", // missing file
      "image_4.jpg,30", // malformed
      "",
    ].join("\n"),
  );
  // Validation: semicolons, no header.
  await Deno.writeTextFile(join(root, "valid.csv"), "image_5.jpg;7.2;1.1\nimage_6.jpg;101;3\n");
}

Deno.test("chalearn: train and validation CSVs with mean and std", async () => {
  const root = await Deno.makeTempDir();
  try {
    await makeChalearn(root);
    const r = await loadChalearn(root);
    assertEquals(r.samples, [
      { path: join(root, "train/image_1.jpg"), age: 26, mean: 25.5, std: 3.2, split: "train" },
      { path: join(root, "train/image_2.jpg"), age: 25, mean: 25.49, std: 0, split: "train" },
      { path: join(root, "train/image_3.jpg"), age: 40, mean: 40, std: 4.75, split: "train" },
      { path: join(root, "valid/image_5.jpg"), age: 7, mean: 7.2, std: 1.1, split: "val" },
    ]);
    const report = summarize(r.dataset, r.samples.length, r.skipped);
    assertEquals(report.skipped, {
      "duplicate-row": 1,
      "no-integer-age": 1,
      "malformed-row": 2,
      "missing-file": 1,
      "age-out-of-range": 1,
    });
    assertEquals(report.examples["duplicate-row"], ["train.csv:5"]);
    assertEquals(report.examples["malformed-row"], ["train.csv:7", "train.csv:9"]);
    const onlyVal = await loadChalearn(root, { splits: "val", maxAge: 110 });
    assertEquals(onlyVal.samples.map((s) => s.age), [7, 101]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("chalearn: a missing CSV is a clear error; paths are options", async () => {
  const root = await Deno.makeTempDir();
  try {
    await makeChalearn(root);
    const e = await loadChalearn(root, { splits: "test" }).catch((e) => e);
    assert(e.message.includes("label file not found") && e.message.includes("test.csv"));
    await Deno.rename(join(root, "valid.csv"), join(root, "Validation.csv"));
    const r = await loadChalearn(root, { splits: "val", valCsv: "Validation.csv" });
    assertEquals(r.samples.length, 1);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
