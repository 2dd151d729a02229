/**
 * The networks (Table 7 backbones with the LDL and regression heads), predictions from their
 * outputs (Eqs. 16–18), the input they expect, saving and loading them in the tfjs layers format,
 * and exporting a run's model.
 *
 * @example
 * ```ts
 * import { createCenModel } from "./mod.ts";
 * const model = createCenModel({ backbone: "resnet10-tiny", inputSize: 64, numAges: 116, seed: 0 });
 * console.log(model.countParams());
 * ```
 *
 * @module
 */
export * from "./resnet.ts";
export * from "./predict.ts";
export * from "./input.ts";
export * from "./io.ts";
export * from "./export.ts";
