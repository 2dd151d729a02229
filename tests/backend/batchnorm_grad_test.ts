import * as tf from "@tensorflow/tfjs-core";
import { assertLessOrEqual } from "@std/assert";
import { registerTrainingKernels } from "../../lib/backend/mod.ts";
import { relErr, runOn, values } from "./helpers.ts";

const EPS = 1e-3;

/**
 * Gradients of Σ r·batchNorm(x, μ, σ², β, γ) w.r.t. all five inputs (rank-1 stats). (tfjs
 * cannot differentiate batchNorm without γ: its gradient saves the absent `scale` input.)
 */
function bnGrads(shape: number[]): tf.Tensor[] {
  const c = shape[shape.length - 1];
  const size = shape.reduce((a, b) => a * b, 1);
  const x = tf.tensor(values(size, 11, 3, 1.5), shape);
  const mean = tf.tensor1d(values(c, 12));
  const variance = tf.tensor1d(values(c, 13, 0.5, 0.8));
  const offset = tf.tensor1d(values(c, 14));
  const scale = tf.tensor1d(values(c, 15, 1, 1.5));
  const r = tf.tensor(values(size, 16), shape);
  const f = (a: tf.Tensor, m: tf.Tensor, v: tf.Tensor, o: tf.Tensor, s: tf.Tensor) =>
    tf.sum(tf.mul(tf.batchNorm(a, m, v, o, s, EPS), r));
  return tf.grads(f)([x, mean, variance, offset, scale]);
}

/** Training-mode BN as tfjs-layers computes it: batch moments, then batchNorm. */
function trainingBnGrads(shape: number[]): tf.Tensor[] {
  const c = shape[shape.length - 1];
  const size = shape.reduce((a, b) => a * b, 1);
  const x = tf.tensor(values(size, 21, 2, 0.7), shape);
  const gamma = tf.tensor1d(values(c, 22, 1, 1.2));
  const beta = tf.tensor1d(values(c, 23));
  const r = tf.tensor(values(size, 24), shape);
  const axes = shape.slice(0, -1).map((_, i) => i);
  const f = (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
    const { mean, variance } = tf.moments(a, axes);
    return tf.sum(tf.mul(tf.batchNorm(a, mean, variance, b, g, EPS), r));
  };
  return tf.grads(f)([x, gamma, beta]);
}

const SHAPES = [[2, 5, 3, 4], [1, 7, 7, 3], [6, 5]];

for (const backend of ["cpu", "wasm"] as const) {
  Deno.test(`FusedBatchNorm gradient on ${backend} equals tfjs's own (cpu)`, async () => {
    for (const shape of SHAPES) {
      await registerTrainingKernels("stock");
      const want = await runOn("cpu", () => bnGrads(shape));
      await registerTrainingKernels("auto");
      const got = await runOn(backend, () => bnGrads(shape));
      got.forEach((g, i) => assertLessOrEqual(relErr(g, want[i]), 1e-4, `${shape} input ${i}`));
    }
  });

  Deno.test(`training-mode BN gradients on ${backend} equal tfjs's own (cpu)`, async () => {
    for (const shape of SHAPES) {
      await registerTrainingKernels("stock");
      const want = await runOn("cpu", () => trainingBnGrads(shape));
      await registerTrainingKernels("auto");
      const got = await runOn(backend, () => trainingBnGrads(shape));
      got.forEach((g, i) => assertLessOrEqual(relErr(g, want[i]), 1e-4, `${shape} input ${i}`));
    }
  });
}

Deno.test("FusedBatchNorm gradient matches a hand-computed case", async () => {
  // x = [1, 3] (one channel), μ = 2, σ² = 1 − ε so r = 1, γ = 2, β = 0, dy = [1, 2]:
  // ∂x = dy·γ·r = [2, 4]; ∂μ = −γ·r·Σdy = −6; ∂σ² = −½·γ·r³·Σ(x−μ)dy = −½·2·(−1+2) = −1;
  // ∂γ = r·Σ(x−μ)dy = 1; ∂β = Σdy = 3.
  await registerTrainingKernels("auto");
  const got = await runOn("wasm", () => {
    const f = (x: tf.Tensor, m: tf.Tensor, v: tf.Tensor, o: tf.Tensor, s: tf.Tensor) =>
      tf.sum(tf.mul(tf.batchNorm(x, m, v, o, s, EPS), tf.tensor2d([[1], [2]])));
    return tf.grads(f)([
      tf.tensor2d([[1], [3]]),
      tf.tensor1d([2]),
      tf.tensor1d([1 - EPS]),
      tf.tensor1d([0]),
      tf.tensor1d([2]),
    ]);
  });
  const want = [[2, 4], [-6], [-1], [3], [1]];
  got.forEach((g, i) => assertLessOrEqual(relErr(g, want[i]), 1e-5, `input ${i}`));
});
