import { assert, assertEquals } from "@std/assert";
import { join } from "node:path";
import { loadMegaage } from "../../lib/data/adapters/megaage.ts";
import { summarize } from "../../lib/data/skips.ts";

async function makeMegaage(root: string) {
  await Deno.mkdir(join(root, "list"));
  for (const split of ["train", "test"]) await Deno.mkdir(join(root, split));
  for (const n of ["1.jpg", "2.jpg", "3.jpg", "4.jpg"]) {
    await Deno.writeFile(join(root, "train", n), new Uint8Array([1]));
  }
  for (const n of ["1.jpg", "2.jpg", "3.jpg"]) {
    await Deno.writeFile(join(root, "test", n), new Uint8Array([1]));
  }
  // train: 1 ok, 2 duplicate of 1, 3 no integer age, 4 out of range, 5 missing, 6 ok
  await Deno.writeTextFile(
    join(root, "list/train_name.txt"),
    "1.jpg\n1.jpg\n2.jpg\n3.jpg\n9.jpg\n4.jpg\n",
  );
  await Deno.writeTextFile(join(root, "list/train_age.txt"), "12\n13\n3.5\n80\n20\n0\n");
  // test: one more name than ages
  await Deno.writeTextFile(join(root, "list/test_name.txt"), "1.jpg\n2.jpg\n3.jpg\n");
  await Deno.writeTextFile(join(root, "list/test_age.txt"), "33\n70\n");
}

Deno.test("megaage: name and age lists per split", async () => {
  const root = await Deno.makeTempDir();
  try {
    await makeMegaage(root);
    const r = await loadMegaage(root);
    assertEquals(r.samples, [
      { path: join(root, "train/1.jpg"), age: 12, split: "train" },
      { path: join(root, "train/4.jpg"), age: 0, split: "train" },
      { path: join(root, "test/1.jpg"), age: 33, split: "test" },
      { path: join(root, "test/2.jpg"), age: 70, split: "test" },
    ]);
    const report = summarize(r.dataset, r.samples.length, r.skipped);
    assertEquals(report.skipped, {
      "duplicate-row": 1,
      "no-integer-age": 1,
      "age-out-of-range": 1,
      "missing-file": 1,
      "malformed-row": 1,
    });
    assertEquals(report.examples["malformed-row"], [join(root, "list/test_name.txt:3")]);
    const test = await loadMegaage(root, { splits: "test" });
    assertEquals(test.samples.length, 2);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("megaage: missing lists are a clear error", async () => {
  const root = await Deno.makeTempDir();
  try {
    const e = await loadMegaage(root).catch((e) => e);
    assert(e.message.includes("label file not found") && e.message.includes("train_name.txt"));
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
