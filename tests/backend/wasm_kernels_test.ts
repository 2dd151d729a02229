import * as tf from "@tensorflow/tfjs-core";
import { assert, assertEquals, assertLessOrEqual, assertThrows } from "@std/assert";
import { registerTrainingKernels } from "../../lib/backend/mod.ts";
import type { OneDnn } from "../../lib/backend/onednn.ts";
import { nativeKernelConfigs } from "../../lib/backend/native_kernels.ts";
import { ignoreMode, MODES, relErr, runOn, useMode, values } from "./helpers.ts";

/** Odd shapes: stride 1/2, same/valid, 1×1, 7×7, non-square, batch 1, unused input rows. */
const CASES = [
  { n: 1, h: 7, w: 7, cin: 3, cout: 4, k: [3, 3], s: 1, pad: "same" },
  { n: 2, h: 9, w: 11, cin: 5, cout: 6, k: [3, 3], s: 2, pad: "same" },
  { n: 2, h: 9, w: 8, cin: 5, cout: 6, k: [3, 3], s: 2, pad: "valid" },
  // Unused input rows/columns, e.g. ResNet's strided 1×1 shortcut (im2col + one sgemm).
  { n: 1, h: 8, w: 8, cin: 4, cout: 3, k: [1, 1], s: 2, pad: "same" },
  { n: 3, h: 6, w: 10, cin: 5, cout: 7, k: [1, 1], s: 2, pad: "valid" },
  { n: 2, h: 9, w: 7, cin: 3, cout: 4, k: [1, 1], s: 3, pad: "valid" },
  { n: 2, h: 6, w: 5, cin: 4, cout: 5, k: [1, 1], s: 1, pad: "valid" },
  { n: 3, h: 15, w: 13, cin: 3, cout: 8, k: [7, 7], s: 2, pad: "same" },
  { n: 1, h: 10, w: 12, cin: 2, cout: 3, k: [7, 7], s: 1, pad: "valid" },
  { n: 2, h: 7, w: 6, cin: 3, cout: 2, k: [3, 1], s: 2, pad: "valid" },
  { n: 1, h: 12, w: 12, cin: 3, cout: 4, k: [2, 2], s: 2, pad: "same" },
  // Tiny outputs (the im2col + sgemm path of the native kernels).
  { n: 3, h: 2, w: 2, cin: 9, cout: 7, k: [3, 3], s: 1, pad: "same" },
  { n: 2, h: 4, w: 4, cin: 6, cout: 5, k: [3, 3], s: 2, pad: "same" },
  { n: 2, h: 3, w: 3, cin: 4, cout: 3, k: [3, 3], s: 2, pad: "valid" },
  { n: 1, h: 1, w: 2, cin: 4, cout: 3, k: [3, 3], s: 1, pad: "same" },
] as const;

type Case = typeof CASES[number];

function label(c: Case): string {
  return `${c.n}x${c.h}x${c.w}x${c.cin}→${c.cout} k${c.k.join("x")} s${c.s} ${c.pad}`;
}

function tensors(c: Case) {
  const x = tf.tensor4d(values(c.n * c.h * c.w * c.cin, 1), [c.n, c.h, c.w, c.cin]);
  const w = tf.tensor4d(values(c.k[0] * c.k[1] * c.cin * c.cout, 2), [
    c.k[0],
    c.k[1],
    c.cin,
    c.cout,
  ]);
  const y = tf.conv2d(x, w, c.s, c.pad);
  const dy = tf.tensor4d(values(y.size, 3), y.shape);
  return { x, w, dy };
}

