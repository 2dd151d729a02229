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
