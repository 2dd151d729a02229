/**
 * `deno task predict <image|folder> [--run <id|dir>] [--out <file.csv>] [--align auto|detect|none]`
 *
 * Writes a CSV (stdout without `--out`) with the header `file,age,age_ldl,age_reg,top_ages`: one
 * row per face (a photo with several faces gets several rows, left to right). Faces are detected
 * and aligned in raw photos; with `--align auto` (default) a small square image (≤ 256 px) is taken
 * as a pre-aligned chip and used whole, as the pre-aligned datasets are in training. Files that cannot be read or show no face are reported on
 * stderr. The model is the exported one in `results/model/` unless `--run` names a run.
 */
import { resolve } from "node:path";
import { parseFlags } from "../lib/cli.ts";
import { initBackend } from "../lib/backend.ts";
import { exists, writeTextAtomic } from "../lib/fsutil.ts";
import {
  type AlignPolicy,
  listImages,
  loadAgeModel,
  predictFiles,
  rowsToCsv,
} from "../lib/inference.ts";
import { DEFAULT_EXPORT_DIR, finalModelDir } from "../lib/train/run.ts";

const { flags, rest } = parseFlags(Deno.args);
const usage =
  "usage: deno task predict <image|folder> [--run <id|dir>] [--out file.csv] [--align auto|detect|none]";
if (rest.length !== 1) {
  console.error(usage);
  Deno.exit(2);
}
const align = String(flags.align ?? "auto") as AlignPolicy;
if (!["auto", "detect", "none"].includes(align)) {
  console.error(`--align must be auto, detect or none\n${usage}`);
  Deno.exit(2);
}
let modelDir: string;
if (flags.run) modelDir = await finalModelDir(String(flags.run));
else if (await exists(resolve(DEFAULT_EXPORT_DIR, "model.json"))) modelDir = DEFAULT_EXPORT_DIR;
else {
  console.error(
    `no model: pass --run <id> or export one (deno task export --run <id>) to ${DEFAULT_EXPORT_DIR}`,
  );
  Deno.exit(2);
}
await initBackend(undefined, (l) => console.error(l));
const model = await loadAgeModel(modelDir);
console.error(`model ${modelDir} (${model.size}px, ages ${model.minAge}–${model.maxAge})`);
let files: string[];
try {
  files = await listImages(rest[0]);
} catch (e) {
  console.error(`cannot read ${rest[0]}: ${(e as Error).message}`);
  Deno.exit(2);
}
const { rows, skipped } = await predictFiles(files, model, { align, log: (l) => console.error(l) });
for (const s of skipped) {
  console.error(`skipped ${s.path}: ${s.reason}${s.detail ? ` (${s.detail})` : ""}`);
}
console.error(
  `${files.length} files: ${rows.length} faces predicted, ${skipped.length} files skipped`,
);
const csv = rowsToCsv(rows);
if (flags.out) await writeTextAtomic(String(flags.out), csv);
else await Deno.stdout.write(new TextEncoder().encode(csv));
