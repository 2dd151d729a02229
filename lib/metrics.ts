/**
 * Evaluation metrics (docs/method.md, "Metrics": Eqs. 19–21): MAE, ε-error and cumulative
 * accuracy CA(n).
 *
 * @module
 */

function checkLengths(a: ArrayLike<number>, b: ArrayLike<number>): void {
  if (a.length !== b.length) {
    throw new Error(`length mismatch: ${a.length} predictions, ${b.length} labels`);
  }
  if (a.length === 0) throw new Error("no predictions to score");
}

/** Eq. 19: MAE = mean |ŷ − y| in years. */
export function mae(pred: ArrayLike<number>, age: ArrayLike<number>): number {
  checkLengths(pred, age);
  let s = 0;
  for (let i = 0; i < pred.length; i++) s += Math.abs(pred[i] - age[i]);
  return s / pred.length;
}

/** Eq. 20: ε-error = mean(1 − exp(−(ŷ − μ)² / (2σ²))) against apparent-age mean μ and std σ. */
export function epsilonError(
  pred: ArrayLike<number>,
  mean: ArrayLike<number>,
  std: ArrayLike<number>,
): number {
  checkLengths(pred, mean);
  checkLengths(pred, std);
  let s = 0;
  for (let i = 0; i < pred.length; i++) {
    const d = pred[i] - mean[i];
    s += 1 - Math.exp(-(d * d) / (2 * std[i] * std[i]));
  }
  return s / pred.length;
}

/** Eq. 21: CA(n) = 100 · share of images with |ŷ − y| < n. */
export function cumulativeAccuracy(
  pred: ArrayLike<number>,
  age: ArrayLike<number>,
  n: number,
): number {
  checkLengths(pred, age);
  let hits = 0;
  for (let i = 0; i < pred.length; i++) if (Math.abs(pred[i] - age[i]) < n) hits++;
  return (100 * hits) / pred.length;
}

/** The metrics we report for one generation's test predictions. */
export interface AgeMetrics {
  /** MAE of ŷ (Eq. 18). */
  mae: number;
  /** MAE of ŷ_ldl (Eq. 16). */
  maeLdl: number;
  /** MAE of ŷ_reg (Eq. 17). */
  maeReg: number;
  /** CA(3) of ŷ in percent (Eq. 21). */
  ca3: number;
  /** CA(5) in percent. */
  ca5: number;
  /** CA(7) in percent. */
  ca7: number;
  /** ε-error, where the test set has apparent ages. */
  epsilon?: number;
  /** Test images scored. */
  n: number;
}

/** The final prediction of a model by its heads: ŷ (Eq. 18) for both, else the trained head's. */
export function finalPrediction<T>(
  p: { y: T; yLdl: T; yReg: T },
  heads: "both" | "ldl" | "reg" = "both",
): T {
  return heads === "ldl" ? p.yLdl : heads === "reg" ? p.yReg : p.y;
}

/**
 * Scores CEN's predictions against the true ages (and apparent ages if given). `mae`, CA and ε
 * use the final prediction ({@link finalPrediction}); `maeLdl` and `maeReg` score each head.
 */
export function scoreAges(
  p: { y: ArrayLike<number>; yLdl: ArrayLike<number>; yReg: ArrayLike<number> },
  age: ArrayLike<number>,
  apparent?: { mean: ArrayLike<number>; std: ArrayLike<number> },
  heads: "both" | "ldl" | "reg" = "both",
): AgeMetrics {
  const y = finalPrediction(p, heads);
  return {
    mae: mae(y, age),
    maeLdl: mae(p.yLdl, age),
    maeReg: mae(p.yReg, age),
    ca3: cumulativeAccuracy(y, age, 3),
    ca5: cumulativeAccuracy(y, age, 5),
    ca7: cumulativeAccuracy(y, age, 7),
    ...(apparent ? { epsilon: epsilonError(y, apparent.mean, apparent.std) } : {}),
    n: age.length,
  };
}
