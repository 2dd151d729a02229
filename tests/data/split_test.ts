import { assert, assertEquals, assertRejects, assertThrows } from "@std/assert";
import { join } from "node:path";
import { loadDataset } from "../../lib/data/adapters/index.ts";
import { openDataset } from "../../lib/data/open.ts";
import {
  ageDecade,
  defaultUtkfaceSplitPath,
  makeDecadeSplit,
  matchSplit,
  readSplitFile,
  type SplitFile,
  writeSplitFile,
} from "../../lib/data/split.ts";
import { encodeJpeg, planSynthetic, renderFace } from "../../lib/data/synthetic.ts";
import { DataError } from "../../lib/errors.ts";
import { noRealData, skipUnless } from "../helpers/skip.ts";

const UTK = Deno.env.get("CEN_UTKFACE_DIR");

/** A UTKFace-style name; the timestamp keeps names with the same age apart. */
const utkName = (age: number, k = 0) =>
  `${age}_0_0_2017010100000${String(k).padStart(4, "0")}.jpg.chip.jpg`;

Deno.test("ageDecade: 0–9 → 0, …, 90 and older → 9", () => {
  assertEquals([0, 9, 10, 19, 45, 89, 90, 99, 110, 116].map(ageDecade), [
    0,
    0,
    1,
    1,
    4,
    8,
    9,
    9,
    9,
    9,
  ]);
});

Deno.test("makeDecadeSplit: 20% of each decade, independent of input order, seeded", () => {
  // 10 faces aged 0–9 and 5 aged 20–24: 2 and 1 test images (the phase can move one).
  const ages = [...Array.from({ length: 10 }, (_, i) => i), 20, 21, 22, 23, 24];
  const names = ages.map((a) => utkName(a));
  const s = makeDecadeSplit("toy", names, ages, 3);
  assertEquals(s.rule, "80/20 stratified by age decade");
  assertEquals(s.train!.length + s.test.length, 15);
  assertEquals(s.test.length, 3);
  const decades = s.test.map((n) => ageDecade(Number(n.split("_")[0])));
  assertEquals(decades.filter((d) => d === 0).length, 2);
  assertEquals(decades.filter((d) => d === 2).length, 1);
  // Sorted output; the same split from a shuffled input; another seed differs somewhere.
  assertEquals(s.test, [...s.test].sort());
  const rev = makeDecadeSplit("toy", [...names].reverse(), [...ages].reverse(), 3);
  assertEquals(rev, s);
  const others = [0, 1, 2, 4, 5].map((seed) => makeDecadeSplit("toy", names, ages, seed).test);
  assert(others.some((t) => t.join() !== s.test.join()), "every seed gave the same split");
  assertEquals(makeDecadeSplit("toy", names, ages, 3, 0.4).rule, "60/40 stratified by age decade");
  assertThrows(() => makeDecadeSplit("toy", ["a", "a"], [1, 1], 0), DataError, "twice");
  assertThrows(() => makeDecadeSplit("toy", ["a"], [1, 2], 0), DataError, "1 names but 2 ages");
  assertThrows(() => makeDecadeSplit("toy", names, ages, 0, 1), DataError, "testFraction");
});

