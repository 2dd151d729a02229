import * as tf from "@tensorflow/tfjs-core";
import { assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import { initBackend } from "../../lib/backend/mod.ts";
import { cenLoss, type LossSettings } from "../../lib/loss/cen.ts";

await initBackend();

const settings: LossSettings = { tau: 2, alpha: 0.5, lambda1: 4, lambdaT: 3, klTauSquared: false };
const z = tf.tensor2d([[1, 2, 3], [0, 0, 0]]);
const s = tf.tensor2d([[0.5], [0.2]]);
const targets = { classIndex: tf.tensor1d([2, 0], "int32"), y: tf.tensor1d([0.5, 0.5]) };
const CE = 0.7531091265562451; // see ldl_test.ts

Deno.test("Eq. 14: L¹ = L_ce + λ_1·L_ℓ1", () => {
  const parts = cenLoss(1, z, s, targets, settings);
  // L_ℓ1 = (0 + 0.3) / 2 = 0.15
  assertAlmostEquals(parts.l1!.dataSync()[0], 0.15, 1e-6);
  assertAlmostEquals(parts.total.dataSync()[0], CE + 4 * 0.15, 1e-5);
  assertEquals(parts.kl, undefined);
});

Deno.test("Eq. 15: Lᵗ = α·L_kl + (1 − α)·L_ce + λ_t·L_slack", () => {
  const pAncestor = tf.tensor2d([[0.2, 0.3, 0.5], [0, 0.5, 0.5]]);
  const deltaAncestor = tf.tensor1d([0.0, 0.1]);
  const parts = cenLoss(2, z, s, { ...targets, pAncestor, deltaAncestor }, settings);
  // KL row 1: 0.000616657 (ldl_test.ts); row 2: p^t = softmax(0) = 1/3 each:
  // 0.5 ln(0.5·3)·2 = ln 1.5 = 0.405465108; mean 0.203040882
  const kl = (0.0006166565771609988 + Math.log(1.5)) / 2;
  assertAlmostEquals(parts.kl!.dataSync()[0], kl, 1e-6);
  // slack: |s − y| = [0, 0.3] − Δs [0, 0.1] → [0, 0.2], mean 0.1
  assertAlmostEquals(parts.slack!.dataSync()[0], 0.1, 1e-6);
  assertAlmostEquals(parts.total.dataSync()[0], 0.5 * kl + 0.5 * CE + 3 * 0.1, 1e-5);
  const squared = cenLoss(2, z, s, { ...targets, pAncestor, deltaAncestor }, {
    ...settings,
    klTauSquared: true,
  });
  assertAlmostEquals(squared.kl!.dataSync()[0], 4 * kl, 1e-5);
});

Deno.test("the plain-ℓ1 offspring: λ_t·L_ℓ1 (Eq. 9) in place of the slack, no Δs needed", () => {
  const pAncestor = tf.tensor2d([[0.2, 0.3, 0.5], [0, 0.5, 0.5]]);
  const plain = { ...settings, offspringRegression: "l1" as const };
  const parts = cenLoss(2, z, s, { ...targets, pAncestor }, plain);
  const kl = (0.0006166565771609988 + Math.log(1.5)) / 2; // as in Eq. 15's test above
  assertAlmostEquals(parts.l1!.dataSync()[0], 0.15, 1e-6); // |s − y| = [0, 0.3], no interval
  assertEquals(parts.slack, undefined);
  assertAlmostEquals(parts.total.dataSync()[0], 0.5 * kl + 0.5 * CE + 3 * 0.15, 1e-5);
  assertThrows(() => cenLoss(2, z, s, targets, plain), Error, "ancestor"); // p^{t−1} still needed
});

Deno.test("Eq. 15 without the ancestor's outputs is an error", () => {
  assertThrows(() => cenLoss(2, z, s, targets, settings), Error, "ancestor");
});

Deno.test("Table 1 single-head rows: heads 'ldl' trains only L_ldl, 'reg' only λ·L_ℓ1", () => {
  const ldl = cenLoss(1, z, s, targets, { ...settings, heads: "ldl" });
  assertAlmostEquals(ldl.total.dataSync()[0], CE, 1e-5);
  const reg = cenLoss(1, z, s, targets, { ...settings, heads: "reg" });
  assertAlmostEquals(reg.total.dataSync()[0], 4 * 0.15, 1e-5);
});
