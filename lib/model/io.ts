/**
 * Saving and loading models in the tfjs layers format (`model.json` + `weights.bin`), the format
 * that `tf.loadLayersModel` reads in a browser; directories are replaced atomically.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import { basename, dirname, join } from "node:path";
import { isRecord, lengthProblem, readChecked, readJsonChecked } from "../checked.ts";
import { DamagedFileError, NotFoundError } from "../errors.ts";
import { writeFileAtomic, writeJsonAtomic } from "../fsutil.ts";
import { displayPath } from "../paths.ts";
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

/**
 * The way out of a damaged model folder, for messages: where a model comes from again.
 */
export const MODEL_FIX =
  "re-export it (deno task export --run <id>; deno task ship --run <id> for model/, or " +
  "git checkout -- model/ for the shipped one) or retrain its run";

/** Bytes per stored value of a weight (its quantized type when quantized); undefined: unknown. */
function bytesPerValue(w: tf.io.WeightsManifestEntry): number | undefined {
  const stored = w.quantization?.dtype ?? w.dtype;
  const sizes: Record<string, number> = {
    float32: 4,
    int32: 4,
    bool: 1,
    uint8: 1,
    uint16: 2,
    float16: 2,
    complex64: 8,
  };
  return sizes[stored];
}

/** The bytes a manifest group's weights take, or undefined when a type's size is unknown. */
export function manifestBytes(weights: readonly tf.io.WeightsManifestEntry[]): number | undefined {
  let total = 0;
  for (const w of weights) {
    const per = bytesPerValue(w);
    if (per === undefined) return undefined;
    total += per * w.shape.reduce((a, b) => a * b, 1);
  }
  return total;
}

/** What a tfjs layers `model.json` must hold for {@link loadModel}, in words; undefined if it does. */
function modelJsonShape(v: unknown): string | undefined {
  if (!isRecord(v)) return "not a tfjs model (not a JSON object)";
  if (!isRecord(v.modelTopology)) return "not a tfjs layers model (no modelTopology)";
  const m = v.weightsManifest;
  if (
    !Array.isArray(m) ||
    !m.every((g) =>
      isRecord(g) && Array.isArray(g.paths) && g.paths.every((p) => typeof p === "string") &&
      Array.isArray(g.weights) &&
      g.weights.every((w) => isRecord(w) && typeof w.name === "string" && Array.isArray(w.shape))
    )
  ) {
    return "not a tfjs layers model (no valid weightsManifest)";
  }
  return undefined;
}

/** A saved model's `model.json` as {@link loadModel} reads it. */
interface ModelJson {
  modelTopology: tf.io.ModelJSON["modelTopology"];
  weightsManifest: tf.io.WeightsManifestConfig;
  userDefinedMetadata?: Record<string, unknown>;
}

/**
 * `dir/model.json`, checked: a missing folder or file is a {@link NotFoundError}; a file in the
 * folder's place, or a model.json that is a folder, empty, cut short, not JSON or not a tfjs
 * layers model, is a {@link DamagedFileError} ending with `fix`.
 */
async function readModelJson(dir: string, fix: string): Promise<ModelJson> {
  const path = join(dir, "model.json");
  const info = await Deno.stat(dir).catch(() => undefined);
  if (!info) {
    throw new NotFoundError(`${displayPath(dir)}: no such model folder${await leftoverHint(dir)}`);
  }
  if (!info.isDirectory) {
    throw new DamagedFileError(displayPath(dir), "a file where a model folder should be", fix);
  }
  if (!(await Deno.stat(path).then(() => true, () => false))) {
    throw new NotFoundError(
      `${displayPath(dir)}: no model.json (not a saved model): ${fix}`,
    );
  }
  return await readJsonChecked<ModelJson>(path, fix, modelJsonShape);
}

/**
 * Where a folder replaced atomically (lib/fsutil.ts `replaceDirAtomic`) went when its writer was
 * killed between its two renames: ", its new copy is <dir>.<pid>.<n>.tmp: …" or "".
 */
async function leftoverHint(dir: string): Promise<string> {
  const parent = dirname(dir), name = basename(dir);
  const left: string[] = [];
  try {
    for await (const e of Deno.readDir(parent)) {
      if (e.isDirectory && e.name.startsWith(`${name}.`) && /\.\d+\.\d+\.tmp$/.test(e.name)) {
        left.push(e.name);
      }
    }
  } catch {
    return "";
  }
  if (left.length === 0) return "";
  const newest = left.sort().at(-1)!;
  return ` (a writer stopped while replacing it: its new copy ${
    join(displayPath(parent), newest)
  } ` +
    `may be renamed to ${name})`;
}

/**
 * Loads a model written by {@link saveModel} (or any single-shard tfjs layers model). Every file
 * is checked before tfjs sees it — `model.json` parses and has a weights manifest, each weight
 * file is there and exactly as long as the manifest says — so that a damaged folder is one
 * {@link DamagedFileError} naming the file and ending with `fix` (default {@link MODEL_FIX}).
 */
export async function loadModel(dir: string, fix: string = MODEL_FIX): Promise<tfl.LayersModel> {
  const json = await readModelJson(dir, fix);
  const buffers: ArrayBuffer[] = [];
  const jsonPath = displayPath(join(dir, "model.json"));
  for (const group of json.weightsManifest) {
    const want = manifestBytes(group.weights);
    const files: Uint8Array[] = [];
    for (const p of group.paths) {
      const last = group.paths.length === 1;
      // One file per group (what saveModel writes): its exact length; shards: their total below.
      files.push(
        await readChecked(join(dir, p), fix, {
          bytes: last ? want : undefined,
          lengthFrom: `the manifest in ${jsonPath}`,
        }),
      );
    }
    const total = files.reduce((a, b) => a + b.length, 0);
    if (want !== undefined && total !== want) {
      const problem = lengthProblem(total, want, `the manifest in ${jsonPath}`)!;
      throw new DamagedFileError(
        group.paths.map((p) => displayPath(join(dir, p))).join(" + "),
        problem,
        fix,
      );
    }
    for (const b of files) {
      buffers.push(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer);
    }
  }
  const weightData = tf.io.CompositeArrayBuffer.join(buffers);
  try {
    return await tfl.loadLayersModel(tf.io.fromMemory({
      modelTopology: json.modelTopology,
      weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
      weightData,
    }));
  } catch (e) {
    const why = String((e as Error)?.message ?? e).split("\n")[0];
    throw new DamagedFileError(jsonPath, `cannot be loaded as a model (${why})`, fix);
  }
}

/** Reads the metadata stored in a saved model's `model.json` (checked as {@link loadModel} does). */
export async function readModelMetadata(
  dir: string,
  fix: string = MODEL_FIX,
): Promise<Record<string, unknown>> {
  const json = await readModelJson(dir, fix);
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