for (const mode of MODES) {
  Deno.test(`[${mode}] Conv2DBackpropFilter on wasm matches cpu (values)`, {
    ignore: ignoreMode(mode),
  }, async () => {
    for (const c of CASES) {
      const f = () => {
        const { x, dy } = tensors(c);
        return tf.engine().runKernel("Conv2DBackpropFilter", { x, dy }, {
          strides: [c.s, c.s],
          pad: c.pad,
          dataFormat: "NHWC",
          filterShape: [c.k[0], c.k[1], c.cin, c.cout],
        }) as tf.Tensor;
      };
      await useMode(mode);
      const [got] = await runOn("wasm", f);
      const [want] = await runOn("cpu", f);
      assertLessOrEqual(relErr(got, want), 1e-4, label(c));
    }
  });

  Deno.test(`[${mode}] Conv2DBackpropInput on wasm matches cpu (values)`, {
    ignore: ignoreMode(mode),
  }, async () => {
    for (const c of CASES) {
      const f = () => {
        const { x, w, dy } = tensors(c);
        return tf.engine().runKernel("Conv2DBackpropInput", { dy, filter: w }, {
          strides: [c.s, c.s],
          pad: c.pad,
          dataFormat: "NHWC",
          inputShape: x.shape,
        }) as tf.Tensor;
      };
      await useMode(mode);
      const [got] = await runOn("wasm", f);
      const [want] = await runOn("cpu", f);
      assertLessOrEqual(relErr(got, want), 1e-4, label(c));
    }
  });

  Deno.test(`[${mode}] conv2d forward and gradients on wasm match cpu`, {
    ignore: ignoreMode(mode),
  }, async () => {
    for (const c of CASES) {
      const f = () => {
        const { x, w, dy } = tensors(c);
        const loss = (a: tf.Tensor, b: tf.Tensor) =>
          tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.s, c.pad), dy));
        return [...tf.grads(loss)([x, w]), tf.conv2d(x, w, c.s, c.pad)];
      };
      await useMode(mode);
      const got = await runOn("wasm", f);
      const want = await runOn("cpu", f);
      assertLessOrEqual(relErr(got[0], want[0]), 1e-4, `dx ${label(c)}`);
      assertLessOrEqual(relErr(got[1], want[1]), 1e-4, `dw ${label(c)}`);
      assertLessOrEqual(relErr(got[2], want[2]), 1e-4, `y ${label(c)}`);
    }
  });

  Deno.test(`[${mode}] repeated inference convs (cached filter layouts) match cpu`, {
    ignore: ignoreMode(mode),
  }, async () => {
    for (const c of CASES) {
      const f = () => {
        const { x, w } = tensors(c);
        const w2 = tf.tensor4d(values(w.size, 9), w.shape);
        const y1 = tf.conv2d(x, w, c.s, c.pad);
        const y2 = tf.conv2d(x, w, c.s, c.pad);
        const y3 = tf.conv2d(x, w2, c.s, c.pad);
        return [y1, y2, y3, tf.conv2d(x, w, c.s, c.pad)];
      };
      await useMode(mode);
      const got = await runOn("wasm", f);
      const want = await runOn("cpu", f);
      got.forEach((g, i) => assertLessOrEqual(relErr(g, want[i]), 1e-4, `${label(c)} ${i}`));
    }
  });

  Deno.test(
    `[${mode}] conv2dTranspose gradients on wasm match cpu`,
    { ignore: ignoreMode(mode) },
    async () => {
      for (const c of CASES.filter((c) => c.pad === "same")) {
        const f = () => {
          const { x, w, dy } = tensors(c);
          const loss = (a: tf.Tensor, b: tf.Tensor) =>
            tf.sum(tf.mul(
              tf.conv2dTranspose(a as tf.Tensor4D, b as tf.Tensor4D, x.shape, c.s, c.pad),
              x,
            ));
          return [...tf.grads(loss)([dy, w]), tf.conv2dTranspose(dy, w, x.shape, c.s, c.pad)];
        };
        await useMode(mode);
        const got = await runOn("wasm", f);
        const want = await runOn("cpu", f);
        for (let i = 0; i < 3; i++) assertLessOrEqual(relErr(got[i], want[i]), 1e-4, label(c));
      }
    },
  );
}

