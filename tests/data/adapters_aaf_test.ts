import { assert, assertEquals } from "@std/assert";
import { join } from "node:path";
import sharp from "sharp";
import { loadAaf, NOT_IN_SPLIT, parseAafName } from "../../lib/data/adapters/aaf.ts";
import { checkDataset } from "../../lib/data/adapters/check.ts";
import { summarize } from "../../lib/data/skips.ts";
import { noRealData, skipUnless } from "../helpers/skip.ts";

/** A tiny 12×15 JPEG (AAF's aspect), grey level `v`. */
function tinyJpeg(v: number): Promise<Uint8Array> {
  const rgb = new Uint8Array(12 * 15 * 3).fill(v);
  return sharp(rgb, { raw: { width: 12, height: 15, channels: 3 } }).jpeg().toBuffer();
}

/**
 * An AAF folder with one case per rule: images/ and splits/{train,val}.txt.
 * train: ok, ok (odd id: warning), duplicate, no age, out of range, missing, malformed line,
 * blank line; val: ok, listed again from train (duplicate), not a JPEG name but an age (warning).
 * images/ also holds a file no list names (not-in-split).
 */
async function makeAaf(root: string): Promise<void> {
  const images = join(root, "images");
  await Deno.mkdir(images, { recursive: true });
  await Deno.mkdir(join(root, "splits"));
  const present = [
    "00002A02.jpg",
    "0042A25.jpg",
    "00010A81.jpg",
    "00011B30.jpg",
    "00001A03.jpg",
    "07400A60.png",
    "09999A40.jpg",
  ];
  for (const [i, n] of present.entries()) {
    await Deno.writeFile(join(images, n), await tinyJpeg(40 + 20 * i));
  }
  await Deno.writeTextFile(
    join(root, "splits/train.txt"),
    [
      "00002A02.jpg",
      "0042A25.jpg",
      "00002A02.jpg",
      "00011B30.jpg",
      "00010A81.jpg",
      "00012A33.jpg",
      "two names.jpg",
      "",
    ].join("\n") + "\n",
  );
  await Deno.writeTextFile(
    join(root, "splits/val.txt"),
    "00001A03.jpg\r\n0042A25.jpg\r\n07400A60.png\r\n",
  );
}

Deno.test("aaf: parseAafName reads the age after the A and flags the rest", () => {
  assertEquals(parseAafName("00001A02.jpg"), { age: 2, problems: [] });
  assertEquals(parseAafName("13321A80.jpg"), { age: 80, problems: [] });
  assertEquals(parseAafName("0042A25.jpg"), {
    age: 25,
    problems: ['face id "0042" is not 5 digits'],
  });
  assertEquals(parseAafName("00042A7.JPG"), {
    age: 7,
    problems: ['age "7" is not 2 digits', 'extension ".JPG" is not .jpg'],
  });
  for (const bad of ["00011B30.jpg", "A25.jpg", "00001A.jpg", "00001a25.jpg", "README.md"]) {
    assertEquals(parseAafName(bad).age, undefined, bad);
  }
});

Deno.test("aaf: a generated folder, every input accounted for", async () => {
  const root = await Deno.makeTempDir();
  try {
    await makeAaf(root);
    const images = join(root, "images");
    const r = await loadAaf(root);
    assertEquals(r.dataset, "aaf");
    assertEquals(r.samples, [
      { path: join(images, "00002A02.jpg"), age: 2, split: "train" },
      { path: join(images, "0042A25.jpg"), age: 25, split: "train" },
      { path: join(images, "00001A03.jpg"), age: 3, split: "val" },
      { path: join(images, "07400A60.png"), age: 60, split: "val" },
    ]);
    assertEquals(r.warnings.map((w) => [w.path.slice(images.length + 1), w.reason]), [
      ["0042A25.jpg", "malformed-name"],
      ["07400A60.png", "malformed-name"],
    ]);
    const report = summarize(r.dataset, r.samples.length, r.skipped);
    assertEquals(report.skipped, {
      "duplicate-row": 2,
      "no-integer-age": 1,
      "age-out-of-range": 1,
      "missing-file": 1,
      "malformed-row": 1,
      [NOT_IN_SPLIT]: 1,
    });
    const train = join(root, "splits/train.txt"), val = join(root, "splits/val.txt");
    assertEquals(report.examples["duplicate-row"], [`${train}:3`, `${val}:2`]);
    assertEquals(report.examples["malformed-row"], [`${train}:7`]);
    assertEquals(report.examples["missing-file"], [join(images, "00012A33.jpg")]);
    assertEquals(report.examples[NOT_IN_SPLIT], [join(images, "09999A40.jpg")]);
    // One split; the images/ folder itself; a wider age range; no file checks.
    const val2 = await loadAaf(images, { splits: "val" });
    assertEquals(val2.samples.map((s) => s.age), [3, 25, 60]);
    assertEquals(val2.skipped, []);
    const wide = await loadAaf(root, { splits: "train", maxAge: 90, checkFiles: false });
    assertEquals(wide.samples.map((s) => s.age), [2, 25, 81, 33]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("aaf: data check decodes the listed images and reports by reason", async () => {
  const root = await Deno.makeTempDir();
  try {
    await makeAaf(root);
    await Deno.writeTextFile(join(root, "images/00001A03.jpg"), "not an image");
    const { report } = await checkDataset("aaf", root, { params: { splits: "val" } });
    assertEquals(report.loaded, 2);
    assertEquals(report.skipped, { "not-an-image": 1 });
    assertEquals(report.warnings, { "malformed-name": 2 });
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("aaf: missing folder or split list is a clear error", async () => {
  const e = await loadAaf("/nonexistent/aaf").catch((e) => e);
  assert(e instanceof Error && e.message.includes("dataset folder not found: /nonexistent/aaf"));
  const root = await Deno.makeTempDir();
  try {
    await Deno.mkdir(join(root, "images"));
    const e2 = await loadAaf(root).catch((e) => e);
    assert(e2 instanceof Error && e2.message.includes("label file not found"), String(e2));
    assert(e2.message.includes(join(root, "splits/train.txt")));
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

const AAF = Deno.env.get("CEN_AAF_DIR");
Deno.test({
  name: "aaf: the real folder (CEN_AAF_DIR) matches its data card",
  ignore: skipUnless(!!AAF, noRealData("CEN_AAF_DIR")),
  async fn() {
    const r = await loadAaf(AAF!);
    assertEquals(r.samples.length, 11376);
    assertEquals(r.skipped, []);
    assertEquals(r.warnings, []);
    assertEquals(r.samples.filter((s) => s.split === "train").length, 5661);
    assertEquals(r.samples.filter((s) => s.split === "val").length, 5715);
    const hist = Array(9).fill(0);
    for (const s of r.samples) hist[Math.min(8, Math.floor(s.age / 10))]++;
    assertEquals(hist, [882, 1069, 2707, 2904, 1769, 974, 640, 386, 45]);
  },
});
