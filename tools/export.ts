/**
 * `deno task export --run <id|dir> [--to results/model]`: copies a run's final model (tfjs layers
 * format: `model.json` + `weights.bin`, loadable with `tf.loadLayersModel` in a browser) to the
 * export folder that `deno task predict` uses by default, with a note of where it came from.
 *
 * @module
 */
import { join, resolve } from "node:path";
import { type CommandSpec, runCli } from "../lib/cli.ts";
import type { CenConfig } from "../lib/config.ts";
import { cropMetadata } from "../lib/data/align.ts";
import { NotFoundError } from "../lib/errors.ts";
import { readJsonIfExists, replaceDirAtomic, writeJsonAtomic } from "../lib/fsutil.ts";
import { DEFAULT_EXPORT_DIR, finalModelDir } from "../lib/train/run.ts";

/** The command line of `deno task export`. */
export const EXPORT_CLI = {
  name: "export",
  usage: "deno task export --run <id|dir> [--to <folder>]",
  summary: "Copies a run's final model (tfjs layers format) to the folder deno task predict " +
    "uses by default, with a note of where it came from.",
  options: {
    run: { type: "string", value: "<id|dir>", required: true, help: "the run to export" },
    to: { type: "string", value: "<folder>", help: "where to (default results/model)" },
  },
} as const satisfies CommandSpec;

/** The final model folder of run `ref`; a run with none is a NotFoundError. */
async function modelOf(ref: string): Promise<string> {
  try {
    return await finalModelDir(ref);
  } catch (e) {
    throw new NotFoundError(`--run ${ref}: ${(e as Error).message}`);
  }
}

/** Copies the model in `from` to `to`, adding the run's crop template to older models. */
async function exportModel(from: string, to: string): Promise<void> {
  // A model saved before models recorded their crop template gets its run's (from the run's config).
  const model = JSON.parse(await Deno.readTextFile(join(from, "model.json")));
  const config = await readJsonIfExists<CenConfig>(join(from, "..", "..", "config.json"));
  if (config && !model.userDefinedMetadata?.crop) {
    model.userDefinedMetadata = {
      ...model.userDefinedMetadata,
      crop: cropMetadata(config.data.dataset),
    };
  }
  await replaceDirAtomic(to, async (tmp) => {
    await writeJsonAtomic(join(tmp, "model.json"), model);
    await Deno.copyFile(join(from, "weights.bin"), join(tmp, "weights.bin"));
    await writeJsonAtomic(join(tmp, "source.json"), { from, exported: new Date().toISOString() });
  });
}

if (import.meta.main) {
  await runCli(EXPORT_CLI, async ({ options }) => {
    const from = await modelOf(options.run!);
    const to = resolve(options.to ?? DEFAULT_EXPORT_DIR);
    await exportModel(from, to);
    console.log(`exported ${from} → ${to}`);
  });
}
