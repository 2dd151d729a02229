/**
 * Registers (and can undo) the training kernels for the `wasm` backend.
 *
 * Every mode but "stock" installs (pure wasm/JS, lib/backend/*):
 * - Conv2DBackpropFilter (missing in tfjs-wasm 4.22) and a faster Conv2DBackpropInput, both as
 *   XNNPACK convolutions (wasm_kernels.ts);
 * - the broadcast FusedBatchNorm gradient (batchnorm_grad.ts) and training-mode batch norm in
 *   four passes (bn_train.ts); the stem conv without its input gradient (fused_conv.ts);
 * - shared-buffer Identity, one-pass Sum/Mean, MaxPoolGrad, contiguous Slice, a fix for
 *   _FusedMatMul's bias (wasm_fast_ops.ts); the fused SGD kernel (sgd_update.ts).
 * With oneDNN ("auto" when it loads, "native") these run there instead: Conv2D, FusedConv2D,
 * both conv backprops, FusedBatchNorm, the batch statistics, the batch-norm and relu gradients,
 * MaxPoolGrad, Sum/Mean
 * over leading axes, BatchMatMul/_FusedMatMul (native_kernels.ts, onednn.ts); each falls back
 * to its pure-wasm kernel for shapes or calls oneDNN does not take.
 *
 * {@link setPrecision} switches those convolutions and matmuls to bfloat16 (float32 accumulation
 * and outputs) where the CPU and oneDNN have it; everything else stays float32.
 *
 * @module
 */
import { envSetting } from "../paths.ts";
import * as tf from "@tensorflow/tfjs-core";
import type { GradConfig, KernelConfig } from "@tensorflow/tfjs-core";
import { conv2DBackpropFilterConfig, conv2DBackpropInputConfig } from "./wasm_kernels.ts";
import { fusedBatchNormGradConfig } from "./batchnorm_grad.ts";
import { loadOneDnn, type OneDnn, type Precision } from "./onednn.ts";
import { nativeKernelConfigs } from "./native_kernels.ts";
import { fastOpConfigs } from "./wasm_fast_ops.ts";
import { installBnTrain, uninstallBnTrain } from "./bn_train.ts";
import { installFusedConv, uninstallFusedConv } from "./fused_conv.ts";
import { reluGradConfig, reluGradKernelConfig } from "./relu_grad.ts";
import { sgdKernelConfig } from "./sgd_update.ts";

/**
 * Which kernel set to use on wasm:
 * - "auto": oneDNN (Debian `libdnnl2`, through FFI) when it loads, else "wasm" (the default;
 *   `CEN_NATIVE=0` forces "wasm");
 * - "native": oneDNN or an error;
 * - "wasm": the pure-wasm set;
 * - "stock": only the missing `Conv2DBackpropFilter`, everything else as tfjs ships it (the
 *   bench's baseline).
 */
export type KernelMode = "auto" | "native" | "wasm" | "stock";

const CONV_KERNELS = ["Conv2D", "FusedConv2D", "Conv2DBackpropInput", "Conv2DBackpropFilter"];
const OP_KERNELS = [
  "Identity",
  "Sum",
  "Mean",
  "MaxPoolGrad",
  "FusedBatchNorm",
  "BatchMatMul",
  "_FusedMatMul",
  "Slice",
];
const REPLACED = [...CONV_KERNELS, ...OP_KERNELS];

const stock = {
  kernels: {} as Record<string, KernelConfig | undefined>,
  bnGrad: undefined as GradConfig | undefined,
  reluGrad: undefined as GradConfig | undefined,
  saved: false,
};

let dnn: OneDnn | string | undefined;
/** oneDNN while the native kernels are registered (modes "auto" with oneDNN, "native"). */
let nativeInUse: OneDnn | undefined;
const said = new Set<string>();

