import { assert, assertEquals } from "@std/assert";
import { dirname, join } from "node:path";
import {
  datenumToDate,
  imdbWikiAge,
  type ImdbWikiSample,
  loadImdbWiki,
} from "../../lib/data/adapters/imdbwiki.ts";
import { summarize } from "../../lib/data/skips.ts";
import { noRealData, skipUnless } from "../helpers/skip.ts";

const FIXTURE = new URL("../../data/fixtures/imdbwiki/wiki.mat", import.meta.url).pathname;

Deno.test("imdb-wiki: MATLAB serial dates and the 1 July age rule", () => {
  assertEquals(datenumToDate(719529), { year: 1970, month: 1, day: 1 });
  assertEquals(datenumToDate(730486), { year: 2000, month: 1, day: 1 });
  assertEquals(datenumToDate(723671), { year: 1981, month: 5, day: 5 }); // wiki.mat row 1
  assertEquals(datenumToDate(367), { year: 1, month: 1, day: 1 });
  // 1981-05-05 to 2009-07-01: 28 whole years.
  assertEquals(imdbWikiAge(723671, 2009), 28);
  // Born 1 July: the birthday is reached on 1 July; born 2 July: not yet.
  const july1 = 730486 + 182; // 2000-07-01 (leap year: 31+29+31+30+31+30 = 182 days later)
  assertEquals(datenumToDate(july1), { year: 2000, month: 7, day: 1 });
  assertEquals(imdbWikiAge(july1, 2010), 10);
  assertEquals(imdbWikiAge(july1 + 1, 2010), 9);
  assertEquals(imdbWikiAge(july1 - 1, 2010), 10);
  assertEquals(imdbWikiAge(NaN, 2010), undefined);
  assertEquals(imdbWikiAge(723671, NaN), undefined);
});

Deno.test("imdb-wiki: the fixture wiki.mat, each cleaning rule a skip reason", async () => {
  const root = await Deno.makeTempDir();
  try {
    await Deno.copyFile(FIXTURE, join(root, "wiki.mat"));
    for (
      const rel of [
        "17/10000217_1981-05-05_2009.jpg",
        "48/10000548_1925-04-04_1964.jpg",
        "12/100012_1948-07-03_2008.jpg",
        "65/10001965_1930-05-23_1961.jpg",
        "16/10002116_1971-07-01_2012.jpg",
        "02/10002702_1990-01-01_2010.jpg",
        "03/10003541_1990-01-01_2010.jpg",
        "04/10004299_0001-01-01_2010.jpg",
      ] // 05/10005_2000-03-01_2010.jpg is left out: missing-file
    ) {
      await Deno.mkdir(join(root, dirname(rel)), { recursive: true });
      await Deno.writeFile(join(root, rel), new Uint8Array([0xff, 0xd8]));
    }
    const r = await loadImdbWiki(root);
    assertEquals(r.dataset, "imdb-wiki");
    assertEquals(r.samples.map((s) => [s.path.slice(root.length + 1), s.age]), [
      ["17/10000217_1981-05-05_2009.jpg", 28],
      ["12/100012_1948-07-03_2008.jpg", 59],
      ["65/10001965_1930-05-23_1961.jpg", 31],
      ["16/10002116_1971-07-01_2012.jpg", 41],
    ]);
    const first = r.samples[0] as ImdbWikiSample;
    assertEquals(first.faceBox, [111.3, 111.3, 252.7, 252.7]);
    assertEquals(first.faceScore, 4.3);
    const report = summarize(r.dataset, r.samples.length, r.skipped);
    assertEquals(report.skipped, {
      "second-face": 1,
      "low-face-score": 1,
      "no-face": 1,
      "age-out-of-range": 1,
      "duplicate-row": 1,
      "missing-file": 1,
    });
    assertEquals(report.examples["duplicate-row"], [`${join(root, "wiki.mat")}:9`]);
    assertEquals(r.samples.length + r.skipped.length, 10);

    // Options relax the cleaning: second faces kept, a lower face-score bar, no file check.
    const relaxed = await loadImdbWiki(root, {
      allowSecondFace: true,
      minFaceScore: 0,
      checkFiles: false,
    });
    assertEquals(relaxed.samples.length, 7);
    assertEquals(summarize("x", 0, relaxed.skipped).skipped, {
      "no-face": 1,
      "age-out-of-range": 1,
      "duplicate-row": 1,
    });
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("imdb-wiki: a folder without metadata, or a bad option, is a clear error", async () => {
  const root = await Deno.makeTempDir();
  try {
    const e = await loadImdbWiki(root).catch((e) => e);
    assert(e instanceof Error && e.message.includes("no wiki.mat or imdb.mat"), String(e));
    const e2 = await loadImdbWiki(root, { mat: FIXTURE, minFaceScore: "1" as unknown as number })
      .catch((e) => e);
    assert(e2 instanceof Error && e2.message.includes("minFaceScore must be a number"), String(e2));
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

const WIKI = Deno.env.get("CEN_WIKI_MAT");
Deno.test({
  name: "imdb-wiki: the real wiki.mat (CEN_WIKI_MAT): 62,328 rows, plausible ages",
  ignore: skipUnless(!!WIKI, noRealData("CEN_WIKI_MAT")),
  async fn() {
    const r = await loadImdbWiki(dirname(WIKI!), { mat: WIKI!, checkFiles: false });
    assertEquals(r.samples.length + r.skipped.length, 62_328);
    const counts = summarize(r.dataset, r.samples.length, r.skipped).skipped;
    assertEquals(Object.keys(counts).sort(), [
      "age-out-of-range",
      "low-face-score",
      "no-face",
      "second-face",
    ]);
    assert(r.samples.length > 30_000 && r.samples.length < 45_000, `${r.samples.length}`);
    let sum = 0;
    let agree = 0;
    let named = 0;
    for (const s of r.samples) {
      assert(Number.isInteger(s.age) && s.age >= 0 && s.age <= 100);
      sum += s.age;
      // The file name repeats the labels: <id>_<yyyy-mm-dd of birth>_<year taken>.jpg.
      const m = s.path.match(/_(\d{4})-(\d\d)-(\d\d)_(\d{4})\.jpg$/);
      if (m) {
        named++;
        const [y, mo, d, taken] = m.slice(1).map(Number);
        if (s.age === taken - y - (mo > 7 || (mo === 7 && d > 1) ? 1 : 0)) agree++;
      }
    }
    const mean = sum / r.samples.length;
    assert(mean > 30 && mean < 45, `mean age ${mean}`);
    assertEquals(agree, named); // every parsable name agrees with dob and photo_taken
    assert(named > 0.99 * r.samples.length, `${named} names parsed`);
  },
});
