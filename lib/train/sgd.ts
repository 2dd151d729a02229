/**
 * SGD with momentum and (coupled) weight decay, as PyTorch's `torch.optim.SGD` computes it:
 * g ← ∇ + wd·w;  v ← μ·v + g;  w ← w − lr·v.  Its state (one velocity per weight) is saved in
 * checkpoints so a resumed run continues exactly.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { sgdMomentumUpdate } from "../backend/sgd_update.ts";

/** The optimizer: its velocities, in the order of the variables it was created for. */
export interface Sgd {
  readonly variables: tf.Variable[];
  readonly velocities: tf.Variable[];
}

/** Creates an optimizer for `variables` with zero velocities. */
export function createSgd(variables: tf.Variable[]): Sgd {
  return {
    variables,
    velocities: variables.map((v) => tf.variable(tf.zerosLike(v), false)),
  };
}

/**
 * Applies one update with `grads` (same order as `sgd.variables`). A variable without a gradient
 * (not on the loss's path, e.g. the unused head of a single-head run) is left untouched, as
 * PyTorch's SGD skips parameters whose `.grad` is None. On `wasm` each variable's update is one
 * fused kernel (lib/backend/sgd_update.ts: one rounding to float32 per result instead of one
 * per op); elsewhere it is six tfjs ops.
 */
export function sgdStep(
  sgd: Sgd,
  grads: (tf.Tensor | null | undefined)[],
  hp: { lr: number; momentum: number; weightDecay: number },
): void {
  sgd.variables.forEach((w, i) => {
    const grad = grads[i];
    if (grad) sgdMomentumUpdate(w, sgd.velocities[i], grad, hp);
  });
}

/** The velocities as named tensors (`v0`, `v1`, …) for a checkpoint. */
export function sgdState(sgd: Sgd): tf.NamedTensorMap {
  return Object.fromEntries(sgd.velocities.map((v, i) => [`v${i}`, v]));
}

/** Restores velocities saved by {@link sgdState}; shapes must match. */
export function loadSgdState(sgd: Sgd, state: tf.NamedTensorMap): void {
  sgd.velocities.forEach((v, i) => {
    const saved = state[`v${i}`];
    if (!saved || saved.shape.join() !== v.shape.join()) {
      throw new Error(`optimizer state does not match the model (velocity ${i})`);
    }
    v.assign(saved);
  });
}

/** Disposes the velocities. */
export function disposeSgd(sgd: Sgd): void {
  tf.dispose(sgd.velocities);
}

/** Step schedule: lr · γ^⌊epoch / step⌋ (epoch counted from 0). */
export function learningRate(
  epoch: number,
  o: { lr: number; lrStepEpochs: number; lrGamma: number },
): number {
  return o.lr * Math.pow(o.lrGamma, Math.floor(epoch / o.lrStepEpochs));
}
