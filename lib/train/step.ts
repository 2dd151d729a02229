/**
 * One training step of generation t: forward in training mode, the loss of Eq. 14 or 15, its
 * gradients, and an SGD update. Returns the loss parts as numbers for progress lines.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import type * as tfl from "@tensorflow/tfjs-layers";
import { cenLoss, type LossSettings, type LossTargets } from "../loss/cen.ts";
import { type Sgd, sgdStep } from "./sgd.ts";

/** The loss parts of one step, as numbers (absent parts are undefined). */
export interface StepLosses {
  total: number;
  ce: number;
  l1?: number;
  kl?: number;
  slack?: number;
}

/** The variables a model trains (in a fixed order). */
export function trainableVariables(model: tfl.LayersModel): tf.Variable[] {
  return model.trainableWeights.map((w) => w.read() as tf.Variable);
}

/** One SGD step on a batch. `x` is the normalised input, targets are built by the caller. */
export function trainStep(
  model: tfl.LayersModel,
  sgd: Sgd,
  x: tf.Tensor4D,
  targets: LossTargets,
  generation: number,
  settings: LossSettings,
  hp: { lr: number; momentum: number; weightDecay: number },
): StepLosses {
  const names: (keyof StepLosses)[] = [];
  const parts = tf.tidy(() => {
    let kept: tf.Scalar[] = [];
    const { grads } = tf.variableGrads(() => {
      const [z, s] = model.apply(x, { training: true }) as tf.Tensor[];
      const loss = cenLoss(generation, z as tf.Tensor2D, s, targets, settings);
      for (const [k, v] of Object.entries(loss)) {
        if (v) {
          names.push(k as keyof StepLosses);
          kept.push(tf.keep(v));
        }
      }
      return loss.total;
    }, sgd.variables);
    sgdStep(sgd, sgd.variables.map((v) => grads[v.name]), hp);
    const stacked = tf.stack(kept);
    tf.dispose(kept);
    kept = [];
    return stacked;
  });
  const values = parts.dataSync();
  parts.dispose();
  const out: StepLosses = { total: NaN, ce: NaN };
  names.forEach((k, i) => (out[k] = values[i]));
  return out;
}
