/**
 * A whole ResNet training step (conv, BN in training mode, relu, max pool, global average pool,
 * dense, softmax cross-entropy + L1) runs on wasm and gives cpu's gradients.
 */
import * as tf from "@tensorflow/tfjs-core";
import { assertLessOrEqual } from "@std/assert";
import { initBackend, registerTrainingKernels } from "../../lib/backend.ts";
import { createCenModel } from "../../lib/model/resnet.ts";
import { crossEntropy } from "../../lib/loss/ldl.ts";
import { l1Loss } from "../../lib/loss/regression.ts";
import { modesToTest, relErr, values } from "./helpers.ts";

const AGES = 7;

// Batch 1 at 32 px would leave the last stage 1×1, where training-mode BN outputs β alone and
// every gradient below it is zero: 64 px keeps it 2×2.
for (const mode of modesToTest()) {
  for (const [batch, SIZE] of [[1, 64], [3, 32]]) {
    Deno.test(`[${mode}] ResNet10-Tiny training step on wasm gives cpu's gradients (batch ${batch})`, async () => {
      await initBackend("wasm");
      const model = createCenModel({
        backbone: "resnet10-tiny",
        inputSize: SIZE,
        numAges: AGES,
        seed: 5,
      });
      const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
      const grads = () =>
        tf.tidy(() => {
          const x = tf.tensor4d(values(batch * SIZE * SIZE * 3, 31, 2), [batch, SIZE, SIZE, 3]);
          const cls = tf.tensor1d(Array.from({ length: batch }, (_, i) => (i * 3) % AGES));
          const y = tf.tensor1d(values(batch, 32, 0.5, 0.5));
          const { value, grads } = tf.variableGrads(() => {
            const [z, s] = model.apply(x, { training: true }) as tf.Tensor[];
            return tf.add(crossEntropy(z as tf.Tensor2D, cls), l1Loss(s, y)) as tf.Scalar;
          }, vars);
          return [value, ...vars.map((v) => grads[v.name])];
        });
      await registerTrainingKernels(mode);
      const onWasm = grads();
      const got = onWasm.map((t) => t.dataSync().slice());
      tf.dispose(onWasm);
      await tf.setBackend("cpu");
      await registerTrainingKernels("stock");
      const onCpu = grads();
      const want = onCpu.map((t) => t.dataSync().slice());
      tf.dispose(onCpu);
      await registerTrainingKernels("auto");
      await tf.setBackend("wasm");
      let worst = 0;
      let norm = 0;
      for (const g of got.slice(1, 4)) for (const v of g) norm += v * v;
      assertLessOrEqual(1e-12, norm, "the stem's gradients are not all zero");
      got.forEach((g, i) => {
        const e = relErr(g, want[i]);
        worst = Math.max(worst, e);
        // Per-kernel tests bound 1e-4; through 12 layers with BN the error compounds a little.
        assertLessOrEqual(e, 5e-4, i === 0 ? "loss" : vars[i - 1].name);
      });
      console.log(`worst relative error over ${vars.length} gradients: ${worst.toExponential(2)}`);
      model.dispose();
    });
  }
}
