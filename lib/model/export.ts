/**
 * Exporting a run's final model: the tfjs layers files (`model.json` + `weights.bin`, loadable
 * with `tf.loadLayersModel` in a browser), the crop template its training images were framed by,
 * and where it came from (`source.json`: the run's id, config and inputs).
 *
 * @module
 */
import { join } from "node:path";
import type { CenConfig } from "../config.ts";
import { cropMetadata } from "../data/align.ts";
import { readJsonIfExists, replaceDirAtomic, writeJsonAtomic } from "../fsutil.ts";

/** `source.json` of an exported model. */
export interface ModelSource {
  /** The model folder it was copied from. */
  from: string;
  /** The run's id (config hash), config and inputs, when the model came from a run directory. */
  run?: string;
  config?: CenConfig;
  inputs?: unknown;
  exported: string;
}

/**
 * Copies the model in `from` (a run's `gen-<t>/model`) to `to`, replacing it whole. The crop
 * template is set from the run's config (models saved before they recorded one get it too).
 */
export async function exportModel(from: string, to: string): Promise<ModelSource> {
  const model = JSON.parse(await Deno.readTextFile(join(from, "model.json")));
  const runDir = join(from, "..", "..");
  const config = await readJsonIfExists<CenConfig>(join(runDir, "config.json"));
  const inputs = await readJsonIfExists<unknown>(join(runDir, "inputs.json"));
  const metrics = await readJsonIfExists<{ id: string }>(join(runDir, "metrics.json"));
  if (config) {
    model.userDefinedMetadata = {
      ...model.userDefinedMetadata,
      crop: cropMetadata(config.data.dataset),
    };
  }
  const source: ModelSource = {
    from,
    ...(metrics ? { run: metrics.id } : {}),
    ...(config ? { config } : {}),
    ...(inputs ? { inputs } : {}),
    exported: new Date().toISOString(),
  };
  await replaceDirAtomic(to, async (tmp) => {
    await writeJsonAtomic(join(tmp, "model.json"), model);
    await Deno.copyFile(join(from, "weights.bin"), join(tmp, "weights.bin"));
    await writeJsonAtomic(join(tmp, "source.json"), source);
  });
  return source;
}

/**
 * The IEEE 754 half-precision bits of `value` (round to nearest, ties to even; overflow to ±∞,
 * subnormals kept), as tfjs's float16 weight quantization stores them.
 */
export function float16Bits(value: number): number {
  const f32 = new Float32Array([value]);
  const x = new Uint32Array(f32.buffer)[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0); // ∞ or NaN
  let e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00; // overflow
  if (e <= 0) {
    if (e < -10) return sign; // below the smallest subnormal: ±0
    mant |= 0x800000; // the implicit leading 1
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    const rest = mant & ((1 << shift) - 1);
    let m = mant >>> shift;
    if (rest > half || (rest === half && (m & 1))) m++;
    return sign | m;
  }
  const rest = mant & 0x1fff;
  mant >>>= 13;
  if (rest > 0x1000 || (rest === 0x1000 && (mant & 1))) {
    mant++;
    if (mant === 0x400) {
      mant = 0;
      e++;
      if (e >= 0x1f) return sign | 0x7c00;
    }
  }
  return sign | (e << 10) | mant;
}

/**
 * Rewrites the model in `dir` with float16 weights (tfjs's weight quantization: `tf.loadLayersModel`
 * and {@link loadModel} decode them back to float32), halving `weights.bin`. Returns the new size.
 */
export async function quantizeFloat16(dir: string): Promise<number> {
  const json = JSON.parse(await Deno.readTextFile(join(dir, "model.json")));
  const bytes = await Deno.readFile(join(dir, "weights.bin"));
  const groups = json.weightsManifest as { paths: string[]; weights: WeightSpec[] }[];
  if (groups.length !== 1 || groups[0].paths.length !== 1) {
    throw new Error(`${dir}: quantizing needs a single-file model`);
  }
  const specs = groups[0].weights;
  if (specs.some((w) => w.dtype !== "float32" || w.quantization)) {
    throw new Error(`${dir}: only plain float32 weights can be quantized`);
  }
  const values = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  const half = Uint16Array.from(values, float16Bits);
  for (const w of specs) w.quantization = { dtype: "float16", original_dtype: "float32" };
  await replaceDirAtomic(dir, async (tmp) => {
    for await (const e of Deno.readDir(dir)) {
      if (e.isFile && e.name !== "weights.bin" && e.name !== "model.json") {
        await Deno.copyFile(join(dir, e.name), join(tmp, e.name));
      }
    }
    await Deno.writeFile(join(tmp, "weights.bin"), new Uint8Array(half.buffer));
    await writeJsonAtomic(join(tmp, "model.json"), json);
  });
  return half.byteLength;
}

/** A weight's entry in a tfjs manifest (the fields quantization reads and writes). */
interface WeightSpec {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype: string; original_dtype?: string };
}