Deno.test("readSplitFile: round trip and clear errors", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const s: SplitFile = { dataset: "toy", seed: 1, rule: "r", train: ["a.jpg"], test: ["b.jpg"] };
    await writeSplitFile(join(dir, "s.json"), s);
    assertEquals(await readSplitFile(join(dir, "s.json")), s);
    await assertRejects(() => readSplitFile(join(dir, "none.json")), DataError, "is missing");
    const bad = async (text: string, msg: string) => {
      await Deno.writeTextFile(join(dir, "bad.json"), text);
      await assertRejects(() => readSplitFile(join(dir, "bad.json")), DataError, msg);
    };
    await bad("{", "is not JSON");
    await bad('{"train": ["a"]}', '"test" must be a list');
    await bad('{"test": ["a"], "train": [3]}', '"train" must be a list');
    await bad('{"test": ["a"], "train": ["a"]}', '"a" is listed twice');
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("matchSplit: sides by file name, missing names, names present but skipped", () => {
  const s: SplitFile = { dataset: "t", seed: 0, rule: "", train: ["a", "b"], test: ["c", "d"] };
  const m = matchSplit(s, ["/x/a", "/x/c", "/x/e"], ["/x/d"]);
  assertEquals(m.side, ["train", "test", "none"]);
  assertEquals(m.missing, ["b"]);
  assertEquals(m.found, 3);
  // Without a train list every image not in test is a training image.
  const t = matchSplit({ ...s, train: undefined }, ["/x/a", "/x/e", "/x/c"]);
  assertEquals(t.side, ["train", "train", "test"]);
  assertEquals(t.missing, ["d"]);
});

/** A UTKFace-style folder of 15 small faces aged 1–15 (each age once, so ages name images). */
async function makeFolder(): Promise<{ dir: string; names: string[] }> {
  const dir = await Deno.makeTempDir();
  const specs = planSynthetic({ preset: "synthetic-target", count: 15, seed: 9 });
  const names: string[] = [];
  for (let i = 0; i < 15; i++) {
    names.push(utkName(i + 1, i));
    await Deno.writeFile(join(dir, names[i]), await encodeJpeg(renderFace(specs[i].spec, 24), 24));
  }
  return { dir, names };
}

Deno.test("openDataset(utkface): a split file is respected; extra images reported", async () => {
  const root = await Deno.makeTempDir();
  const { dir, names } = await makeFolder();
  try {
    const file = join(root, "split.json");
    // Test: ages 2, 5, 11; train: all but 2, 5, 11 and 14 (14 is in no list).
    const test = [names[1], names[4], names[10]];
    const train = names.filter((n) => !test.includes(n) && n !== names[13]);
    await writeSplitFile(file, { dataset: "toy", seed: 0, rule: "by hand", train, test });
    const lines: string[] = [];
    const d = await openDataset(
      { dataset: "utkface", params: { splitFile: file, seed: 4 }, augment: false },
      { imageSize: 16, cacheRoot: root, env: { CEN_UTKFACE_DIR: dir }, log: (l) => lines.push(l) },
    );
    // In file-name order ("11_…" < "2_…" < "5_…"), the order of a split file's sorted lists.
    assertEquals(Array.from(d.test.ages), [11, 2, 5]);
    assertEquals(d.train.length, 11);
    assert(!Array.from(d.train.ages).some((a) => [2, 5, 11, 14].includes(a)));
    assertEquals(d.report.skipped, { "not-in-split": 1 });
    assertEquals(d.report.examples["not-in-split"], [join(dir, names[13])]);
    assert(lines.some((l) => l.includes("split from") && l.includes("seed ignored")), lines.join());
    // A test-only file: every other image is a training image.
    await writeSplitFile(file, { dataset: "toy", seed: 0, rule: "by hand", test });
    const t = await openDataset(
      { dataset: "utkface", params: { splitFile: file }, augment: false },
      { imageSize: 16, cacheRoot: root, env: { CEN_UTKFACE_DIR: dir } },
    );
    assertEquals([t.train.length, t.test.length], [12, 3]);
    assertEquals(t.report.skipped, {});
    // split = "seeded" ignores the file: the seeded 80/20 split of 15 images.
    const s = await openDataset(
      { dataset: "utkface", params: { splitFile: file, split: "seeded" }, augment: false },
      { imageSize: 16, cacheRoot: root, env: { CEN_UTKFACE_DIR: dir } },
    );
    assertEquals([s.train.length, s.test.length], [12, 3]);
    assertEquals(s.report.skipped, {});
  } finally {
    await Deno.remove(root, { recursive: true });
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("openDataset(utkface): a split file that does not match the folder", async () => {
  const root = await Deno.makeTempDir();
  const { dir, names } = await makeFolder();
  try {
    const file = join(root, "split.json");
    const open = (params: Record<string, string>, log?: (l: string) => void) =>
      openDataset({ dataset: "utkface", params, augment: false }, {
        imageSize: 16,
        cacheRoot: root,
        env: { CEN_UTKFACE_DIR: dir },
        log,
      });
    // Part of the listed images absent: an error naming them, either mode.
    const gone = utkName(77, 1);
    await writeSplitFile(file, {
      dataset: "toy",
      seed: 0,
      rule: "",
      train: names.slice(1),
      test: [names[0], gone],
    });
    await assertRejects(() => open({ splitFile: file }), DataError, `lacks 1 of the 16 images`);
    await assertRejects(() => open({ splitFile: file }), DataError, gone);
    await assertRejects(
      () => open({ splitFile: file, split: "auto" }),
      DataError,
      'data.params.split = "seeded"',
    );
    // No image in common: an error when the file is required, the seeded split in "auto".
    await writeSplitFile(file, { dataset: "other", seed: 0, rule: "", test: [gone] });
    await assertRejects(() => open({ splitFile: file }), DataError, "does not match");
    const lines: string[] = [];
    const d = await open({ splitFile: file, split: "auto" }, (l) => lines.push(l));
    assertEquals([d.train.length, d.test.length], [12, 3]);
    assert(lines.some((l) => l.includes("using the seeded split")), lines.join("\n"));
    // The committed file shares no name with this folder: the default is the seeded split.
    const c = await open({});
    assertEquals([c.train.length, c.test.length], [12, 3]);
    await assertRejects(
      () => open({ splitFile: join(root, "nope.json") }),
      DataError,
      "nope.json is missing",
    );
    await assertRejects(() => open({ split: "fixed" }), DataError, '"auto", "file" or "seeded"');
  } finally {
    await Deno.remove(root, { recursive: true });
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the committed UTKFace part 1 split: 80/20 by decade, disjoint", async () => {
  const s = await readSplitFile(defaultUtkfaceSplitPath());
  assertEquals(s.dataset, "utkface-part1");
  assertEquals(s.rule, "80/20 stratified by age decade");
  assertEquals([s.train!.length, s.test.length], [6308, 1577]);
  const count = (names: string[]) => {
    const c = new Array(10).fill(0);
    for (const n of names) c[ageDecade(Number(n.split("_")[0]))]++;
    return c;
  };
  const [tr, te] = [count(s.train!), count(s.test)];
  for (let d = 0; d < 10; d++) {
    const n = tr[d] + te[d];
    assert(Math.abs(te[d] - 0.2 * n) <= 1, `decade ${d}: ${te[d]} of ${n}`);
  }
  // Remade from its own names and ages, it is the same split.
  const names = [...s.train!, ...s.test];
  const again = makeDecadeSplit(
    s.dataset,
    names,
    names.map((n) => Number(n.split("_")[0])),
    s.seed,
  );
  assertEquals(again.test, s.test);
});

Deno.test({
  name: "the committed split names exactly the images of the real UTKFace part 1 folder",
  ignore: skipUnless(!!UTK, noRealData("CEN_UTKFACE_DIR")),
  async fn() {
    const s = await readSplitFile(defaultUtkfaceSplitPath());
    const loaded = await loadDataset("utkface", UTK!, {});
    const m = matchSplit(s, loaded.samples.map((x) => x.path), loaded.skipped.map((x) => x.path));
    assertEquals(m.missing, []);
    assertEquals(m.side.filter((x) => x === "none").length, 0);
    assertEquals(m.side.filter((x) => x === "test").length, 1577);
  },
});

Deno.test("deno task data split utkface: writes the folder's decade split", async () => {
  const { main } = await import("../../tools/data.ts");
  const { dir, names } = await makeFolder();
  try {
    const out = join(dir, "out", "s.json");
    assertEquals(
      await main(["split", "utkface", dir, `--out=${out}`, "--seed=2", "--name=toy"]),
      0,
    );
    const ages = names.map((n) => Number(n.split("_")[0]));
    assertEquals(await readSplitFile(out), makeDecadeSplit("toy", names, ages, 2));
    assertEquals(await main(["split", "utkface", dir, "--seed=x"]), 2);
    assertEquals(await main(["split", "utkface", join(dir, "nope"), `--out=${out}`]), 2);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
