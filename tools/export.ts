/**
 * `deno task export --run <id|dir> [--to results/model]`: copies a run's final model (tfjs layers
 * format: `model.json` + `weights.bin`, loadable with `tf.loadLayersModel` in a browser) to the
 * export folder that `deno task predict` uses by default, with a note of where it came from.
 */
import { join, resolve } from "node:path";
import { parseFlags } from "../lib/cli.ts";
import type { CenConfig } from "../lib/config.ts";
import { cropMetadata } from "../lib/data/align.ts";
import { readJsonIfExists, replaceDirAtomic, writeJsonAtomic } from "../lib/fsutil.ts";
import { DEFAULT_EXPORT_DIR, finalModelDir } from "../lib/train/run.ts";

const { flags } = parseFlags(Deno.args);
if (!flags.run) {
  console.error("usage: deno task export --run <id|dir> [--to <folder>]");
  Deno.exit(2);
}
const from = await finalModelDir(String(flags.run));
const to = resolve(String(flags.to ?? DEFAULT_EXPORT_DIR));
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
console.log(`exported ${from} → ${to}`);
