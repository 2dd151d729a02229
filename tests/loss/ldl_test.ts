import * as tf from "@tensorflow/tfjs-core";
import { assertAlmostEquals, assertEquals } from "@std/assert";
import { initBackend } from "../../lib/backend/mod.ts";
import {
  crossEntropy,
  gaussianLabels,
  klDivergence,
  ldlLoss,
  softCrossEntropy,
  softmaxT,
} from "../../lib/loss/ldl.ts";

await initBackend();

// Values below were computed by hand (Python's math module, double precision).
const close = (a: ArrayLike<number>, b: number[], tol = 1e-6) =>
  b.forEach((v, i) => assertAlmostEquals(a[i], v, tol, `index ${i}`));

Deno.test("Eq. 3: softmax with temperature τ = 1 and τ = 2", () => {
  const z = tf.tensor2d([[1, 2, 3]]);
  close(softmaxT(z, 1).dataSync(), [0.09003057317, 0.24472847105, 0.66524095577]);
  close(softmaxT(z, 2).dataSync(), [0.18632372323, 0.30719588572, 0.50648039106]);
  // rows sum to one, larger τ flattens the distribution
  const p4 = softmaxT(z, 4).dataSync();
  assertAlmostEquals(p4[0] + p4[1] + p4[2], 1, 1e-6);
  assertEquals(p4[2] < 0.50648039106, true);
});

Deno.test("Eq. 4: cross-entropy is the batch mean of −ln p_label", () => {
  // row 1: −ln 0.66524 = 0.40761; row 2 (uniform over 3): ln 3 = 1.09861; mean 0.75311
  const z = tf.tensor2d([[1, 2, 3], [0, 0, 0]]);
  const ce = crossEntropy(z, tf.tensor1d([2, 0], "int32")).dataSync()[0];
  assertAlmostEquals(ce, 0.7531091265562451, 1e-6);
});

Deno.test("Eq. 5: KL(p^{t−1} ‖ p^t) at τ, with 0·ln 0 = 0", () => {
  const kl = klDivergence(tf.tensor2d([[0.2, 0.3, 0.5]]), tf.tensor2d([[1, 2, 3]]), 2);
  assertAlmostEquals(kl.dataSync()[0], 0.0006166565771609988, 1e-6);
  const kl0 = klDivergence(tf.tensor2d([[0, 0.5, 0.5]]), tf.tensor2d([[0, 1, -1]]), 2);
  assertAlmostEquals(kl0.dataSync()[0], 0.48712249008178915, 1e-6);
  // identical distributions: zero divergence
  const same = klDivergence(softmaxT(tf.tensor2d([[1, 2, 3]]), 2), tf.tensor2d([[1, 2, 3]]), 2);
  assertAlmostEquals(same.dataSync()[0], 0, 1e-6);
});

Deno.test("Eq. 6: ∂L_kl/∂z = (p^t − p^{t−1}) / τ, the gradient of −Σ p^{t−1} ln p^t", () => {
  const pa = tf.tensor2d([[0.2, 0.3, 0.5]]);
  const g = tf.grad((z: tf.Tensor) => klDivergence(pa, z as tf.Tensor2D, 2))(
    tf.tensor2d([[1, 2, 3]]),
  );
  close(g.dataSync(), [-0.006838138387, 0.003597942859, 0.003240195528]);
  // and equal to the gradient of the cross-entropy form of Eq. 6
  const crossForm = (z: tf.Tensor) =>
    tf.neg(tf.sum(tf.mul(pa, tf.logSoftmax(tf.div(z, 2))))) as tf.Scalar;
  close(g.dataSync(), Array.from(tf.grad(crossForm)(tf.tensor2d([[1, 2, 3]])).dataSync()));
});

Deno.test("Eq. 7: L_ldl = α·L_kl + (1 − α)·L_ce", () => {
  const mix = (a: number) => ldlLoss(tf.scalar(2), tf.scalar(4), a).dataSync()[0];
  assertAlmostEquals(mix(0.25), 3.5, 1e-6);
  assertAlmostEquals(mix(0), 4, 1e-6);
  assertAlmostEquals(mix(1), 2, 1e-6);
});

Deno.test("DLDL baseline: Gaussian label distribution (σ = 2) and its cross-entropy", () => {
  const q = gaussianLabels(tf.tensor1d([1], "int32"), 3, 2).dataSync();
  // weights exp(−d²/8) for d = −1, 0, 1: e^−1/8, 1, e^−1/8, normalised
  const w = Math.exp(-1 / 8), sum = 1 + 2 * w;
  close(q, [w / sum, 1 / sum, w / sum]);
  // a one-hot target gives back Eq. 4
  const z = tf.tensor2d([[1, 2, 3]]);
  const ce = softCrossEntropy(z, tf.tensor2d([[0, 0, 1]])).dataSync()[0];
  assertAlmostEquals(ce, -Math.log(0.66524095577), 1e-6);
});
