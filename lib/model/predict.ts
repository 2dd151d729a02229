/**
 * Prediction (docs/method.md, "Prediction": Eqs. 16–18): the expected age under the LDL
 * distribution, the de-normalised regression output, and their average, for batches of images.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import type * as tfl from "@tensorflow/tfjs-layers";
import type { SampleSource } from "../data/types.ts";
import { toInput } from "./input.ts";
import { softmaxT } from "../loss/ldl.ts";

/** Age range of a model's classes. */
export interface AgeRange {
  /** The youngest age class l_1. */
  minAge: number;
  /** The oldest age class l_k. */
  maxAge: number;
}

/** Eq. 16: ŷ_ldl = Σ_i p_i · l_i for one distribution over ages minAge … maxAge. */
export function expectedAge(p: ArrayLike<number>, minAge: number): number {
  let sum = 0;
  for (let i = 0; i < p.length; i++) sum += p[i] * (minAge + i);
  return sum;
}

/** Eq. 17: ŷ_reg = (l_k − l_1)·s + l_1. */
export function regressionAge(s: number, range: AgeRange): number {
  return (range.maxAge - range.minAge) * s + range.minAge;
}

/** Eq. 18: ŷ = (ŷ_ldl + ŷ_reg) / 2. */
export function combinedAge(yLdl: number, yReg: number): number {
  return (yLdl + yReg) / 2;
}

/** A model's outputs on `n` images. */
export interface Predictions {
  /** p at the requested τ, `n × k` row-major. */
  p: Float32Array;
  /** Regression output s (normalised), `n`. */
  s: Float32Array;
  /** ŷ_ldl, ŷ_reg, ŷ (Eqs. 16–18), computed from p at τ = 1. */
  yLdl: Float32Array;
  /** ŷ_reg (Eq. 17), `n`. */
  yReg: Float32Array;
  /** ŷ (Eq. 18), `n`. */
  y: Float32Array;
}

/** Runs the model on one batch of normalised inputs; `tau` sets the distribution returned in `p`. */
export function predictTensor(
  model: tfl.LayersModel,
  x: tf.Tensor4D,
  range: AgeRange,
  tau = 1,
): Predictions {
  const [pT, p1, sT] = tf.tidy(() => {
    const [z, s] = model.predict(x) as tf.Tensor[];
    const p1 = softmaxT(z as tf.Tensor2D, 1);
    return [tau === 1 ? p1.clone() : softmaxT(z as tf.Tensor2D, tau), p1, tf.reshape(s, [-1])];
  });
  const p = pT.dataSync() as Float32Array;
  const pOne = p1.dataSync() as Float32Array;
  const s = sT.dataSync() as Float32Array;
  tf.dispose([pT, p1, sT]);
  const n = s.length;
  const k = range.maxAge - range.minAge + 1;
  const yLdl = new Float32Array(n), yReg = new Float32Array(n), y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    yLdl[i] = expectedAge(pOne.subarray(i * k, (i + 1) * k), range.minAge);
    yReg[i] = regressionAge(s[i], range);
    y[i] = combinedAge(yLdl[i], yReg[i]);
  }
  return { p, s, yLdl, yReg, y };
}

/** Predicts every image of a source in index order (no augmentation). */
export async function predictSource(
  model: tfl.LayersModel,
  source: SampleSource,
  range: AgeRange,
  options: { batchSize?: number; tau?: number } = {},
): Promise<Predictions & { indices: Int32Array }> {
  const n = source.length, k = range.maxAge - range.minAge + 1, size = source.imageSize;
  const out = {
    p: new Float32Array(n * k),
    s: new Float32Array(n),
    yLdl: new Float32Array(n),
    yReg: new Float32Array(n),
    y: new Float32Array(n),
    indices: new Int32Array(n),
  };
  let at = 0;
  for await (
    const b of source.batches({
      batchSize: options.batchSize ?? 64,
      shuffle: false,
      augment: false,
      seed: 0,
      epoch: 0,
    })
  ) {
    const m = b.ages.length;
    const x = toInput(b.x, m, size);
    const pr = predictTensor(model, x, range, options.tau ?? 1);
    x.dispose();
    for (let j = 0; j < m; j++) {
      const i = b.indices[j];
      out.p.set(pr.p.subarray(j * k, (j + 1) * k), i * k);
      out.s[i] = pr.s[j];
      out.yLdl[i] = pr.yLdl[j];
      out.yReg[i] = pr.yReg[j];
      out.y[i] = pr.y[j];
      out.indices[at++] = i;
    }
  }
  return out;
}

/** Predicts a list of images (`size × size × 3` bytes each). */
export function predictImages(
  model: tfl.LayersModel,
  images: readonly Uint8Array[],
  size: number,
  range: AgeRange,
  tau = 1,
): Predictions {
  const per = size * size * 3;
  const all = new Uint8Array(images.length * per);
  images.forEach((img, i) => all.set(img, i * per));
  const x = toInput(all, images.length, size);
  try {
    return predictTensor(model, x, range, tau);
  } finally {
    x.dispose();
  }
}
