import { assert, assertEquals } from "@std/assert";
import { join } from "node:path";
import { initBackend } from "../../lib/backend/mod.ts";
import { float16Bits, quantizeFloat16 } from "../../lib/model/export.ts";
import { loadModel, saveModel } from "../../lib/model/io.ts";
import { createCenModel } from "../../lib/model/resnet.ts";

await initBackend();

Deno.test("float16Bits: IEEE half precision by hand (normals, rounding, subnormals, overflow)", () => {
  const cases: [number, number][] = [
    [0, 0x0000],
    [-0, 0x8000],
    [1, 0x3c00],
    [-2, 0xc000],
    [0.5, 0x3800],
    [65504, 0x7bff], // the largest half
    [65520, 0x7c00], // rounds up to ∞
    [1e6, 0x7c00],
    [Infinity, 0x7c00],
    [2 ** -14, 0x0400], // the smallest normal
    [2 ** -24, 0x0001], // the smallest subnormal
    [2 ** -26, 0x0000], // below it: 0
    [1 + 2 ** -11, 0x3c00], // a tie: to even (down)
    [1 + 3 * 2 ** -11, 0x3c02], // a tie: to even (up)
    [0.1, 0x2e66],
  ];
  for (const [v, bits] of cases) assertEquals(float16Bits(v), bits, `${v}`);
  assert((float16Bits(NaN) & 0x7c00) === 0x7c00 && (float16Bits(NaN) & 0x3ff) !== 0);
});

Deno.test("quantizeFloat16: half the bytes, weights within half precision, same layers", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const model = createCenModel({
      backbone: "resnet10-tiny",
      inputSize: 32,
      numAges: 10,
      seed: 1,
    });
    await saveModel(model, dir, { cen: { generation: 1 } });
    await Deno.writeFile(join(dir, "source.json"), new TextEncoder().encode("{}"));
    const before = (await Deno.stat(join(dir, "weights.bin"))).size;
    const after = await quantizeFloat16(dir);
    assertEquals(after * 2, before);
    assert(await Deno.stat(join(dir, "source.json")), "other files are kept");
    const back = await loadModel(dir);
    const a = model.getWeights(), b = back.getWeights();
    assertEquals(b.length, a.length);
    a.forEach((w, i) => {
      const x = w.dataSync(), y = b[i].dataSync();
      x.forEach((v, j) =>
        assert(Math.abs(v - y[j]) <= Math.abs(v) * 2 ** -11 + 2 ** -24, `${v} ${y[j]}`)
      );
    });
    model.dispose();
    back.dispose();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
