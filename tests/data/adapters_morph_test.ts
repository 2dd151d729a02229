import { assert, assertEquals, assertNotEquals } from "@std/assert";
import { join } from "node:path";
import { loadMorph } from "../../lib/data/adapters/morph.ts";
import { summarize } from "../../lib/data/skips.ts";

const HEADER = "id_num,picture_num,dob,doa,race,gender,facial_hair,age,age_diff,glasses,photo";

/** 10 subjects × 3 images (ages 20 + subject + 2·picture), plus five bad rows. */
async function makeMorph(root: string): Promise<string[]> {
  const lines = [HEADER];
  await Deno.mkdir(join(root, "Album2"));
  for (let s = 0; s < 10; s++) {
    for (let p = 0; p < 3; p++) {
      const id = String(s).padStart(6, "0");
      const age = 20 + s + 2 * p;
      const photo = `Album2/${id}_${p}M${age}.JPG`;
      lines.push(`${id},${p},01/01/1970,01/01/2000,B,M,0,${age},0,0,${photo}`);
      await Deno.writeFile(join(root, photo), new Uint8Array([1]));
    }
  }
  lines.push("000011,0,x,x,B,M,0,abc,0,0,Album2/000011_0Mabc.JPG"); // line 32: no-integer-age
  lines.push("000012,0,x,x,B,M,0,12,0,0,Album2/000012_0M12.JPG"); // line 33: out of range
  lines.push("000000,0,x,x,B,M,0,20,0,0,Album2/000000_0M20.JPG"); // line 34: duplicate
  lines.push("000013,0,x,x,B,M,0,30"); // line 35: malformed
  lines.push("000014,0,x,x,B,M,0,30,0,0,Album2/000014_0M30.JPG"); // line 36: missing file
  await Deno.writeTextFile(join(root, "morph_2008_nonCommercial.csv"), lines.join("\r\n") + "\r\n");
  return lines;
}

Deno.test("morph: reads the CSV by header; bad rows skipped with reasons", async () => {
  const root = await Deno.makeTempDir();
  try {
    await makeMorph(root);
    const r = await loadMorph(root, { split: "none" });
    assertEquals(r.samples.length, 30);
    assertEquals(r.samples[4], {
      path: join(root, "Album2/000001_1M23.JPG"),
      age: 23,
      subject: "000001",
    });
    const report = summarize(r.dataset, r.samples.length, r.skipped);
    assertEquals(report.skipped, {
      "no-integer-age": 1,
      "age-out-of-range": 1,
      "duplicate-row": 1,
      "malformed-row": 1,
      "missing-file": 1,
    });
    assertEquals(report.examples["no-integer-age"], ["morph_2008_nonCommercial.csv:32"]);
    assertEquals(report.examples["malformed-row"], ["morph_2008_nonCommercial.csv:35"]);
    assertEquals(report.examples["missing-file"], [join(root, "Album2/000014_0M30.JPG")]);
    // The csv option is relative to the dataset folder (or absolute).
    await Deno.writeTextFile(join(root, "other.csv"), "x");
    const named = await loadMorph(root, { csv: "morph_2008_nonCommercial.csv", split: "none" });
    assertEquals(named.samples, r.samples);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("morph: seeded random 80/20 split by image", async () => {
  const root = await Deno.makeTempDir();
  try {
    await makeMorph(root);
    const a = await loadMorph(root, { seed: 3 });
    const b = await loadMorph(root, { seed: 3 });
    const c = await loadMorph(root, { seed: 4 });
    const splits = (r: typeof a) => r.samples.map((s) => s.split).join(",");
    assertEquals(a.samples.filter((s) => s.split === "train").length, 24); // round(0.8 × 30)
    assertEquals(a.samples.filter((s) => s.split === "test").length, 6);
    assertEquals(splits(a), splits(b));
    assertNotEquals(splits(a), splits(c));
    const half = await loadMorph(root, { seed: 3, trainFraction: 0.5 });
    assertEquals(half.samples.filter((s) => s.split === "train").length, 15);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("morph: subject-exclusive split keeps each subject on one side", async () => {
  const root = await Deno.makeTempDir();
  try {
    await makeMorph(root);
    const r = await loadMorph(root, { split: "subject", seed: 1 });
    const side = new Map<string, string>();
    for (const s of r.samples) {
      const prev = side.get(s.subject!);
      assert(prev === undefined || prev === s.split, `subject ${s.subject} on both sides`);
      side.set(s.subject!, s.split!);
    }
    assertEquals([...side.values()].filter((v) => v === "train").length, 8); // 80% of 10
    assertEquals(r.samples.filter((s) => s.split === "train").length, 24);
    const again = await loadMorph(root, { split: "subject", seed: 1 });
    assertEquals(again.samples.map((s) => s.split), r.samples.map((s) => s.split));
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("morph: a missing column, no CSV or bad options are clear errors", async () => {
  const root = await Deno.makeTempDir();
  try {
    let e = await loadMorph(root).catch((e) => e);
    assert(e.message.includes("want exactly one .csv"), e.message);
    await Deno.writeTextFile(join(root, "m.csv"), "id_num,age\n1,30\n");
    e = await loadMorph(root).catch((e) => e);
    assert(e.message.includes("no image column"), e.message);
    e = await loadMorph(root, { split: "people" as "subject" }).catch((e) => e);
    assert(e.message.includes("split must be one of random, subject, none"), e.message);
    e = await loadMorph(root, { trainFraction: 1 }).catch((e) => e);
    assert(e.message.includes("trainFraction must be in (0, 1)"), e.message);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
