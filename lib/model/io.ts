/**
 * Saving and loading models in the tfjs layers format (`model.json` + `weights.bin`), the format
 * that `tf.loadLayersModel` reads in a browser; directories are replaced atomically.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import { join } from "node:path";
import { writeFileAtomic, writeJsonAtomic } from "../fsutil.ts";
import { HEAD_LDL, HEAD_REG } from "./resnet.ts";

const WEIGHTS_FILE = "weights.bin";

function joinWeightData(data: tf.io.WeightData): Uint8Array {
  return new Uint8Array(tf.io.CompositeArrayBuffer.join(data));
}

/** Writes `model.json` + `weights.bin` into `dir` (created if needed); metadata goes into the json. */
export async function saveModel(
  model: tfl.LayersModel,
  dir: string,
  metadata: Record<string, unknown> = {},
): Promise<void> {
  await model.save(tf.io.withSaveHandler(async (artifacts) => {
    await writeFileAtomic(join(dir, WEIGHTS_FILE), joinWeightData(artifacts.weightData!));
    await writeJsonAtomic(join(dir, "model.json"), {
      format: "layers-model",
      generatedBy: `TensorFlow.js tfjs-layers v${tfl.version_layers}`,
      convertedBy: null,
      modelTopology: artifacts.modelTopology,
      weightsManifest: [{ paths: [WEIGHTS_FILE], weights: artifacts.weightSpecs }],
      userDefinedMetadata: metadata,
    });
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } };
  }));
}

/** Loads a model written by {@link saveModel} (or any single-shard tfjs layers model). */
export async function loadModel(dir: string): Promise<tfl.LayersModel> {
  const json = JSON.parse(await Deno.readTextFile(join(dir, "model.json")));
  const manifest = json.weightsManifest as tf.io.WeightsManifestConfig;
  const buffers = await Promise.all(
    manifest.flatMap((g) => g.paths).map((p) => Deno.readFile(join(dir, p))),
  );
  const weightData = tf.io.CompositeArrayBuffer.join(
    buffers.map((b) => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer),
  );
  return await tfl.loadLayersModel(tf.io.fromMemory({
    modelTopology: json.modelTopology,
    weightSpecs: manifest.flatMap((g) => g.weights),
    weightData,
  }));
}

/** Reads the metadata stored in a saved model's `model.json`. */
export async function readModelMetadata(dir: string): Promise<Record<string, unknown>> {
  const json = JSON.parse(await Deno.readTextFile(join(dir, "model.json")));
  return json.userDefinedMetadata ?? {};
}

/**
 * Copies the backbone weights of `from` into `to`, layer by layer (matched by name); the two
 * heads are left as initialised, since their size depends on the age range of the dataset.
 * Returns the number of layers copied.
 */
export function copyBackbone(from: tfl.LayersModel, to: tfl.LayersModel): number {
  let copied = 0;
  for (const layer of to.layers) {
    if (layer.name === HEAD_LDL || layer.name === HEAD_REG || layer.weights.length === 0) continue;
    const src = from.layers.find((l) => l.name === layer.name);
    if (!src) throw new Error(`pretrained model has no layer "${layer.name}"`);
    layer.setWeights(src.getWeights());
    copied++;
  }
  return copied;
}

/** Encodes named tensors (e.g. optimizer state) into bytes + specs. */
export async function encodeTensors(
  named: tf.NamedTensorMap,
): Promise<{ data: Uint8Array; specs: tf.io.WeightsManifestEntry[] }> {
  const { data, specs } = await tf.io.encodeWeights(named);
  return { data: joinWeightData(data), specs };
}

/** Decodes what {@link encodeTensors} wrote. */
export function decodeTensors(
  data: Uint8Array,
  specs: tf.io.WeightsManifestEntry[],
): tf.NamedTensorMap {
  const buf = data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer;
  return tf.io.decodeWeights(buf, specs);
}
