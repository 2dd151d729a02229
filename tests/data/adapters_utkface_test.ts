import { assert, assertEquals } from "@std/assert";
import { join } from "node:path";
import { loadUtkface, parseUtkfaceName } from "../../lib/data/adapters/utkface.ts";
import { summarize } from "../../lib/data/skips.ts";
import { noRealData, skipUnless } from "../helpers/skip.ts";

Deno.test("utkface: parseUtkfaceName reads the age and flags the rest", () => {
  assertEquals(parseUtkfaceName("25_0_3_20170119171729342.jpg.chip.jpg"), {
    age: 25,
    problems: [],
  });
  assertEquals(parseUtkfaceName("1_1_2_20161219203650636.jpg"), { age: 1, problems: [] });
  // The three odd names of the real folder: used, each with a problem.
  assertEquals(parseUtkfaceName("14_0_0_2017011022340900.jpg.chip.jpg"), {
    age: 14,
    problems: ['date&time "2017011022340900" is not 17 digits'],
  });
  assertEquals(parseUtkfaceName("61_1_20170109142408075.jpg.chip.jpg").age, 61);
  assertEquals(parseUtkfaceName("61_3_20170109150557335.jpg.chip.jpg").problems, [
    "3 fields, want 4 (age_gender_race_datetime)",
  ]);
  assertEquals(parseUtkfaceName("30_2_9_20170109150557335.jpg.chip.jpg").problems, [
    'gender "2" not 0 or 1',
    'race "9" not 0–4',
  ]);
  for (
    const bad of [
      "x_0_0_1.jpg.chip.jpg",
      "25.5_0_0_1.jpg",
      "-3_0_0_1.jpg",
      "_0_0.jpg",
      " 7_0_0.jpg",
      "+7_0_0.jpg",
      "README.txt",
    ]
  ) {
    assertEquals(parseUtkfaceName(bad).age, undefined, bad);
  }
  assertEquals(parseUtkfaceName("33.png").age, 33);
});

Deno.test("utkface: a generated folder, every entry accounted for", async () => {
  const root = await Deno.makeTempDir();
  try {
    const images = join(root, "images");
    await Deno.mkdir(images);
    const names = [
      "25_0_3_20170119171729342.jpg.chip.jpg",
      "3_1_2_20161219203650636.jpg.chip.jpg",
      "14_0_0_2017011022340900.jpg.chip.jpg",
      "61_1_20170109142408075.jpg.chip.jpg",
      "61_3_20170109150557335.jpg.chip.jpg",
      "abc_0_0_20170119171729342.jpg.chip.jpg",
      "25.5_0_0_20170119171729342.jpg.chip.jpg",
      "117_0_0_20170119171729342.jpg.chip.jpg",
      "README.txt",
    ];
    for (const n of names) await Deno.writeFile(join(images, n), new Uint8Array([1]));
    await Deno.mkdir(join(images, "40_0_0_20170119171729342.jpg.chip.jpg")); // a folder
    const r = await loadUtkface(root); // finds images/ itself
    assertEquals(r.dataset, "utkface");
    assertEquals(
      r.samples.map((s) => [s.path.slice(images.length + 1), s.age]),
      [
        ["14_0_0_2017011022340900.jpg.chip.jpg", 14],
        ["25_0_3_20170119171729342.jpg.chip.jpg", 25],
        ["3_1_2_20161219203650636.jpg.chip.jpg", 3],
        ["61_1_20170109142408075.jpg.chip.jpg", 61],
        ["61_3_20170109150557335.jpg.chip.jpg", 61],
      ],
    );
    assertEquals(r.warnings.map((w) => w.reason), Array(3).fill("malformed-name"));
    const report = summarize(r.dataset, r.samples.length, r.skipped);
    assertEquals(report.skipped, { "not-a-file": 1, "no-integer-age": 3, "age-out-of-range": 1 });
    assertEquals(report.examples["age-out-of-range"], [join(images, names[7])]);
    assertEquals(r.samples.length + r.skipped.length, names.length + 1);
    // The age range is an option; the folder itself may be given too.
    const wide = await loadUtkface(images, { maxAge: 120 });
    assertEquals(wide.samples.length, 6);
    assert(wide.samples.some((s) => s.age === 117));
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("utkface: a missing folder is a clear error", async () => {
  const e = await loadUtkface("/nonexistent/utk").catch((e) => e);
  assert(e instanceof Error && e.message.includes("dataset folder not found: /nonexistent/utk"));
});

const UTK = Deno.env.get("CEN_UTKFACE_DIR");
Deno.test({
  name: "utkface: the real part-1 folder (CEN_UTKFACE_DIR) matches its data card",
  ignore: skipUnless(!!UTK, noRealData("CEN_UTKFACE_DIR")),
  async fn() {
    const r = await loadUtkface(UTK!);
    assertEquals(r.samples.length, 7885);
    assertEquals(r.skipped, []);
    assertEquals(r.warnings.length, 3);
    const hist = Array(10).fill(0);
    for (const s of r.samples) hist[Math.min(9, Math.floor(s.age / 10))]++;
    assertEquals(hist, [2355, 996, 1206, 830, 556, 757, 551, 298, 256, 80]);
  },
});
