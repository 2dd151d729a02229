/**
 * A cheaper gradient for `FusedBatchNorm`, y = (x − μ)·γ/√(σ² + ε) + β.
 *
 * tfjs's default gradient tiles the per-channel factors to full size and builds several
 * full-size temporaries for each of the five inputs. Here every per-channel factor broadcasts,
 * and the two reductions the parameter gradients need, Σdy and Σ(x − μ)·dy, are computed once:
 *
 *   ∂x = dy·γ·r,  ∂μ = −γ·r·Σdy,  ∂σ² = −½·γ·r³·Σ(x−μ)dy,  ∂γ = r·Σ(x−μ)dy,  ∂β = Σdy,
 *
 * with r = 1/√(σ² + ε) and sums over every axis but the channel one. A gradient registered with
 * `tf.registerGradient` is global: it applies to every backend.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import type { GradConfig, NamedAttrMap, Tensor } from "@tensorflow/tfjs-core";

/** Gradient config for `FusedBatchNorm`, usable with `tf.registerGradient`. */
export const fusedBatchNormGradConfig: GradConfig = {
  kernelName: "FusedBatchNorm",
  inputsToSave: ["x", "mean", "variance", "scale"],
  gradFunc: (dyIn: Tensor | Tensor[], saved: Tensor[], attrs: NamedAttrMap) => {
    const dy = dyIn as Tensor;
    const { varianceEpsilon } = attrs as unknown as { varianceEpsilon: number };
    const [x, mean, variance, scale] = saved;
    const axes = tf.backend_util.getReductionAxes(mean.shape, x.shape);
    const r = tf.rsqrt(tf.add(variance, tf.scalar(varianceEpsilon)));
    const gr = scale == null ? r : tf.mul(r, scale);
    const reduce = (t: Tensor): Tensor =>
      axes.length > 0 ? tf.reshape(tf.sum(t, axes), mean.shape) : t;
    // Σdy and Σ(x − μ)·dy are shared by four inputs: computed once here, in the backward
    // pass's scope (thunks run in their own tidy scopes, so a value cached there would die).
    const sumDy = reduce(dy);
    const sumXmDy = reduce(tf.mul(tf.sub(x, mean), dy));
    return {
      x: () => tf.mul(dy, gr),
      mean: () => tf.reshape(tf.neg(tf.mul(gr, sumDy)), mean.shape),
      variance: () =>
        tf.reshape(tf.mul(tf.mul(tf.mul(gr, tf.square(r)), -0.5), sumXmDy), mean.shape),
      scale: () => tf.reshape(tf.mul(r, sumXmDy), mean.shape),
      offset: () => tf.reshape(sumDy, mean.shape),
    };
  },
};
