import * as tf from "@tensorflow/tfjs-core";
import { assertEquals, assertLessOrEqual } from "@std/assert";
import { ignoreMode, MODES, relErr, runOn, useMode, values } from "./helpers.ts";

const REDUCTIONS: { shape: number[]; axis: number | number[]; keepDims: boolean }[] = [
  { shape: [2, 5, 3, 4], axis: [0, 1, 2], keepDims: true },
  { shape: [2, 5, 3, 4], axis: [2, 0, 1], keepDims: false },
  { shape: [64, 40, 3], axis: [0, 1], keepDims: false }, // large enough for the sgemm path
  { shape: [6, 5], axis: 0, keepDims: true },
  { shape: [2, 3, 4], axis: [1], keepDims: false }, // not leading: stock kernel
  { shape: [2, 3, 4], axis: [0, 1, 2], keepDims: false }, // full reduction: stock kernel
];

const POOLS: { shape: number[]; size: number; stride: number; pad: "same" | "valid" }[] = [
  { shape: [2, 9, 9, 3], size: 3, stride: 2, pad: "same" },
  { shape: [1, 8, 8, 2], size: 2, stride: 2, pad: "valid" },
  { shape: [1, 7, 6, 5], size: 3, stride: 1, pad: "same" },
  { shape: [3, 16, 16, 4], size: 3, stride: 2, pad: "same" },
];

