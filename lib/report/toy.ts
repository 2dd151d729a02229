/**
 * Small worked examples for the notebooks' method sections: plain numbers in, the library's own
 * tensor functions (lib/loss, lib/predict) in between, plain numbers out for a table or a plot.
 * Nothing here implements an equation of the paper; it only builds inputs and reads results.
 *
 * - `bumpLogits(range, bumps)`: toy logits over the ages of `range`, one bump per `{age, height}`.
 * - `toNumber(t)`, `toArray(t)`, `toRows(t)`: read a tensor back as numbers and dispose it.
 * - `mapScalar(xs, f)`: evaluates a scalar-valued tensor function at each x (e.g. a loss against
 *   one varying output), for plotting it as a curve.
 * - `fitLogits(loss, init)`: the logits one free face would end up with if it minimised `loss`
 *   alone (gradient descent), e.g. what Eq. 7 pulls a distribution toward.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import { softmaxT } from "../loss/ldl.ts";
 * const z = bumpLogits({ minAge: 16, maxAge: 77 }, [{ age: 41, height: 6 }, { age: 51, height: 5 }]);
 * const p = toArray(softmaxT(tf.tensor2d([z]), 2)); // Eq. 3 at τ = 2, 62 probabilities
 * ```
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";

/** One bump of {@link bumpLogits}: a Gaussian-shaped rise of the logits around `age`. */
export interface Bump {
  /** Centre of the bump, in years. */
  age: number;
  /** Logit added at the centre. */
  height: number;
  /** Standard deviation in years (default 3). */
  width?: number;
}

/**
 * Toy logits z_i over the ages l_i = minAge … maxAge: the sum of the bumps
 * `height · exp(−(l_i − age)² / (2·width²))` (0 far from every bump). A face "seen" by a network
 * as one of two ages, like the paper's Figure 3 example (peaks at 41 and 51), is two bumps.
 */
export function bumpLogits(
  range: { minAge: number; maxAge: number },
  bumps: readonly Bump[],
): number[] {
  if (!(range.maxAge > range.minAge)) {
    throw new RangeError(`bumpLogits: empty age range ${range.minAge}–${range.maxAge}`);
  }
  const z: number[] = [];
  for (let age = range.minAge; age <= range.maxAge; age++) {
    let v = 0;
    for (const b of bumps) {
      const w = b.width ?? 3;
      if (!(w > 0)) throw new RangeError(`bumpLogits: width must be > 0, got ${w}`);
      v += b.height * Math.exp(-((age - b.age) ** 2) / (2 * w * w));
    }
    z.push(v);
  }
  return z;
}

/** The single value of a tensor (a scalar loss, or any one-element tensor); disposes it. */
export function toNumber(t: tf.Tensor): number {
  try {
    if (t.size !== 1) throw new RangeError(`toNumber: tensor has ${t.size} values, not 1`);
    return t.dataSync()[0];
  } finally {
    t.dispose();
  }
}

/** Every value of a tensor, flattened in row-major order; disposes it. */
export function toArray(t: tf.Tensor): number[] {
  try {
    return Array.from(t.dataSync());
  } finally {
    t.dispose();
  }
}

/** The rows of a `[B, k]` tensor as `B` arrays of `k` numbers; disposes it. */
export function toRows(t: tf.Tensor2D): number[][] {
  try {
    if (t.rank !== 2) throw new RangeError(`toRows: want a rank-2 tensor, got rank ${t.rank}`);
    return t.arraySync();
  } finally {
    t.dispose();
  }
}

/**
 * `f(x)` for each x, each read back as a number (intermediate tensors are freed): e.g. a loss of
 * one sample as its output s varies, `mapScalar(grid, (s) => l1Loss(tf.tensor1d([s]), y))`.
 */
export function mapScalar(xs: readonly number[], f: (x: number) => tf.Tensor): number[] {
  return xs.map((x) => toNumber(tf.tidy(() => f(x))));
}

/** `n` evenly spaced numbers from `from` to `to`, both included. */
export function linspace(from: number, to: number, n: number): number[] {
  if (!Number.isInteger(n) || n < 2) throw new RangeError(`linspace: n must be ≥ 2, got ${n}`);
  return Array.from({ length: n }, (_, i) => from + ((to - from) * i) / (n - 1));
}

/** Options of {@link fitLogits}. */
export interface FitOptions {
  /** Gradient-descent steps (default 500). */
  steps?: number;
  /** Step size (default 2). */
  lr?: number;
}

/**
 * Minimises `loss(z)` over one free row of logits by plain gradient descent from `init`, and
 * returns the final logits: what a face's distribution would become if nothing but this loss
 * shaped it (no network, no other face). `loss` receives z as a `[1, k]` tensor.
 */
export function fitLogits(
  loss: (z: tf.Tensor2D) => tf.Scalar,
  init: readonly number[],
  options: FitOptions = {},
): number[] {
  const steps = options.steps ?? 500, lr = options.lr ?? 2;
  const grad = tf.grad((z: tf.Tensor) => loss(z as tf.Tensor2D));
  let z = tf.tensor2d([Array.from(init)]);
  for (let i = 0; i < steps; i++) {
    const next = tf.tidy(() => tf.sub(z, tf.mul(grad(z), lr)) as tf.Tensor2D);
    z.dispose();
    z = next;
  }
  return toArray(z);
}
