/**
 * The CEN network of lib/model/resnet.ts for input sizes `createCenModel` refuses (it wants a
 * multiple of 32; the bench's 112 px is not one). Same layers, same order, same widths; used
 * by the bench only, and only for such sizes.
 *
 * @module
 */
import * as tfl from "@tensorflow/tfjs-layers";
import { BACKBONE_SPECS, createCenModel, type ModelOptions } from "../lib/model/resnet.ts";

/** `createCenModel`, or the same network built here when it refuses `inputSize`. */
export function benchModel(opts: ModelOptions): { model: tfl.LayersModel; note?: string } {
  try {
    return { model: createCenModel(opts) };
  } catch (e) {
    const note = `createCenModel: ${(e as Error).message}; bench builds the same layers itself`;
    return { model: buildAnySize(opts), note };
  }
}

function buildAnySize(opts: ModelOptions): tfl.LayersModel {
  const spec = BACKBONE_SPECS[opts.backbone];
  const conv = (x: tfl.SymbolicTensor, filters: number, kernel: number, stride: number) =>
    tfl.layers.conv2d({
      filters,
      kernelSize: kernel,
      strides: stride,
      padding: "same",
      useBias: false,
      kernelInitializer: tfl.initializers.heNormal({ seed: opts.seed }),
    }).apply(x) as tfl.SymbolicTensor;
  const bn = (x: tfl.SymbolicTensor) =>
    tfl.layers.batchNormalization({ momentum: 0.9, epsilon: 1e-5 }).apply(x) as tfl.SymbolicTensor;
  const relu = (x: tfl.SymbolicTensor) => tfl.layers.reLU().apply(x) as tfl.SymbolicTensor;
  const input = tfl.input({ shape: [opts.inputSize, opts.inputSize, 3] });
  let x = relu(bn(conv(input, spec.stem, 7, 2)));
  x = tfl.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: "same" })
    .apply(x) as tfl.SymbolicTensor;
  let channels = spec.stem;
  spec.widths.forEach((width, stage) => {
    for (let b = 0; b < spec.blocks; b++) {
      const stride = stage > 0 && b === 0 ? 2 : 1;
      let y = relu(bn(conv(x, width, 3, stride)));
      y = bn(conv(y, width, 3, 1));
      const shortcut = stride !== 1 || channels !== width ? bn(conv(x, width, 1, stride)) : x;
      x = relu(tfl.layers.add().apply([y, shortcut]) as tfl.SymbolicTensor);
      channels = width;
    }
  });
  const f = tfl.layers.globalAveragePooling2d({}).apply(x) as tfl.SymbolicTensor;
  const logits = tfl.layers.dense({ units: opts.numAges }).apply(f) as tfl.SymbolicTensor;
  const s = tfl.layers.dense({ units: 1 }).apply(f) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: [logits, s] });
}