for (const mode of MODES) {
  Deno.test(`[${mode}] Sum and Mean on wasm match cpu (values and gradients)`, {
    ignore: ignoreMode(mode),
  }, async () => {
    for (const r of REDUCTIONS) {
      const size = r.shape.reduce((a, b) => a * b, 1);
      const f = () => {
        const x = tf.tensor(values(size, 41, 2, 0.5), r.shape);
        const w = tf.tensor(values(size, 42), r.shape);
        const g = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.mean(tf.mul(a, w), r.axis), 3)))(x);
        return [tf.sum(x, r.axis, r.keepDims), tf.mean(x, r.axis, r.keepDims), g];
      };
      await useMode(mode);
      const got = await runOn("wasm", f);
      const want = await runOn("cpu", f);
      got.forEach((g, i) => assertLessOrEqual(relErr(g, want[i]), 1e-5, `${r.shape} ${i}`));
    }
  });

  Deno.test(`[${mode}] MaxPoolGrad on wasm matches cpu, ties included`, {
    ignore: ignoreMode(mode),
  }, async () => {
    for (const p of POOLS) {
      const size = p.shape.reduce((a, b) => a * b, 1);
      for (const ties of [false, true]) {
        const f = () => {
          // With ties: values rounded to a few levels so windows hold equal maxima.
          const v = values(size, 43);
          if (ties) v.forEach((e, i) => (v[i] = Math.round(e * 2)));
          const x = tf.tensor4d(v, p.shape as [number, number, number, number]);
          const pool = (a: tf.Tensor) => tf.maxPool(a as tf.Tensor4D, p.size, p.stride, p.pad);
          const y = pool(x);
          const w = tf.tensor(values(y.size, 44), y.shape);
          const loss = (a: tf.Tensor) => tf.sum(tf.mul(pool(a), w));
          // Under a tape (the native forward records its argmax for the gradient) and not.
          const taped = tf.valueAndGrad((a: tf.Tensor) => tf.sum(pool(a)))(x);
          const dy = tf.tensor(values(y.size, 45), y.shape);
          const direct = tf.engine().runKernel("MaxPoolGrad", { dy, input: x, output: y }, {
            filterSize: p.size,
            strides: p.stride,
            pad: p.pad,
          }) as tf.Tensor;
          return [tf.grad(loss)(x), taped.grad, y, direct];
        };
        await useMode(mode);
        const got = await runOn("wasm", f);
        const want = await runOn("cpu", f);
        got.forEach((g, i) =>
          assertLessOrEqual(relErr(g, want[i]), 1e-6, `${p.shape} ties=${ties} output ${i}`)
        );
      }
    }
  });

  Deno.test(
    `[${mode}] FusedBatchNorm forward on wasm matches cpu`,
    { ignore: ignoreMode(mode) },
    async () => {
      for (const shape of [[2, 5, 3, 4], [1, 7, 7, 3], [6, 5], [32, 8, 8, 16]]) {
        const size = shape.reduce((a, b) => a * b, 1);
        const c = shape[shape.length - 1];
        const f = () =>
          tf.batchNorm(
            tf.tensor(values(size, 71, 3, 1), shape),
            tf.tensor1d(values(c, 72)),
            tf.tensor1d(values(c, 73, 0.5, 0.8)),
            tf.tensor1d(values(c, 74)),
            tf.tensor1d(values(c, 75, 1, 0.5)),
            1e-3,
          );
        await useMode(mode);
        const [got] = await runOn("wasm", f);
        const [want] = await runOn("cpu", f);
        assertLessOrEqual(relErr(got, want), 1e-5, `${shape}`);
      }
    },
  );

  Deno.test(`[${mode}] matMul and dense layers on wasm match cpu (values, gradients)`, {
    ignore: ignoreMode(mode),
  }, async () => {
    const cases: [number, number, number, boolean, boolean][] = [
      [7, 5, 3, false, false],
      [7, 5, 3, true, false],
      [7, 5, 3, false, true],
      [4, 6, 9, true, true],
      [32, 256, 101, false, false],
    ];
    for (const [m, k, n, ta, tb] of cases) {
      const f = () => {
        const a = tf.tensor2d(values(m * k, 81), ta ? [k, m] : [m, k]);
        const b = tf.tensor2d(values(k * n, 82), tb ? [n, k] : [k, n]);
        const bias = tf.tensor1d(values(n, 83));
        const loss = (x: tf.Tensor, y: tf.Tensor) =>
          tf.sum(tf.mul(tf.matMul(x as tf.Tensor2D, y as tf.Tensor2D, ta, tb), 1.5));
        return [
          tf.matMul(a, b, ta, tb),
          tf.fused.matMul({ a, b, transposeA: ta, transposeB: tb, bias, activation: "relu" }),
          tf.fused.matMul({ a, b, transposeA: ta, transposeB: tb, bias }),
          ...tf.grads(loss)([a, b]),
        ];
      };
      await useMode(mode);
      const got = await runOn("wasm", f);
      const want = await runOn("cpu", f);
      got.forEach((g, i) =>
        assertLessOrEqual(relErr(g, want[i]), 1e-5, `${m}x${k}x${n} ${ta} ${tb} ${i}`)
      );
    }
  });

  Deno.test(`[${mode}] Slice on wasm matches cpu (contiguous and strided blocks)`, {
    ignore: ignoreMode(mode),
  }, async () => {
    const cases: [number[], number[], number[]][] = [
      [[5, 4, 3, 2], [1, 0, 0, 0], [3, -1, -1, -1]],
      [[5, 4, 3, 2], [4, 0, 0, 0], [1, 4, 3, 2]],
      [[5, 4, 3, 2], [2, 1, 0, 0], [1, 2, 3, 2]],
      [[5, 4, 3, 2], [0, 1, 1, 0], [5, 2, 2, 2]],
      [[7], [2], [4]],
    ];
    for (const [shape, begin, size] of cases) {
      const f = () => {
        const n = shape.reduce((a, b) => a * b, 1);
        const x = tf.tensor(values(n, 95), shape);
        const xi = tf.tensor(Array.from({ length: n }, (_, i) => i), shape, "int32");
        return [tf.slice(x, begin, size), tf.cast(tf.slice(xi, begin, size), "float32")];
      };
      await useMode(mode);
      const got = await runOn("wasm", f);
      const want = await runOn("cpu", f);
      got.forEach((g, i) => assertLessOrEqual(relErr(g, want[i]), 0, `${shape} ${begin} ${i}`));
    }
  });

  Deno.test(`[${mode}] Identity shares the buffer and survives the source's disposal`, {
    ignore: ignoreMode(mode),
  }, async () => {
    await useMode(mode);
    const x = tf.tensor2d([[1, 2], [3, 4]]);
    const y = tf.clone(x);
    const before = tf.memory().numBytes;
    x.dispose();
    assertEquals(Array.from(y.dataSync()), [1, 2, 3, 4]);
    assertEquals(y.shape, [2, 2]);
    y.dispose();
    assertLessOrEqual(tf.memory().numBytes, before);
  });
}

for (const mode of MODES) {
  Deno.test(`[${mode}] relu gradient on wasm matches cpu (zeros and negatives included)`, {
    ignore: ignoreMode(mode),
  }, async () => {
    for (const shape of [[2, 5, 3, 4], [32, 16, 16, 8], [7]]) {
      const size = shape.reduce((a, b) => a * b, 1);
      const f = () => {
        const v = values(size, 91);
        v.forEach((e, i) => (v[i] = i % 5 === 0 ? 0 : e));
        const x = tf.tensor(v, shape);
        const w = tf.tensor(values(size, 92), shape);
        return [tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.relu(a), w)))(x)];
      };
      await useMode(mode);
      const [got] = await runOn("wasm", f);
      const [want] = await runOn("cpu", f);
      assertLessOrEqual(relErr(got, want), 0, `${shape}`);
    }
  });
}