Deno.test("wasm training kernels reject NCHW with a clear error", async () => {
  await useMode("wasm");
  await runOn("wasm", () => tf.scalar(0));
  const x = tf.zeros([1, 2, 4, 4]);
  const dy = tf.zeros([1, 2, 4, 4]);
  assertThrows(
    () =>
      tf.engine().runKernel("Conv2DBackpropFilter", { x, dy }, {
        strides: [1, 1],
        pad: "same",
        dataFormat: "NCHW",
        filterShape: [3, 3, 2, 2],
      }),
    Error,
    "NHWC",
  );
  tf.dispose([x, dy]);
});

Deno.test("relErr detects a wrong value and NaN", () => {
  assert(relErr([1, 2], [1, 2.001]) > 1e-4);
  assert(relErr([NaN], [1]) === Infinity);
  assertLessOrEqual(relErr([1, 2], [1, 2]), 0);
});

Deno.test("a oneDNN failure falls back to the wasm kernels, with one warning", async () => {
  await useMode("wasm");
  const names = ["Conv2D", "FusedConv2D", "Conv2DBackpropInput", "Conv2DBackpropFilter"];
  const fallback = Object.fromEntries(names.map((n) => [n, tf.getKernel(n, "wasm")]));
  const broken = new Proxy({}, {
    get: (_, k) =>
      k === "version" ? "broken" : () => {
        throw new Error("boom");
      },
  }) as OneDnn;
  for (const k of nativeKernelConfigs(broken, fallback)) {
    if (!names.includes(k.kernelName)) continue;
    tf.unregisterKernel(k.kernelName, "wasm");
    tf.registerKernel(k);
  }
  const warnings: string[] = [];
  const warn = console.warn;
  console.warn = (m: string) => warnings.push(m);
  try {
    const c = CASES[1];
    const f = () => {
      const { x, w, dy } = tensors(c);
      const loss = (a: tf.Tensor, b: tf.Tensor) =>
        tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.s, c.pad), dy));
      return [...tf.grads(loss)([x, w]), tf.conv2d(x, w, c.s, c.pad)];
    };
    const before = tf.memory().numTensors;
    const got = await runOn("wasm", f);
    assertLessOrEqual(tf.memory().numTensors, before);
    const want = await runOn("cpu", f);
    got.forEach((g, i) => assertLessOrEqual(relErr(g, want[i]), 1e-4, `output ${i}`));
    assert(warnings.some((m) => m.includes("oneDNN Conv2D failed (boom)")), warnings.join());
    assertEquals(warnings.filter((m) => m.includes("Conv2D failed")).length, 1);
  } finally {
    console.warn = warn;
    await registerTrainingKernels("auto");
  }
});

for (const mode of MODES) {
  Deno.test(`[${mode}] fused conv2d with bias and relu (the stock path) matches cpu`, {
    ignore: ignoreMode(mode),
  }, async () => {
    for (const c of CASES.slice(0, 4)) {
      const f = () => {
        const { x, w, dy } = tensors(c);
        const bias = tf.tensor1d(values(c.cout, 5));
        const conv = (a: tf.Tensor, b: tf.Tensor, activation: "relu" | "linear") =>
          tf.fused.conv2d({
            x: a as tf.Tensor4D,
            filter: b as tf.Tensor4D,
            strides: c.s,
            pad: c.pad,
            bias,
            activation,
          });
        const loss = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(conv(a, b, "relu"), dy));
        return [conv(x, w, "relu"), conv(x, w, "linear"), ...tf.grads(loss)([x, w])];
      };
      await useMode(mode);
      const got = await runOn("wasm", f);
      const want = await runOn("cpu", f);
      got.forEach((g, i) => assertLessOrEqual(relErr(g, want[i]), 1e-4, `${label(c)} ${i}`));
    }
  });
}
