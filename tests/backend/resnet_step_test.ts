/**
 * A whole ResNet training step (conv, BN in training mode, relu, max pool, global average pool,
 * dense, softmax cross-entropy + L1) runs on wasm and gives cpu's gradients.
 */
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import { assertLessOrEqual } from "@std/assert";
import { initBackend, registerTrainingKernels } from "../../lib/backend/mod.ts";
import { createCenModel } from "../../lib/model/resnet.ts";
import { crossEntropy } from "../../lib/loss/ldl.ts";
import { l1Loss } from "../../lib/loss/regression.ts";
import { ignoreMode, MODES, relErr, values } from "./helpers.ts";

const AGES = 7;

// Batch 1 at 32 px would leave the last stage 1×1, where training-mode BN outputs β alone and
// every gradient below it is zero: 64 px keeps it 2×2. The cpu reference is computed once per
// case and compared with every wasm kernel set (one test per set).
const CASES = [[1, 64], [3, 32]] as const;

/** The loss and every trainable variable's gradient of one training step (seeded model). */
function stepGradients(batch: number, size: number): { names: string[]; out: Float32Array[] } {
  const model = createCenModel({
    backbone: "resnet10-tiny",
    inputSize: size,
    numAges: AGES,
    seed: 5,
  });
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const ts = tf.tidy(() => {
    const x = tf.tensor4d(values(batch * size * size * 3, 31, 2), [batch, size, size, 3]);
    const cls = tf.tensor1d(Array.from({ length: batch }, (_, i) => (i * 3) % AGES));
    const y = tf.tensor1d(values(batch, 32, 0.5, 0.5));
    const { value, grads } = tf.variableGrads(() => {
      const [z, s] = model.apply(x, { training: true }) as tf.Tensor[];
      return tf.add(crossEntropy(z as tf.Tensor2D, cls), l1Loss(s, y)) as tf.Scalar;
    }, vars);
    return [value, ...vars.map((v) => grads[v.name])];
  });
  const out = ts.map((t) => t.dataSync().slice() as Float32Array);
  tf.dispose(ts);
  const names = ["loss", ...vars.map((v) => v.name)];
  model.dispose();
  return { names, out };
}

/** The cpu reference of a case, computed once (stock kernels). */
const references = new Map<number, Float32Array[]>();
async function cpuReference(batch: number, size: number): Promise<Float32Array[]> {
  if (!references.has(batch)) {
    await initBackend("wasm");
    await tf.setBackend("cpu");
    await registerTrainingKernels("stock");
    references.set(batch, stepGradients(batch, size).out);
  }
  return references.get(batch)!;
}

for (const [batch, SIZE] of CASES) {
  for (const mode of MODES) {
    Deno.test(
      `[${mode}] ResNet10-Tiny training step on wasm gives cpu's gradients (batch ${batch})`,
      { ignore: ignoreMode(mode) },
      async () => {
        const want = await cpuReference(batch, SIZE);
        await initBackend("wasm");
        await tf.setBackend("wasm");
        await registerTrainingKernels(mode);
        const { names, out: got } = stepGradients(batch, SIZE);
        let worst = 0;
        let norm = 0;
        for (const g of got.slice(1, 4)) for (const v of g) norm += v * v;
        assertLessOrEqual(1e-12, norm, "the stem's gradients are not all zero");
        got.forEach((g, i) => {
          const e = relErr(g, want[i]);
          worst = Math.max(worst, e);
          // Per-kernel tests bound 1e-4; through 12 layers with BN the error compounds a little.
          assertLessOrEqual(e, 5e-4, `[${mode}] ${names[i]}`);
        });
        console.log(
          `[${mode}] worst relative error over ${got.length - 1} gradients: ${
            worst.toExponential(2)
          }`,
        );
        await registerTrainingKernels("auto");
      },
    );
  }
}

/** A small residual net with every op kind of the ResNet (built once per call, seeded). */
function smallNet(): tfl.LayersModel {
  const init = (seed: number) => tfl.initializers.heNormal({ seed });
  const input = tfl.input({ shape: [16, 16, 3] });
  const conv = (x: tfl.SymbolicTensor, f: number, k: number, s: number, seed: number) =>
    tfl.layers.conv2d({
      filters: f,
      kernelSize: k,
      strides: s,
      padding: "same",
      useBias: false,
      kernelInitializer: init(seed),
    }).apply(x) as tfl.SymbolicTensor;
  const bn = (x: tfl.SymbolicTensor) =>
    tfl.layers.batchNormalization({ epsilon: 1e-5 }).apply(x) as tfl.SymbolicTensor;
  const relu = (x: tfl.SymbolicTensor) => tfl.layers.reLU().apply(x) as tfl.SymbolicTensor;
  let x = relu(bn(conv(input, 8, 7, 2, 1)));
  x = tfl.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: "same" })
    .apply(x) as tfl.SymbolicTensor;
  const y = bn(conv(relu(bn(conv(x, 8, 3, 1, 2))), 8, 3, 1, 3));
  x = relu(tfl.layers.add().apply([x, y]) as tfl.SymbolicTensor);
  const f = tfl.layers.globalAveragePooling2d({}).apply(x) as tfl.SymbolicTensor;
  const z = tfl.layers.dense({ units: 5, kernelInitializer: init(4) }).apply(f);
  const s = tfl.layers.dense({ units: 1, kernelInitializer: init(5) }).apply(f);
  return tfl.model({ inputs: input, outputs: [z as tfl.SymbolicTensor, s as tfl.SymbolicTensor] });
}

Deno.test("the global gradients and patched ops leave the cpu backend's results unchanged", async () => {
  await initBackend("wasm");
  await tf.setBackend("cpu");
  const model = smallNet();
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const read = () => {
    const ts = tf.tidy(() => {
      const x = tf.tensor4d(values(3 * 16 * 16 * 3, 35, 2), [3, 16, 16, 3]);
      const cls = tf.tensor1d([1, 4, 0]);
      const y = tf.tensor1d([0.2, 0.7, 0.5]);
      const { value, grads } = tf.variableGrads(() => {
        const [z, s] = model.apply(x, { training: true }) as tf.Tensor[];
        return tf.add(crossEntropy(z as tf.Tensor2D, cls), l1Loss(s, y)) as tf.Scalar;
      }, vars);
      return [value, ...vars.map((v) => grads[v.name])];
    });
    const out = ts.map((t) => t.dataSync().slice());
    tf.dispose(ts);
    return out;
  };
  await registerTrainingKernels("auto");
  const patched = read();
  await registerTrainingKernels("stock");
  const plain = read();
  await registerTrainingKernels("auto");
  await tf.setBackend("wasm");
  patched.forEach((g, i) => assertLessOrEqual(relErr(g, plain[i]), 1e-5, `output ${i}`));
  model.dispose();
});
