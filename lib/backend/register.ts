/**
 * Registers (and can undo) the training kernels for the `wasm` backend: the missing
 * `Conv2DBackpropFilter`, a faster `Conv2DBackpropInput` and a cheaper `FusedBatchNorm` gradient
 * (issue 2.3).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import type { GradConfig, KernelConfig } from "@tensorflow/tfjs-core";
import { conv2DBackpropFilterConfig, conv2DBackpropInputConfig } from "./wasm_kernels.ts";
import { fusedBatchNormGradConfig } from "./batchnorm_grad.ts";

/**
 * Which kernel set to use on wasm:
 * - "fast": every kernel of lib/backend (the default);
 * - "stock": only the missing `Conv2DBackpropFilter`, everything else as tfjs ships it (for the
 *   bench's baseline).
 */
export type KernelMode = "fast" | "stock";

const stock = {
  input: undefined as KernelConfig | undefined,
  bnGrad: undefined as GradConfig | undefined,
  saved: false,
};

function saveStock(): void {
  if (stock.saved) return;
  stock.input = tf.getKernel("Conv2DBackpropInput", "wasm");
  stock.bnGrad = tf.getGradient("FusedBatchNorm");
  stock.saved = true;
}

function setKernel(config: KernelConfig): void {
  if (tf.getKernel(config.kernelName, config.backendName)) {
    tf.unregisterKernel(config.kernelName, config.backendName);
  }
  tf.registerKernel(config);
}

function setGradient(config: GradConfig): void {
  // tfjs warns when a gradient is overridden; the override is intended here.
  const warn = console.warn;
  console.warn = () => {};
  try {
    tf.registerGradient(config);
  } finally {
    console.warn = warn;
  }
}

/**
 * Registers the wasm training kernels for `mode` and returns a one-line description. The
 * `FusedBatchNorm` gradient is global (all backends) and is part of "fast".
 */
// deno-lint-ignore require-await
export async function registerTrainingKernels(mode: KernelMode = "fast"): Promise<string> {
  saveStock();
  setKernel(conv2DBackpropFilterConfig);
  if (mode === "stock") {
    if (stock.input) setKernel(stock.input);
    if (stock.bnGrad) setGradient(stock.bnGrad);
    return "wasm kernels: stock + Conv2DBackpropFilter";
  }
  setKernel(conv2DBackpropInputConfig);
  setGradient(fusedBatchNormGradConfig);
  return "wasm kernels: XNNPACK Conv2DBackpropFilter/Conv2DBackpropInput, broadcast BN gradient";
}