function saveStock(): void {
  if (stock.saved) return;
  for (const k of REPLACED) stock.kernels[k] = tf.getKernel(k, "wasm");
  stock.bnGrad = tf.getGradient("FusedBatchNorm");
  stock.reluGrad = tf.getGradient("Relu");
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

/** oneDNN, loaded once; a string says why it is not available. */
export function oneDnn(): OneDnn | string {
  if (dnn === undefined) {
    try {
      dnn = loadOneDnn();
    } catch (e) {
      dnn = `oneDNN failed to initialise: ${(e as Error).message}`;
    }
  }
  return dnn;
}

/**
 * Registers the wasm training kernels for `mode` and returns a one-line description of what is
 * in use (and, when oneDNN was wanted but is missing, why the pure-wasm kernels are used).
 */
// deno-lint-ignore require-await
export async function registerTrainingKernels(mode: KernelMode = "auto"): Promise<string> {
  saveStock();
  nativeInUse = undefined;
  // sgdMomentumUpdate's kernel: absent in "stock" (it then runs tfjs ops, as tfjs would).
  const hasSgd = !!tf.getKernel(sgdKernelConfig.kernelName, "wasm");
  if (mode === "stock" && hasSgd) tf.unregisterKernel(sgdKernelConfig.kernelName, "wasm");
  if (mode !== "stock" && !hasSgd) tf.registerKernel(sgdKernelConfig);
  for (const k of REPLACED) {
    const s = stock.kernels[k];
    if (s) setKernel(s);
  }
  setKernel(conv2DBackpropFilterConfig);
  if (mode === "stock") {
    uninstallBnTrain();
    uninstallFusedConv();
    if (stock.bnGrad) setGradient(stock.bnGrad);
    if (stock.reluGrad) setGradient(stock.reluGrad);
    return "wasm kernels: stock + Conv2DBackpropFilter";
  }
  setKernel(conv2DBackpropInputConfig);
  setGradient(fusedBatchNormGradConfig);
  installBnTrain();
  installFusedConv();
  if (stock.reluGrad) setGradient(stock.reluGrad);
  const pure = "XNNPACK Conv2DBackpropFilter/Conv2DBackpropInput, 4-pass training BN, " +
    "no stem input gradient";
  let wantNative = mode === "native" || mode === "auto";
  if (mode === "auto" && envSetting("CEN_NATIVE") === "0") wantNative = false;
  if (!wantNative) {
    for (const k of fastOpConfigs(stock.kernels)) setKernel(k);
    return `wasm kernels: ${pure}, one-pass reductions and max-pool gradient`;
  }
  const d = oneDnn();
  if (typeof d === "string") {
    if (mode === "native") throw new Error(`native kernels unavailable: ${d}`);
    for (const k of fastOpConfigs(stock.kernels)) setKernel(k);
    return `wasm kernels: ${pure}, one-pass reductions and max-pool gradient ` +
      `(oneDNN not used: ${d}; run tools/setup-native.sh)`;
  }
  for (const k of fastOpConfigs(stock.kernels, d)) setKernel(k);
  installBnTrain(d);
  if (stock.reluGrad) {
    setKernel(reluGradKernelConfig(d));
    setGradient(reluGradConfig(stock.reluGrad));
  }
  // What the native kernels fall back to: the pure-wasm set (with its _FusedMatMul fix).
  const pureOps = Object.fromEntries(fastOpConfigs(stock.kernels).map((k) => [k.kernelName, k]));
  const fallback = {
    ...stock.kernels,
    ...pureOps,
    "Conv2DBackpropInput": conv2DBackpropInputConfig,
    "Conv2DBackpropFilter": conv2DBackpropFilterConfig,
  };
  for (const k of nativeKernelConfigs(d, fallback)) setKernel(k);
  nativeInUse = d;
  return `wasm kernels: ${d.version} (FFI) convolutions, batch norm, max-pool gradient, ` +
    "matmul; 4-pass training BN, one-pass reductions, no stem input gradient";
}

/**
 * Why the kernels in use cannot compute in bfloat16 (not the wasm backend, no oneDNN kernels
 * registered, or the CPU / oneDNN lacks it: see `bf16Reason` in onednn.ts), or undefined.
 */
export function bf16Unavailable(): string | undefined {
  if (tf.getBackend() !== "wasm") return `the tfjs backend is ${tf.getBackend()}, not wasm`;
  if (!nativeInUse) {
    const d = oneDnn();
    return typeof d === "string"
      ? `oneDNN is not in use (${d})`
      : envSetting("CEN_NATIVE") === "0"
      ? "CEN_NATIVE=0 keeps the pure-wasm kernels"
      : "the oneDNN kernels are not registered (kernel mode wasm or stock)";
  }
  return nativeInUse.bf16Unavailable();
}

/** The precision of the native convolutions and matmuls now ("f32" without oneDNN). */
export function currentPrecision(): Precision {
  return nativeInUse?.precision() ?? "f32";
}

/**
 * Sets the precision of the native convolutions and matmuls and returns the one in effect: a
 * "bf16" that cannot run here ({@link bf16Unavailable}) leaves float32 and says why, once per
 * reason, in one line on stderr. Batch norm, the loss and the SGD update are float32 either way.
 */
export function setPrecision(precision: Precision): Precision {
  const d = oneDnn();
  if (precision === "bf16") {
    const why = bf16Unavailable();
    if (why) {
      if (!said.has(why)) {
        said.add(why);
        console.error(`bfloat16 not used, computing in float32: ${why}`);
      }
      precision = "f32";
    }
  }
  if (typeof d !== "string") d.setPrecision(precision);
  return precision;
}
