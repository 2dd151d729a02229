/**
 * The total losses of CEN: Eq. 14 for the initial ancestor (t = 1) and Eq. 15 for its offspring
 * (t > 1), returning every part so that progress lines and tests can see them.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { crossEntropy, gaussianLabels, klDivergence, ldlLoss, softCrossEntropy } from "./ldl.ts";
import { l1Loss, slackL1 } from "./regression.ts";

/** The loss settings a generation needs (a slice of `CenConfig`). */
export interface LossSettings {
  /** Temperature τ of the KL term (Eqs. 3, 5). */
  tau: number;
  /** Weight α of the KL term against the CE (Eq. 7). */
  alpha: number;
  /** λ_1 of generation 1 (Eq. 14). */
  lambda1: number;
  /** λ_t of generations t > 1 (Eq. 15). */
  lambdaT: number;
  /** [choice] Multiply L_kl by τ². */
  klTauSquared: boolean;
  /** Table 1: train both heads (CEN), only the LDL head, or only the regression head. */
  heads?: "both" | "ldl" | "reg";
  /** σ > 0: Gaussian label distribution instead of the one-hot target (DLDL baseline). */
  labelSigma?: number;
  /** [ablation] Offspring regress with Eq. 13's slack ℓ1 (default) or Eq. 9's plain ℓ1. */
  offspringRegression?: "slack" | "l1";
}

/** Per-batch targets. `pAncestor` is needed for t > 1, and `deltaAncestor` for the slack ℓ1. */
export interface LossTargets {
  /** Class index l − l_1 of each sample, `[B]`. */
  classIndex: tf.Tensor1D;
  /** Normalised age y (Eq. 1), `[B]`. */
  y: tf.Tensor1D;
  /** The ancestor's p^{t−1} at τ, `[B, k]`. */
  pAncestor?: tf.Tensor2D;
  /** The ancestor's slack Δs^{t−1} (Eq. 10), `[B]`. */
  deltaAncestor?: tf.Tensor1D;
}

/**
 * Each part of a generation's loss; `kl` and `slack` are absent at t = 1, `l1` at t > 1 (unless
 * the offspring regress with the plain ℓ1, `offspringRegression: "l1"`, in place of `slack`).
 */
export interface LossParts {
  /** The total loss: Eq. 14 at t = 1, Eq. 15 after. */
  total: tf.Scalar;
  /** L_ce (Eq. 4). */
  ce: tf.Scalar;
  /** L_ℓ1 (Eq. 9), at t = 1 (and at t > 1 with `offspringRegression: "l1"`). */
  l1?: tf.Scalar;
  /** L_kl (Eq. 5), at t > 1. */
  kl?: tf.Scalar;
  /** L_slack (Eqs. 10–13), at t > 1. */
  slack?: tf.Scalar;
}

/**
 * Eq. 14 (t = 1): L = L_ce + λ_1·L_ℓ1.
 * Eq. 15 (t > 1): L = α·L_kl + (1 − α)·L_ce + λ_t·L_slack; with `offspringRegression: "l1"`,
 * λ_t·L_ℓ1 (Eq. 9) in place of the slack term.
 * With `heads: "ldl"` only the LDL part is trained (L_ce, or α·L_kl + (1 − α)·L_ce), with
 * `heads: "reg"` only the regression part (λ_1·L_ℓ1, or λ_t·L_slack): Table 1's single-head rows,
 * in every generation; every part is reported in every case.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import { cenLoss, normalizeAge } from "../mod.ts";
 * const z = tf.randomNormal([2, 62]) as tf.Tensor2D; // logits of two faces, ages 16–77
 * const s = tf.tensor1d([0.4, 0.6]); // their regression outputs
 * const ages = [30, 50];
 * const targets = {
 *   classIndex: tf.tensor1d(ages.map((a) => a - 16), "int32"),
 *   y: tf.tensor1d(ages.map((a) => normalizeAge(a, 16, 77))), // Eq. 1
 * };
 * const settings = { tau: 2, alpha: 0.5, lambda1: 4, lambdaT: 4, klTauSquared: false };
 * const { total, ce, l1 } = cenLoss(1, z, s, targets, settings); // Eq. 14
 * console.log(total.dataSync()[0], ce.dataSync()[0], l1!.dataSync()[0]);
 * ```
 */
export function cenLoss(
  generation: number,
  z: tf.Tensor2D,
  s: tf.Tensor,
  targets: LossTargets,
  settings: LossSettings,
): LossParts {
  return tf.tidy(() => {
    const heads = settings.heads ?? "both";
    const sigma = settings.labelSigma ?? 0;
    const ce = sigma > 0
      ? softCrossEntropy(z, gaussianLabels(targets.classIndex, z.shape[1], sigma))
      : crossEntropy(z, targets.classIndex);
    const combine = (ldl: tf.Scalar, reg: tf.Scalar, lambda: number) =>
      heads === "ldl"
        ? ldl
        : heads === "reg"
        ? tf.mul(reg, lambda) as tf.Scalar
        : tf.add(ldl, tf.mul(reg, lambda)) as tf.Scalar;
    if (generation === 1) {
      const l1 = l1Loss(s, targets.y);
      return { total: combine(ce, l1, settings.lambda1), ce, l1 };
    }
    const plain = settings.offspringRegression === "l1";
    if (!targets.pAncestor || (!plain && !targets.deltaAncestor)) {
      throw new Error(`generation ${generation} needs the ancestor's p^{t-1} and Δs^{t-1}`);
    }
    let kl = klDivergence(targets.pAncestor, z, settings.tau);
    if (settings.klTauSquared) kl = tf.mul(kl, settings.tau * settings.tau) as tf.Scalar;
    const ldl = ldlLoss(kl, ce, settings.alpha);
    if (plain) {
      const l1 = l1Loss(s, targets.y);
      return { total: combine(ldl, l1, settings.lambdaT), ce, kl, l1 };
    }
    const slack = slackL1(s, targets.y, targets.deltaAncestor!);
    return { total: combine(ldl, slack, settings.lambdaT), ce, kl, slack };
  });
}
