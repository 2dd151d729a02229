/**
 * The losses of every equation: label distribution learning (Eqs. 1–7: softmax at
 * temperature τ, cross-entropy, KL divergence), regression (Eqs. 8–13: ℓ1 and the slack ℓ1) and
 * the total losses of generation 1 and of an offspring (Eqs. 14–15).
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import { softmaxT } from "./mod.ts";
 * softmaxT(tf.tensor2d([[2, 1, 0]]), 2).print(); // Eq. 5: the distribution at τ = 2
 * ```
 *
 * @module
 */
export * from "./ldl.ts";
export * from "./regression.ts";
export * from "./cen.ts";
