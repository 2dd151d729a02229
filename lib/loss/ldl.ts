/**
 * Label-distribution learning: the temperature softmax, cross-entropy, the KL term against the
 * ancestor's distribution, and their α mix (docs/method.md, "Label distribution learning":
 * Eqs. 3–7). Pure tensor functions; every loss is the mean over the batch.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";

/** Eq. 3: p_i = exp(z_i/τ) / Σ_j exp(z_j/τ), row-wise over `[B, k]` logits. */
export function softmaxT(z: tf.Tensor2D, tau = 1): tf.Tensor2D {
  return tf.tidy(() => tf.softmax(tau === 1 ? z : tf.div(z, tau)) as tf.Tensor2D);
}

/** log p at temperature τ (numerically stable). */
export function logSoftmaxT(z: tf.Tensor2D, tau = 1): tf.Tensor2D {
  return tf.tidy(() => tf.logSoftmax(tau === 1 ? z : tf.div(z, tau)) as tf.Tensor2D);
}

/** Eq. 4: L_ce = mean_b( −Σ_i o_i ln p_i ) with τ = 1 and o the one-hot of the class index. */
export function crossEntropy(z: tf.Tensor2D, classIndex: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => {
    const o = tf.oneHot(tf.cast(classIndex, "int32"), z.shape[1]);
    return tf.neg(tf.mean(tf.sum(tf.mul(o, logSoftmaxT(z)), 1))) as tf.Scalar;
  });
}

/**
 * Cross-entropy against a soft target distribution q: mean_b(−Σ_i q_i ln p_i) (τ = 1). With q the
 * one-hot o this is Eq. 4; with a Gaussian around the age it is the DLDL baseline's loss.
 */
export function softCrossEntropy(z: tf.Tensor2D, q: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => tf.neg(tf.mean(tf.sum(tf.mul(q, logSoftmaxT(z)), 1))) as tf.Scalar);
}

/** A discretised Gaussian N(classIndex, σ²) over k classes, normalised to sum to one (DLDL). */
export function gaussianLabels(classIndex: tf.Tensor1D, k: number, sigma: number): tf.Tensor2D {
  return tf.tidy(() => {
    const d = tf.sub(
      tf.reshape(tf.range(0, k), [1, k]),
      tf.reshape(tf.cast(classIndex, "float32"), [-1, 1]),
    );
    const g = tf.exp(tf.div(tf.neg(tf.square(d)), 2 * sigma * sigma));
    return tf.div(g, tf.sum(g, 1, true)) as tf.Tensor2D;
  });
}

/**
 * Eq. 5: L_kl = mean_b Σ_i p^{t−1}_i ln(p^{t−1}_i / p^t_i), with p^t = softmax(z/τ) and the
 * ancestor's `pAncestor` already at τ. Terms with p^{t−1}_i = 0 contribute 0. Its gradient w.r.t.
 * z equals that of −Σ p^{t−1} ln p^t (Eq. 6): (p^t − p^{t−1}) / τ per sample.
 */
export function klDivergence(pAncestor: tf.Tensor2D, z: tf.Tensor2D, tau: number): tf.Scalar {
  return tf.tidy(() => {
    const p = pAncestor; // a constant target: gradients flow only into z
    const safeLog = tf.log(tf.maximum(p, 1e-30));
    const plogp = tf.where(tf.greater(p, 0), tf.mul(p, safeLog), tf.zerosLike(p));
    const cross = tf.mul(p, logSoftmaxT(z, tau));
    return tf.mean(tf.sum(tf.sub(plogp, cross), 1)) as tf.Scalar;
  });
}

/** Eq. 7: L_ldl = α·L_kl + (1 − α)·L_ce. */
export function ldlLoss(kl: tf.Scalar, ce: tf.Scalar, alpha: number): tf.Scalar {
  return tf.tidy(() => tf.add(tf.mul(kl, alpha), tf.mul(ce, 1 - alpha)) as tf.Scalar);
}
