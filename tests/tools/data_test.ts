import { assert, assertEquals } from "@std/assert";
import sharp from "sharp";
import { join } from "node:path";
import { checkDataset } from "../../lib/data/adapters/check.ts";
import { LIMIT } from "../helpers/deadline.ts";
import { runTool as runToolAt, type ToolResult } from "../helpers/tool.ts";
import { noRealData, skipUnless } from "../helpers/skip.ts";

/** Runs `deno task data …` in a child process (killed, and the test failed, after 3 min). */
function runTool(args: string[]): Promise<ToolResult> {
  return runToolAt("tools/data.ts", args, { timeoutMs: LIMIT.tool });
}

/** A UTKFace-style folder: 3 good images, 1 odd but usable, and 6 bad entries. */
async function makeFolder(dir: string): Promise<number> {
  const face = sharp({ create: { width: 40, height: 40, channels: 3, background: "#a0806a" } });
  const jpg = new Uint8Array(await face.clone().jpeg().toBuffer());
  const stamp = "20170119171729342";
  await Deno.writeFile(join(dir, `25_0_0_${stamp}.jpg.chip.jpg`), jpg);
  await Deno.writeFile(join(dir, `30_1_2_${stamp}.jpg.chip.jpg`), jpg);
  await Deno.writeFile(join(dir, `61_1_${stamp}.jpg.chip.jpg`), jpg); // odd name: warning
  // A PNG with alpha under a .jpg name: converted and used.
  const png = await sharp({
    create: { width: 40, height: 40, channels: 4, background: { r: 9, g: 9, b: 9, alpha: 0.5 } },
  }).png().toBuffer();
  await Deno.writeFile(join(dir, `44_0_1_${stamp}.jpg.chip.jpg`), new Uint8Array(png));
  // Broken ones.
  await Deno.writeFile(join(dir, `50_0_0_${stamp}.jpg.chip.jpg`), jpg.subarray(0, jpg.length >> 1));
  await Deno.writeFile(join(dir, `51_0_0_${stamp}.jpg.chip.jpg`), new Uint8Array(0));
  await Deno.writeTextFile(join(dir, `52_0_0_${stamp}.jpg.chip.jpg`), "not a picture\n");
  await Deno.mkdir(join(dir, `53_0_0_${stamp}.jpg.chip.jpg`));
  await Deno.writeFile(join(dir, `x_0_0_${stamp}.jpg.chip.jpg`), jpg);
  await Deno.writeFile(join(dir, `130_0_0_${stamp}.jpg.chip.jpg`), jpg);
  return 10;
}

Deno.test("data check: one JSON object accounting for every entry of a generated folder", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const entries = await makeFolder(dir);
    const { code, stdout, stderr } = await runTool(["check", "utkface", dir]);
    assertEquals(code, 0, stderr);
    assert(!/Vips/.test(stderr), `libvips warnings leaked to stderr: ${stderr}`);
    const report = JSON.parse(stdout);
    assertEquals(Object.keys(report), ["dataset", "loaded", "skipped", "examples", "warnings"]);
    assertEquals(report.dataset, "utkface");
    assertEquals(report.loaded, 4);
    assertEquals(report.skipped, {
      "not-a-file": 1,
      "no-integer-age": 1,
      "age-out-of-range": 1,
      "corrupt-image": 1,
      "empty-file": 1,
      "not-an-image": 1,
    });
    const skippedTotal = Object.values(report.skipped as Record<string, number>)
      .reduce((a, b) => a + b, 0);
    assertEquals(report.loaded + skippedTotal, entries);
    assertEquals(report.examples["corrupt-image"], [
      join(dir, "50_0_0_20170119171729342.jpg.chip.jpg"),
    ]);
    assertEquals(report.warnings, { "malformed-name": 1 });

    // --no-decode: labels and presence only, so the broken images count as loaded.
    const quick = await runTool(["check", "utkface", dir, "--no-decode", "--maxAge=200"]);
    assertEquals(JSON.parse(quick.stdout).loaded, 8);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("data check: usage and data errors exit non-zero with a message", async () => {
  const usage = await runTool(["check", "utkface"]);
  assertEquals(usage.code, 2);
  assert(usage.stderr.includes("usage: deno task data check"));
  const unknown = await runTool(["check", "morph3", "/tmp"]);
  assertEquals(unknown.code, 2);
  assert(unknown.stderr.includes('unknown dataset "morph3"'), unknown.stderr);
  const badOption = await runTool(["check", "utkface", "/tmp", "--colour=red"]);
  assertEquals(badOption.code, 2);
  assert(badOption.stderr.includes('unknown option "colour"'), badOption.stderr);
  assertEquals(unknown.stdout, "");
});

Deno.test("data check: checkDataset keeps the decodable samples in adapter order", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await makeFolder(dir);
    const { report, samples, skipped } = await checkDataset("utkface", dir, { concurrency: 2 });
    assertEquals(samples.map((s) => s.age), [25, 30, 44, 61]);
    assertEquals(report.loaded, 4);
    assertEquals(skipped.length, 6);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

const UTK = Deno.env.get("CEN_UTKFACE_DIR");
Deno.test({
  name: "data check: every image of the real UTKFace folder (CEN_UTKFACE_DIR) is accounted for",
  ignore: skipUnless(!!UTK, noRealData("CEN_UTKFACE_DIR")),
  async fn() {
    const files = [];
    for await (const e of Deno.readDir(join(UTK!, "images"))) files.push(e.name);
    const { report } = await checkDataset("utkface", UTK!);
    const skipped = Object.values(report.skipped).reduce((a, b) => a + b, 0);
    assertEquals(report.loaded + skipped, files.length);
    assertEquals(report.loaded, 7885);
    assertEquals(report.warnings, { "malformed-name": 3 });
  },
});
