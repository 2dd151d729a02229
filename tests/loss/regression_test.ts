import * as tf from "@tensorflow/tfjs-core";
import { assertAlmostEquals, assertEquals } from "@std/assert";
import { initBackend } from "../../lib/backend/mod.ts";
import { l1Loss, normalizeAge, slackDelta, slackL1 } from "../../lib/loss/regression.ts";

await initBackend();

Deno.test("Eq. 1: y = (l − l_1) / (l_k − l_1)", () => {
  assertEquals(normalizeAge(16, 16, 77), 0);
  assertEquals(normalizeAge(77, 16, 77), 1);
  assertAlmostEquals(normalizeAge(46.5, 16, 77), 0.5, 1e-12);
});

const s = tf.tensor2d([[0.5], [0.2], [0.9]]);
const y = tf.tensor1d([0.5, 0.5, 0.5]);

Deno.test("Eq. 9: L_ℓ1 = mean |s − y|", () => {
  // |0| + |−0.3| + |0.4| = 0.7, / 3
  assertAlmostEquals(l1Loss(s, y).dataSync()[0], 0.7 / 3, 1e-6);
});

Deno.test("Eq. 10: Δs = |s^{t−1} − y| per sample", () => {
  const d = slackDelta([0.4, 0.9], [0.5, 0.5]);
  assertAlmostEquals(d[0], 0.1, 1e-6);
  assertAlmostEquals(d[1], 0.4, 1e-6);
});

Deno.test("Eq. 13: slack L1 is zero inside [y − Δs, y + Δs] and linear outside", () => {
  const delta = tf.tensor1d([0.1, 0.1, 0.5]);
  // |s − y| = [0, 0.3, 0.4]; minus Δs = [−0.1, 0.2, −0.1]; max(0, ·) = [0, 0.2, 0]; mean 0.0667
  assertAlmostEquals(slackL1(s, y, delta).dataSync()[0], 0.2 / 3, 1e-6);
  // gradient: 0 inside the interval, sign(s − y)/B outside
  const g = tf.grad((v: tf.Tensor) => slackL1(v, y, delta))(s).dataSync();
  assertAlmostEquals(g[0], 0, 1e-7);
  assertAlmostEquals(g[1], -1 / 3, 1e-6);
  assertAlmostEquals(g[2], 0, 1e-7);
  // linear outside: moving s further by 0.1 adds 0.1 / B
  const further = tf.tensor2d([[0.5], [0.1], [0.9]]);
  assertAlmostEquals(slackL1(further, y, delta).dataSync()[0], 0.3 / 3, 1e-6);
  // with Δs = 0 it is the plain L1 of Eq. 9
  assertAlmostEquals(slackL1(s, y, tf.zeros([3])).dataSync()[0], 0.7 / 3, 1e-6);
});
