/**
 * Lets the stem convolution skip its input gradient.
 *
 * tfjs-layers' Conv2D calls `tf.fused.conv2d`, whose custom gradient computes the gradient
 * w.r.t. the input eagerly, even for the first layer, whose input is the image (the largest
 * backprop-input of the network). Without bias and activation a fused conv is a plain
 * `tf.conv2d`, whose gradient is computed only for inputs that need one. This replaces the
 * `fused.conv2d` entry of tfjs-core's module object (read by tfjs-layers at call time) with one
 * that routes that case to `tf.conv2d`; {@link uninstallFusedConv} restores it.
 *
 * @module
 */
import tfc from "@tensorflow/tfjs-core";
import * as tf from "@tensorflow/tfjs-core";

type Fn = (args: Record<string, unknown>) => tf.Tensor;
const fused = (tfc as unknown as { fused: Record<string, Fn> }).fused;
let original: Fn | undefined;

function conv2d(args: Record<string, unknown>): tf.Tensor {
  const a = args as {
    x: tf.Tensor4D;
    filter: tf.Tensor4D;
    strides: number | [number, number];
    pad: "valid" | "same" | number;
    dataFormat?: "NHWC" | "NCHW";
    dilations?: number | [number, number];
    dimRoundingMode?: "floor" | "round" | "ceil";
    bias?: tf.Tensor;
    activation?: string;
    preluActivationWeights?: tf.Tensor;
  };
  const plain = a.bias == null && a.preluActivationWeights == null &&
    (a.activation ?? "linear") === "linear";
  if (!plain) return original!(args);
  return tf.conv2d(a.x, a.filter, a.strides, a.pad, a.dataFormat, a.dilations, a.dimRoundingMode);
}

/** Routes bias-free, linear `tf.fused.conv2d` calls to `tf.conv2d`. */
export function installFusedConv(): void {
  if (original) return;
  original = fused.conv2d;
  fused.conv2d = conv2d;
}

/** Restores tfjs-core's own `fused.conv2d`. */
export function uninstallFusedConv(): void {
  if (!original) return;
  fused.conv2d = original;
  original = undefined;
}
