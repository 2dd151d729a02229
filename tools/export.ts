/**
 * `deno task export --run <id|dir> [--to results/model]`: copies a run's final model (tfjs layers
 * format: `model.json` + `weights.bin`, loadable with `tf.loadLayersModel` in a browser) to the
 * export folder that `deno task predict` uses by default, with a note of where it came from.
 */
import { join, resolve } from "node:path";
import { parseFlags } from "../lib/cli.ts";
import { replaceDirAtomic, writeJsonAtomic } from "../lib/fsutil.ts";
import { DEFAULT_EXPORT_DIR, finalModelDir } from "../lib/train/run.ts";

const { flags } = parseFlags(Deno.args);
if (!flags.run) {
  console.error("usage: deno task export --run <id|dir> [--to <folder>]");
  Deno.exit(2);
}
const from = await finalModelDir(String(flags.run));
const to = resolve(String(flags.to ?? DEFAULT_EXPORT_DIR));
await replaceDirAtomic(to, async (tmp) => {
  for (const f of ["model.json", "weights.bin"]) await Deno.copyFile(join(from, f), join(tmp, f));
  await writeJsonAtomic(join(tmp, "source.json"), { from, exported: new Date().toISOString() });
});
console.log(`exported ${from} → ${to}`);
