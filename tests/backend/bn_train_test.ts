import tfc from "@tensorflow/tfjs-core";
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import { assert, assertLessOrEqual } from "@std/assert";
import { registerTrainingKernels } from "../../lib/backend/mod.ts";
import { bnTrainInstalled } from "../../lib/backend/bn_train.ts";
import { ignoreMode, MODES, relErr, runOn, useMode, values } from "./helpers.ts";

/** tfjs-core's module object: what tfjs-layers calls (and what the install replaces). */
const core = tfc as unknown as {
  moments: (x: tf.Tensor, axis?: number | number[], keepDims?: boolean) => {
    mean: tf.Tensor;
    variance: tf.Tensor;
  };
};

const SHAPES = [[2, 5, 3, 4], [1, 7, 7, 3], [6, 5], [3, 2, 9]];

/** conv → BN (training) → relu → Σ r·y: gradients w.r.t. x, the conv kernel, γ and β. */
function layersGrads(shape: number[]): tf.Tensor[] {
  const size = shape.reduce((a, b) => a * b, 1);
  const x = tf.tensor(values(size, 51, 2, 0.7), shape);
  const bn = tfl.layers.batchNormalization({ epsilon: 1e-3, momentum: 0.9 });
  bn.build(shape);
  const [gamma, beta] = bn.trainableWeights.map((w) => w.read() as tf.Variable);
  gamma.assign(tf.tensor1d(values(shape[shape.length - 1], 52, 0.5, 1)));
  beta.assign(tf.tensor1d(values(shape[shape.length - 1], 53)));
  const r = tf.tensor(values(size, 54), shape);
  const f = (a: tf.Tensor) =>
    tf.sum(tf.mul(tf.relu(bn.apply(a, { training: true }) as tf.Tensor), r));
  const { value, grads } = tf.variableGrads(() => f(x) as tf.Scalar, [gamma, beta]);
  const dx = tf.grad(f)(x);
  const moving = bn.nonTrainableWeights.map((w) => w.read());
  return [value, dx, grads[gamma.name], grads[beta.name], ...moving];
}

for (const mode of MODES) {
  Deno.test(`[${mode}] training BN through tfjs-layers matches stock cpu`, {
    ignore: ignoreMode(mode),
  }, async () => {
    for (const shape of SHAPES) {
      await registerTrainingKernels("stock");
      const want = await runOn("cpu", () => layersGrads(shape));
      await useMode(mode);
      assert(bnTrainInstalled());
      const got = await runOn("wasm", () => layersGrads(shape));
      got.forEach((g, i) => assertLessOrEqual(relErr(g, want[i]), 1e-4, `${shape} output ${i}`));
    }
  });

  Deno.test(`[${mode}] moments (values, keepDims, gradient) match cpu`, {
    ignore: ignoreMode(mode),
  }, async () => {
    for (const shape of SHAPES) {
      const size = shape.reduce((a, b) => a * b, 1);
      const axes = shape.slice(0, -1).map((_, i) => i);
      const f = () => {
        const x = tf.tensor(values(size, 61, 3, 5), shape);
        const w = tf.tensor1d(values(shape[shape.length - 1], 62));
        const { mean, variance } = core.moments(x, axes);
        const kept = core.moments(x, axes, true);
        const g = tf.grad((a: tf.Tensor) => {
          const m = core.moments(a, axes);
          return tf.sum(tf.mul(tf.add(m.mean, tf.mul(m.variance, 0.3)), w));
        })(x);
        return [mean, variance, kept.mean, kept.variance, g];
      };
      await registerTrainingKernels("stock");
      const want = await runOn("cpu", f);
      await useMode(mode);
      const got = await runOn("wasm", f);
      got.forEach((g, i) => assertLessOrEqual(relErr(g, want[i]), 1e-5, `${shape} output ${i}`));
    }
  });
}

Deno.test("stock mode restores tfjs-core's moments and batchNorm", async () => {
  await useMode("wasm");
  assert(bnTrainInstalled());
  await registerTrainingKernels("stock");
  assert(!bnTrainInstalled());
  await registerTrainingKernels("auto");
});

Deno.test("tfjs-layers' training BN runs the one-pass kernels on wasm", async () => {
  await useMode("wasm");
  await tf.setBackend("wasm");
  const info = await tf.profile(() => {
    tf.dispose(layersGrads([2, 5, 3, 4]));
    return tf.scalar(0);
  });
  assert(info.kernelNames.includes("CenMoments"), info.kernelNames.join());
  assert(info.kernelNames.includes("CenBnGrad"), info.kernelNames.join());
  await registerTrainingKernels("auto");
});
