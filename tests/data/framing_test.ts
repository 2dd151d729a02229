import { assertEquals } from "@std/assert";
import { join } from "node:path";
import sharp from "sharp";
import { AAF_CROP, fixedCrop } from "../../lib/data/crops.ts";
import { aafBesideUtkface } from "../../lib/data/framing.ts";
import { nearestAgeSamples, samplesByAge } from "../../lib/data/pick.ts";

const s = (path: string, age: number) => ({ path, age });

Deno.test("samplesByAge spreads over the ages; nearestAgeSamples matches each age", () => {
  const all = [s("d", 40), s("a", 10), s("c", 30), s("b", 20), s("e", 50)];
  assertEquals(samplesByAge(all, 3).map((x) => x.age), [10, 30, 50]);
  assertEquals(samplesByAge(all, 9).length, 5);
  assertEquals(nearestAgeSamples(all, [12, 44, 90]).map((x) => x.path), ["a", "d", "e"]);
  // A tie goes to the first by path.
  assertEquals(nearestAgeSamples([s("z", 20), s("y", 30)], [25]).map((x) => x.path), ["y"]);
});

Deno.test("aafBesideUtkface: AAF val faces after the fixed crop beside UTKFace chips of the nearest age", async () => {
  const root = await Deno.makeTempDir();
  try {
    const aaf = join(root, "aaf"), utk = join(root, "utk");
    await Deno.mkdir(join(aaf, "images"), { recursive: true });
    await Deno.mkdir(join(aaf, "splits"));
    await Deno.mkdir(utk);
    const [W, H] = [24, 30];
    const pixels = new Uint8Array(W * H * 3).map((_, i) => (i * 7) % 256);
    const image = await sharp(pixels, { raw: { width: W, height: H, channels: 3 } }).png()
      .toBuffer();
    for (const n of ["00001A05.jpg", "00002A30.jpg", "00003A70.jpg"]) {
      await Deno.writeFile(join(aaf, "images", n), image);
    }
    await Deno.writeTextFile(join(aaf, "splits/train.txt"), "00003A70.jpg\n");
    await Deno.writeTextFile(join(aaf, "splits/val.txt"), "00001A05.jpg\n00002A30.jpg\n");
    const chip = await sharp(new Uint8Array(20 * 20 * 3).fill(90), {
      raw: { width: 20, height: 20, channels: 3 },
    }).jpeg().toBuffer();
    for (const n of ["4_0_0_20170101000000000.jpg", "33_1_2_20170101000000000.jpg"]) {
      await Deno.writeFile(join(utk, n), chip);
    }
    const r = await aafBesideUtkface(aaf, utk, 4, 16);
    assertEquals(r.aaf.captions, ["AAF 5", "AAF 30"]);
    assertEquals(r.utkface.captions, ["UTKFace 4", "UTKFace 33"]);
    assertEquals(r.aaf.images[0], fixedCrop(pixels, W, H, AAF_CROP, 16));
    assertEquals(r.utkface.images[1].length, 16 * 16 * 3);
    assertEquals([r.example.width, r.example.height], [W, H]);
    assertEquals(r.example.box.x, AAF_CROP.x * W);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
