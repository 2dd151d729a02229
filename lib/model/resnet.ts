/**
 * The backbones of the paper's Table 7 (ResNet10, ResNet18 and their Tiny variants) with CEN's two
 * heads: the LDL head (k logits, Eq. 2) and the regression head (one scalar, Eq. 8).
 *
 * Built with tfjs-layers so a saved model (`model.json` + weights) loads in a browser with
 * `tf.loadLayersModel`. Input: `[B, S, S, 3]` normalised pixels (see {@link ./input.ts}), S a
 * multiple of 16 of at least 32 (the paper's 224, or 32, 64, 112, …; 'same' padding rounds the
 * last stage up, e.g. 112 → 4×4). Outputs: `[logits [B, k], s [B, 1]]`.
 *
 * @module
 */
import * as tfl from "@tensorflow/tfjs-layers";
import type { Backbone } from "../config.ts";
import { mixSeed } from "../rng.ts";

/** Depth and widths of one backbone (Table 7). */
export interface BackboneSpec {
  /** Residual blocks per stage (conv2_x … conv5_x). */
  blocks: number;
  /** Channels of conv1 and of the four stages. */
  stem: number;
  widths: [number, number, number, number];
}

/** Table 7: blocks per stage 1 (ResNet10) or 2 (ResNet18); Tiny halves every width. */
export const BACKBONE_SPECS: Readonly<Record<Backbone, BackboneSpec>> = {
  "resnet10": { blocks: 1, stem: 64, widths: [64, 128, 256, 512] },
  "resnet18": { blocks: 2, stem: 64, widths: [64, 128, 256, 512] },
  "resnet10-tiny": { blocks: 1, stem: 32, widths: [32, 64, 128, 256] },
  "resnet18-tiny": { blocks: 2, stem: 32, widths: [32, 64, 128, 256] },
};

/** Names of the two head layers (everything else is backbone). */
export const HEAD_LDL = "head_ldl";
export const HEAD_REG = "head_reg";

/** What a CEN network is built from. */
export interface ModelOptions {
  /** The backbone (Table 7). */
  backbone: Backbone;
  /** Input side in pixels. */
  inputSize: number;
  /** k, the number of age classes. */
  numAges: number;
  /** Seed of the weight initialisation. */
  seed: number;
}

/** BatchNorm as in PyTorch's ResNet: running stats kept with momentum 0.1 (Keras 0.9), ε = 1e-5. */
const BN = { momentum: 0.9, epsilon: 1e-5, axis: -1 } as const;

/** Builds a CEN network: backbone → global average pool → LDL head and regression head. */
export function createCenModel(opts: ModelOptions): tfl.LayersModel {
  const spec = BACKBONE_SPECS[opts.backbone];
  if (!spec) throw new Error(`unknown backbone "${opts.backbone}"`);
  if (opts.inputSize < 32 || opts.inputSize % 16 !== 0) {
    throw new Error(`inputSize ${opts.inputSize} is not a multiple of 16 of at least 32`);
  }
  let layerNo = 0;
  // Each layer gets its own seed, so the same options give the same weights.
  const convInit = () =>
    tfl.initializers.varianceScaling({
      scale: 2,
      mode: "fanOut",
      distribution: "normal",
      seed: mixSeed(opts.seed, ++layerNo),
    });
  const conv = (
    x: tfl.SymbolicTensor,
    filters: number,
    kernel: number,
    stride: number,
    name: string,
  ) =>
    tfl.layers.conv2d({
      filters,
      kernelSize: kernel,
      strides: stride,
      padding: "same",
      useBias: false,
      kernelInitializer: convInit(),
      name,
    }).apply(x) as tfl.SymbolicTensor;
  const bn = (x: tfl.SymbolicTensor, name: string) =>
    tfl.layers.batchNormalization({ ...BN, name }).apply(x) as tfl.SymbolicTensor;
  const relu = (x: tfl.SymbolicTensor, name: string) =>
    tfl.layers.reLU({ name }).apply(x) as tfl.SymbolicTensor;

  const input = tfl.input({ shape: [opts.inputSize, opts.inputSize, 3], name: "image" });
  let x = relu(bn(conv(input, spec.stem, 7, 2, "conv1"), "conv1_bn"), "conv1_relu");
  x = tfl.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: "same", name: "pool1" })
    .apply(x) as tfl.SymbolicTensor;
  let channels = spec.stem;
  spec.widths.forEach((width, stage) => {
    for (let b = 0; b < spec.blocks; b++) {
      const stride = stage > 0 && b === 0 ? 2 : 1;
      const name = `conv${stage + 2}_${b + 1}`;
      let y = relu(bn(conv(x, width, 3, stride, `${name}_a`), `${name}_a_bn`), `${name}_a_relu`);
      y = bn(conv(y, width, 3, 1, `${name}_b`), `${name}_b_bn`);
      const shortcut = stride !== 1 || channels !== width
        ? bn(conv(x, width, 1, stride, `${name}_down`), `${name}_down_bn`)
        : x;
      x = relu(
        tfl.layers.add({ name: `${name}_add` }).apply([y, shortcut]) as tfl.SymbolicTensor,
        `${name}_relu`,
      );
      channels = width;
    }
  });
  const f = tfl.layers.globalAveragePooling2d({ name: "pool5" }).apply(x) as tfl.SymbolicTensor;
  const dense = (units: number, name: string) =>
    tfl.layers.dense({
      units,
      name,
      kernelInitializer: tfl.initializers.glorotUniform({ seed: mixSeed(opts.seed, ++layerNo) }),
    }).apply(f) as tfl.SymbolicTensor;
  const logits = dense(opts.numAges, HEAD_LDL); // Eq. 2
  const s = dense(1, HEAD_REG); // Eq. 8
  return tfl.model({
    inputs: input,
    outputs: [logits, s],
    name: `cen_${opts.backbone.replace("-", "_")}`,
  });
}

/** Number of trainable parameters (what the paper's Table 7 counts). */
export function countParams(model: tfl.LayersModel): number {
  let n = 0;
  for (const w of model.trainableWeights) n += w.shape.reduce((a: number, b) => a * (b ?? 1), 1);
  return n;
}
