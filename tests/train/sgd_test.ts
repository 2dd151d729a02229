import * as tf from "@tensorflow/tfjs-core";
import { assertAlmostEquals, assertThrows } from "@std/assert";
import { initBackend } from "../../lib/backend/mod.ts";
import { createSgd, learningRate, loadSgdState, sgdState, sgdStep } from "../../lib/train/sgd.ts";

await initBackend();

Deno.test("SGD with momentum and weight decay, two steps by hand", () => {
  const w = tf.variable(tf.tensor1d([1]));
  const sgd = createSgd([w]);
  const hp = { lr: 0.1, momentum: 0.9, weightDecay: 0.1 };
  // g = 0.5 + 0.1·1 = 0.6; v = 0.6; w = 1 − 0.06 = 0.94
  sgdStep(sgd, [tf.tensor1d([0.5])], hp);
  assertAlmostEquals(w.dataSync()[0], 0.94, 1e-6);
  // g = 0.5 + 0.094 = 0.594; v = 0.54 + 0.594 = 1.134; w = 0.94 − 0.1134 = 0.8266
  sgdStep(sgd, [tf.tensor1d([0.5])], hp);
  assertAlmostEquals(w.dataSync()[0], 0.8266, 1e-6);
  assertAlmostEquals(sgd.velocities[0].dataSync()[0], 1.134, 1e-6);
});

Deno.test("optimizer state round-trips and must match the model", () => {
  const a = createSgd([tf.variable(tf.ones([2]))]);
  sgdStep(a, [tf.ones([2])], { lr: 1, momentum: 0.9, weightDecay: 0 });
  const b = createSgd([tf.variable(tf.ones([2]))]);
  loadSgdState(b, sgdState(a));
  assertAlmostEquals(b.velocities[0].dataSync()[1], 1, 1e-7);
  const c = createSgd([tf.variable(tf.ones([3]))]);
  assertThrows(() => loadSgdState(c, sgdState(a)), Error, "does not match");
});

Deno.test("step schedule: lr ÷10 every 40 epochs", () => {
  const o = { lr: 0.01, lrStepEpochs: 40, lrGamma: 0.1 };
  assertAlmostEquals(learningRate(0, o), 0.01, 1e-12);
  assertAlmostEquals(learningRate(39, o), 0.01, 1e-12);
  assertAlmostEquals(learningRate(40, o), 0.001, 1e-12);
  assertAlmostEquals(learningRate(159, o), 0.00001, 1e-12);
});

Deno.test("a variable without a gradient is left untouched (PyTorch skips grad None)", () => {
  const a = tf.variable(tf.tensor1d([1])), b = tf.variable(tf.tensor1d([1]));
  const sgd = createSgd([a, b]);
  sgdStep(sgd, [tf.tensor1d([1]), null], { lr: 0.5, momentum: 0.9, weightDecay: 0.1 });
  assertAlmostEquals(a.dataSync()[0], 1 - 0.5 * 1.1, 1e-6);
  assertAlmostEquals(b.dataSync()[0], 1, 0);
});
