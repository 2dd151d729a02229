/**
 * `deno task data check <dataset> <folder> [--option=value …]`: runs the dataset's adapter,
 * decodes every image, and prints one JSON object
 * `{"dataset", "loaded", "skipped": {reason: count}, "examples": {reason: [paths]}, "warnings"}`.
 * Nothing is trained. Progress goes to stderr.
 *
 * `deno task data split utkface <folder> [--seed=0] [--name=utkface-part1] [--out=<file>]`:
 * writes the fixed split file of a UTKFace folder (80/20 stratified by age decade, seeded; file
 * names only) to `--out` (default `data/splits/<name>.json`); see lib/data/split.ts.
 *
 * Flags: `--no-decode` (labels and file presence only), `--examples=N` (paths per reason);
 * any other `--key=value` is an adapter option (e.g. `--split=subject`, `--mat=/x/wiki.mat`).
 *
 * @module
 */
import { basename } from "node:path";
import { DataError } from "../lib/errors.ts";
import { type AdapterParams, ADAPTERS, datasetNames } from "../lib/data/adapters/index.ts";
import { checkDataset } from "../lib/data/adapters/check.ts";
import { loadDataset } from "../lib/data/adapters/index.ts";
import { makeDecadeSplit, writeSplitFile } from "../lib/data/split.ts";

const USAGE =
  `usage: deno task data check <dataset> <folder> [--no-decode] [--examples=N] [--key=value …]
       deno task data split utkface <folder> [--seed=0] [--name=utkface-part1] [--out=<file>]
datasets:
${datasetNames().map((n) => `  ${n.padEnd(10)} ${ADAPTERS[n].description}`).join("\n")}`;

/** Parses "--key=value" into an adapter option value (numbers and booleans typed). */
function parseValue(text: string): string | number | boolean {
  if (text === "true") return true;
  if (text === "false") return false;
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  return text;
}

/** Runs the command; returns the exit code. */
export async function main(args: string[]): Promise<number> {
  const [command, dataset, folder, ...rest] = args;
  if (command === "split" && dataset === "utkface" && folder !== undefined) {
    return await split(folder, rest);
  }
  if (command !== "check" || dataset === undefined || folder === undefined) {
    console.error(USAGE);
    return 2;
  }
  const params: AdapterParams = {};
  let decode = true;
  let maxExamples = 5;
  for (const arg of rest) {
    const m = arg.match(/^--([A-Za-z][\w-]*)(?:=(.*))?$/);
    if (!m) {
      console.error(`unexpected argument "${arg}"\n${USAGE}`);
      return 2;
    }
    const [, key, value] = m;
    if (key === "no-decode" && value === undefined) decode = false;
    else if (key === "examples" && value !== undefined && /^\d+$/.test(value)) {
      maxExamples = Number(value);
    } else if (value !== undefined) params[key] = parseValue(value);
    else {
      console.error(`option --${key} needs a value (--${key}=…)\n${USAGE}`);
      return 2;
    }
  }
  // libvips prints a line on stderr per broken JPEG; the report lists them instead.
  Deno.env.set("VIPS_WARNING", "0");
  let last = 0;
  const onProgress = (done: number, total: number) => {
    const now = Date.now();
    if (total >= 1000 && (now - last > 2000 || done === total)) {
      last = now;
      console.error(`decoded ${done}/${total} images`);
    }
  };
  try {
    const { report } = await checkDataset(dataset, folder, {
      params,
      decode,
      maxExamples,
      onProgress,
    });
    console.log(JSON.stringify(report, null, 2));
    return 0;
  } catch (e) {
    return dataErrorExit(e);
  }
}

/** A DataError becomes its message and exit status 1; anything else is rethrown. */
function dataErrorExit(e: unknown): number {
  if (!(e instanceof DataError)) throw e;
  console.error(`error: ${e.message}`);
  return 1;
}

/** `split utkface <folder>`: writes the folder's fixed split file. */
async function split(folder: string, rest: string[]): Promise<number> {
  const opts: Record<string, string> = { seed: "0", name: "utkface-part1" };
  for (const arg of rest) {
    const m = arg.match(/^--(seed|name|out)=(.+)$/);
    if (!m || (m[1] === "seed" && !/^\d+$/.test(m[2]))) {
      console.error(`unexpected argument "${arg}"\n${USAGE}`);
      return 2;
    }
    opts[m[1]] = m[2];
  }
  const out = opts.out ?? `data/splits/${opts.name}.json`;
  try {
    const loaded = await loadDataset("utkface", folder, {});
    const names = loaded.samples.map((s) => basename(s.path));
    const file = makeDecadeSplit(opts.name, names, loaded.samples.map((s) => s.age), +opts.seed);
    await writeSplitFile(out, file);
    console.error(
      `${out}: ${file.train?.length} train, ${file.test.length} test (${file.rule}, seed ${file.seed})` +
        (loaded.skipped.length ? `; ${loaded.skipped.length} files skipped by the adapter` : ""),
    );
    return 0;
  } catch (e) {
    return dataErrorExit(e);
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
