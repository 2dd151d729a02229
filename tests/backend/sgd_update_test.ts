import * as tf from "@tensorflow/tfjs-core";
import { assertLessOrEqual } from "@std/assert";
import { sgdMomentumUpdate } from "../../lib/backend/sgd_update.ts";
import { relErr, runOn, useMode, values } from "./helpers.ts";

/** Three updates of one variable; returns w and v after them. */
function threeSteps(): tf.Tensor[] {
  const w = tf.variable(tf.tensor2d(values(60, 101), [6, 10]));
  const v = tf.variable(tf.zeros([6, 10]));
  for (let s = 0; s < 3; s++) {
    const g = tf.tensor2d(values(60, 102 + s), [6, 10]);
    sgdMomentumUpdate(w, v, g, { lr: 0.1, momentum: 0.9, weightDecay: 5e-4 });
    g.dispose();
  }
  const out = [tf.clone(w), tf.clone(v)];
  tf.dispose([w, v]);
  return out;
}

Deno.test("sgdMomentumUpdate: one step by hand", async () => {
  await useMode("auto");
  for (const backend of ["wasm", "cpu"] as const) {
    const [w, v] = await runOn(backend, () => {
      const wv = tf.variable(tf.tensor1d([1, -2]));
      const vv = tf.variable(tf.tensor1d([0.5, 0]));
      sgdMomentumUpdate(wv, vv, tf.tensor1d([0.1, 0.2]), {
        lr: 0.5,
        momentum: 0.9,
        weightDecay: 0.1,
      });
      // v = 0.9·[0.5, 0] + [0.1 + 0.1, 0.2 − 0.2] = [0.65, 0];  w = [1 − 0.325, −2].
      return [tf.clone(wv), tf.clone(vv)];
    });
    assertLessOrEqual(relErr(w, [0.675, -2]), 1e-6, backend);
    assertLessOrEqual(relErr(v, [0.65, 0]), 1e-6, backend);
  }
});

Deno.test("sgdMomentumUpdate on wasm equals the tfjs-op form on cpu", async () => {
  await useMode("auto");
  const got = await runOn("wasm", threeSteps);
  const want = await runOn("cpu", threeSteps);
  got.forEach((g, i) => assertLessOrEqual(relErr(g, want[i]), 1e-6, `output ${i}`));
});
