/**
 * The bug a user hit: pointing `CEN_UTKFACE_DIR` at another folder reused the finished runs of
 * the first. Two UTKFace-layout folders are made here; the same config on each trains anew, and
 * the same images moved to a third folder are reused.
 */
import { assertEquals, assertNotEquals } from "@std/assert";
import sharp from "sharp";
import { join } from "node:path";
import { initBackend } from "../../lib/backend/mod.ts";
import { datasetFor, runConfig } from "../../lib/experiment.ts";
import { tinyConfig } from "../helpers/tiny.ts";

await initBackend();

/** A folder of `n` UTKFace-named 32 px JPEGs whose brightness follows the age; `salt` varies them. */
async function utkFolder(dir: string, n: number, salt: number): Promise<string> {
  await Deno.mkdir(dir, { recursive: true });
  for (let i = 0; i < n; i++) {
    const age = 16 + ((i * 7 + salt) % 60);
    const rgb = new Uint8Array(32 * 32 * 3).fill(40 + age * 3 + salt);
    const name = `${age}_0_0_2017010100000${
      String(1000 + i + salt * 100).padStart(4, "0")
    }.jpg.chip.jpg`;
    await sharp(rgb, { raw: { width: 32, height: 32, channels: 3 } }).jpeg().toFile(
      join(dir, name),
    );
  }
  return dir;
}

Deno.test("another CEN_UTKFACE_DIR trains anew; the same images in another folder are reused", async () => {
  const root = await Deno.makeTempDir();
  const cacheRoot = join(root, "cache"), runsRoot = join(root, "runs");
  const a = await utkFolder(join(root, "a"), 40, 0);
  const b = await utkFolder(join(root, "b"), 40, 1);
  const c = join(root, "c");
  await Deno.mkdir(c);
  for await (const e of Deno.readDir(a)) await Deno.copyFile(join(a, e.name), join(c, e.name));
  const config = tinyConfig({
    generations: 1,
    optim: { epochs: 1 },
    data: { dataset: "utkface", params: { split: "seeded" }, augment: false },
  });
  const run = async (dir: string) => {
    Deno.env.set("CEN_UTKFACE_DIR", dir);
    const data = await datasetFor(config, { cacheRoot });
    const r = await runConfig(config, { cacheRoot, runsRoot, log: () => {} });
    return { fate: r.fates[0], fingerprint: data.train.fingerprint, id: r.id };
  };
  const before = Deno.env.get("CEN_UTKFACE_DIR");
  try {
    const first = await run(a);
    assertEquals(first.fate, "trained");
    const other = await run(b);
    assertEquals(other.id, first.id, "the same config has the same run id");
    assertNotEquals(other.fingerprint, first.fingerprint);
    assertEquals(other.fate, "trained", "another folder's images: trained, not reused");
    const moved = await run(c);
    assertEquals(
      moved.fingerprint,
      await (async () => {
        Deno.env.set("CEN_UTKFACE_DIR", a);
        return (await datasetFor(config, { cacheRoot })).train.fingerprint;
      })(),
    );
    assertEquals(moved.fate, "trained", "b's run stands in the folder now: a's images train again");
    assertEquals((await run(c)).fate, "done", "the same images again: reused");
  } finally {
    if (before === undefined) Deno.env.delete("CEN_UTKFACE_DIR");
    else Deno.env.set("CEN_UTKFACE_DIR", before);
    await Deno.remove(root, { recursive: true });
  }
});
