/**
 * `deno task export --run <id|dir> [--to results/model]`: copies a run's final model (tfjs layers
 * format: `model.json` + `weights.bin`, loadable with `tf.loadLayersModel` in a browser) to the
 * export folder that `deno task predict` uses by default, with a note of where it came from.
 *
 * @module
 */
import { resolve } from "node:path";
import { type CommandSpec, runCli } from "../lib/cli.ts";
import { NotFoundError } from "../lib/errors.ts";
import { exportModel } from "../lib/model/export.ts";
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

if (import.meta.main) {
  await runCli(EXPORT_CLI, async ({ options }) => {
    const from = await modelOf(options.run!);
    const to = resolve(options.to ?? DEFAULT_EXPORT_DIR);
    await exportModel(from, to);
    console.log(`exported ${from} → ${to}`);
  });
}
