/**
 * Turns a batch of 0–255 RGB bytes into the network's input: `(x/255 − mean) / std` with the
 * ImageNet statistics, NHWC float32. The saved model's metadata records the same constants so a
 * browser user can reproduce it.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";

/** ImageNet channel mean and std (RGB), the usual normalisation for ResNets. */
export const PIXEL_MEAN = [0.485, 0.456, 0.406] as const;
export const PIXEL_STD = [0.229, 0.224, 0.225] as const;

/** Normalises `n` images of `size × size × 3` bytes into a `[n, size, size, 3]` float tensor. */
export function toInput(pixels: Uint8Array, n: number, size: number): tf.Tensor4D {
  const out = new Float32Array(pixels.length);
  const scale = PIXEL_STD.map((s) => 1 / (255 * s));
  const shift = PIXEL_MEAN.map((m, c) => -m / PIXEL_STD[c]);
  for (let i = 0; i < pixels.length; i += 3) {
    out[i] = pixels[i] * scale[0] + shift[0];
    out[i + 1] = pixels[i + 1] * scale[1] + shift[1];
    out[i + 2] = pixels[i + 2] * scale[2] + shift[2];
  }
  return tf.tensor4d(out, [n, size, size, 3]);
}
