import * as tf from "@tensorflow/tfjs-core";
import { assert, assertAlmostEquals, assertEquals } from "@std/assert";
import { oneDnn } from "../../lib/backend/register.ts";
import { kindOf, profileKernels, profileSteps, stepProfile } from "../../lib/backend/profile.ts";
import type { KernelTime } from "../../lib/backend/profile.ts";
import { ignoreMode, useMode, values } from "./helpers.ts";

const row = (kernel: string, ms: number, extra: Partial<KernelTime> = {}): KernelTime => ({
  kernel,
  kind: kindOf(kernel),
  ms,
  calls: 1,
  workMs: ms,
  reorderMs: 0,
  glueMs: 0,
  wasmCalls: 1,
  wasmMs: ms,
  ...extra,
});

Deno.test("stepProfile: shares by kind, oneDNN split, the rest is tfjs bookkeeping", () => {
  const p = stepProfile(
    [
      row("Conv2D", 10, { workMs: 6, reorderMs: 1, glueMs: 3, wasmCalls: 0, wasmMs: 0 }),
      row("Conv2DBackpropFilter", 4),
      row("Relu", 2),
      row("Softmax", 1),
    ],
    2,
    20,
  );
  const ms = Object.fromEntries(p.byKind.map((k) => [k.kind, k.msPerStep]));
  assertEquals(p.stepMs, 10);
  assertEquals(ms["conv forward"], 3);
  assertEquals(ms["oneDNN layout reorders"], 0.5);
  assertEquals(ms["FFI and kernel glue"], 1.5);
  assertEquals(ms["conv filter gradient"], 2);
  assertEquals(ms["activations"], 1);
  assertEquals(ms["loss and other elementwise"], 0.5);
  assertEquals(ms["tfjs bookkeeping"], 1.5); // 20 − 17 ms over 2 steps
  assertAlmostEquals(p.byKind.reduce((a, k) => a + k.share, 0), 1, 1e-12);
  assertEquals(p.convArithmeticShare, (6 + 4) / 20);
});

Deno.test("profileKernels times nested kernels once and restores the kernels", async () => {
  await useMode("wasm");
  const before = tf.getKernel("Relu", "wasm")!.kernelFunc;
  const x = tf.tensor2d(values(64, 1), [8, 8]);
  const p = profileSteps(() => tf.tidy(() => tf.relu(tf.matMul(x, x)).dataSync()), {
    steps: 3,
  });
  assertEquals(tf.getKernel("Relu", "wasm")!.kernelFunc, before);
  const relu = p.kernels.find((k) => k.kernel === "Relu");
  assertEquals(relu?.calls, 3);
  assert(p.byKind.every((k) => k.msPerStep >= 0));
  x.dispose();
});

Deno.test("[native] a strided 1x1 conv (ResNet's shortcut) runs in oneDNN in all three passes", {
  ignore: ignoreMode("native"),
}, async () => {
  await useMode("native");
  const d = oneDnn();
  if (typeof d === "string") throw new Error(d);
  const x = tf.tensor4d(values(2 * 8 * 8 * 4, 1), [2, 8, 8, 4]);
  const w = tf.variable(tf.tensor4d(values(4 * 6, 2), [1, 1, 4, 6]));
  const profiler = profileKernels("wasm", d);
  try {
    tf.tidy(() => {
      const { grads } = tf.variableGrads(() => tf.sum(tf.square(tf.conv2d(x, w, 2, "same"))));
      tf.grad((a: tf.Tensor) => tf.sum(tf.conv2d(a as tf.Tensor4D, w, 2, "same")))(x).dataSync();
      grads[w.name].dataSync();
    });
  } finally {
    profiler.stop();
  }
  const convs = profiler.times().filter((k) => k.kind.startsWith("conv"));
  assertEquals(convs.map((k) => k.kernel).sort(), [
    "Conv2D",
    "Conv2DBackpropFilter",
    "Conv2DBackpropInput",
  ]);
  for (const k of convs) assertEquals(k.wasmCalls, 0, `${k.kernel} ran on wasm`);
  tf.dispose([x, w]);
});
