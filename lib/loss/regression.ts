/**
 * Slack regression (docs/method.md, "Slack regression": Eqs. 1, 9, 10, 13): the normalised age
 * target, the plain L1 loss of generation 1, the ancestor's slack Δs, and the slack L1 of later
 * generations.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";

/** Eq. 1: y = (l − l_1) / (l_k − l_1). */
export function normalizeAge(age: number, minAge: number, maxAge: number): number {
  return (age - minAge) / (maxAge - minAge);
}

/** Eq. 9: L_ℓ1 = mean |s − y|, `s` of shape `[B, 1]` or `[B]`, `y` of shape `[B]`. */
export function l1Loss(s: tf.Tensor, y: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.abs(tf.sub(tf.reshape(s, [-1]), y))) as tf.Scalar);
}

/** Eq. 10: Δs^{t−1} = |s^{t−1} − y| per sample (plain numbers: the ancestor store holds them). */
export function slackDelta(sAncestor: ArrayLike<number>, y: ArrayLike<number>): Float32Array {
  return Float32Array.from({ length: y.length }, (_, i) => Math.abs(sAncestor[i] - y[i]));
}

/** Eq. 13: L_slack = mean max(0, |s − y| − Δs^{t−1}): zero inside [y − Δs, y + Δs]. */
export function slackL1(s: tf.Tensor, y: tf.Tensor1D, delta: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() =>
    tf.mean(
      tf.relu(tf.sub(tf.abs(tf.sub(tf.reshape(s, [-1]), y)), delta)),
    ) as tf.Scalar
  );
}
