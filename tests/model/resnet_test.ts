import * as tf from "@tensorflow/tfjs-core";
import { assertEquals, assertThrows } from "@std/assert";
import { initBackend } from "../../lib/backend/mod.ts";
import { countParams, createCenModel } from "../../lib/model/resnet.ts";

await initBackend();

Deno.test("Table 7: parameter counts round to 4.9M / 11.2M / 1.2M / 2.8M with k = 62", () => {
  const expect = { "resnet10": 4.9, "resnet18": 11.2, "resnet10-tiny": 1.2, "resnet18-tiny": 2.8 };
  for (const [backbone, millions] of Object.entries(expect)) {
    const m = createCenModel({ backbone: backbone as never, inputSize: 64, numAges: 62, seed: 0 });
    assertEquals(Math.round(countParams(m) / 1e5) / 10, millions, backbone);
    m.dispose();
  }
});

Deno.test("exact parameter count of ResNet10 (counted by hand from Table 7)", () => {
  // conv1 9408 + bn 128; conv2_x 73728 + 256; conv3_x 73728+147456+8192 + 768;
  // conv4_x 294912+589824+32768 + 1536; conv5_x 1179648+2359296+131072 + 3072;
  // heads 512·62+62 + 512+1
  const m = createCenModel({ backbone: "resnet10", inputSize: 32, numAges: 62, seed: 0 });
  assertEquals(countParams(m), 4905792 + 31806 + 513);
  m.dispose();
});

Deno.test("any multiple of 32 (and of 16, e.g. 112) works; outputs are [B, k] logits and [B, 1] s", () => {
  for (const size of [32, 64, 96, 112]) {
    const m = createCenModel({ backbone: "resnet10-tiny", inputSize: size, numAges: 7, seed: 1 });
    const [z, s] = m.predict(tf.zeros([2, size, size, 3])) as tf.Tensor[];
    assertEquals(z.shape, [2, 7]);
    assertEquals(s.shape, [2, 1]);
    tf.dispose([z, s]);
    m.dispose();
  }
  assertThrows(() => createCenModel({ backbone: "resnet10", inputSize: 50, numAges: 7, seed: 1 }));
  assertThrows(() => createCenModel({ backbone: "resnet10", inputSize: 16, numAges: 7, seed: 1 }));
});

Deno.test("the same seed gives the same weights, another seed others", () => {
  const w = (seed: number) => {
    const m = createCenModel({ backbone: "resnet10-tiny", inputSize: 32, numAges: 5, seed });
    const v = Array.from(m.getWeights()[0].dataSync().slice(0, 20));
    m.dispose();
    return v;
  };
  assertEquals(w(3), w(3));
  assertEquals(w(3).join() === w(4).join(), false);
});
