import * as tf from "@tensorflow/tfjs-core";
import { assert, assertEquals, assertRejects, assertStringIncludes } from "@std/assert";
import { BACKEND_ORDER, initBackend, registerTrainingKernels } from "../../lib/backend/mod.ts";
import { fusedBatchNormGradConfig } from "../../lib/backend/batchnorm_grad.ts";
import { loadOneDnn } from "../../lib/backend/onednn.ts";
import {
  conv2DBackpropFilterConfig,
  conv2DBackpropInputConfig,
} from "../../lib/backend/wasm_kernels.ts";

Deno.test("initBackend honours an explicit choice and says which one it chose", async () => {
  const lines: string[] = [];
  assertEquals(await initBackend("cpu", (l) => lines.push(l)), "cpu");
  assertEquals(tf.getBackend(), "cpu");
  assertStringIncludes(lines.join("\n"), "tfjs backend: cpu");
  lines.length = 0;
  assertEquals(await initBackend("wasm", (l) => lines.push(l)), "wasm");
  assertStringIncludes(lines.join("\n"), "tfjs backend: wasm");
  assertStringIncludes(lines.join("\n"), "wasm kernels:");
});

Deno.test("initBackend switches back when tf.setBackend moved away", async () => {
  await initBackend("wasm");
  await tf.setBackend("cpu");
  assertEquals(await initBackend(), "wasm");
  assertEquals(tf.getBackend(), "wasm");
});

Deno.test("initBackend rejects an unknown backend name", async () => {
  await assertRejects(() => initBackend("tpu"), Error, 'unknown tfjs backend "tpu"');
});

Deno.test("default order without tfjs-node is wasm, and wasm can train a conv", async () => {
  assertEquals(BACKEND_ORDER.indexOf("wasm") < BACKEND_ORDER.indexOf("cpu"), true);
  const lines: string[] = [];
  const name = await initBackend(undefined, (l) => lines.push(l));
  // tfjs-node is not a dependency of this project: wasm is the first usable one.
  assertEquals(name, Deno.env.get("CEN_BACKEND") || "wasm");
  const x = tf.ones([1, 4, 4, 2]) as tf.Tensor4D;
  const w = tf.ones([3, 3, 2, 1]) as tf.Tensor4D;
  const [, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
    tf.sum(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, "same"))
  )([x, w]);
  // Σ over outputs of x under tap (i, j): centre tap sees all 16 pixels, corner taps 9.
  const d = dw.dataSync();
  assertEquals(d[(1 * 3 + 1) * 2], 16);
  assertEquals(d[0], 9);
  tf.dispose([x, w, dw]);
});

Deno.test("registerTrainingKernels switches between fast and stock kernel sets", async () => {
  await initBackend("wasm");
  const desc = await registerTrainingKernels("stock");
  assertStringIncludes(desc, "stock");
  assertEquals(tf.getKernel("Conv2DBackpropFilter", "wasm"), conv2DBackpropFilterConfig);
  assert(tf.getKernel("Conv2DBackpropInput", "wasm") !== conv2DBackpropInputConfig);
  assert(tf.getGradient("FusedBatchNorm") !== fusedBatchNormGradConfig);
  await registerTrainingKernels("wasm");
  assertEquals(tf.getKernel("Conv2DBackpropInput", "wasm"), conv2DBackpropInputConfig);
  assertEquals(tf.getGradient("FusedBatchNorm"), fusedBatchNormGradConfig);
});

Deno.test("a missing oneDNN is reported, and auto mode falls back to pure wasm", async () => {
  const missing = loadOneDnn("libdnnl-does-not-exist.so.2");
  assertEquals(typeof missing, "string");
  assertStringIncludes(missing as string, "cannot load libdnnl-does-not-exist.so.2");
  await initBackend("wasm");
  Deno.env.set("CEN_NATIVE", "0");
  try {
    const desc = await registerTrainingKernels("auto");
    assertStringIncludes(desc, "XNNPACK");
    assertEquals(tf.getKernel("Conv2DBackpropInput", "wasm"), conv2DBackpropInputConfig);
    assertEquals(tf.getKernel("Conv2DBackpropFilter", "wasm"), conv2DBackpropFilterConfig);
  } finally {
    Deno.env.delete("CEN_NATIVE");
    await registerTrainingKernels("auto");
  }
});
