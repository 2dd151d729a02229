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
import { type CommandSpec, type ParsedArgs, runCli, runCommand, typedValue } from "../lib/cli.ts";
import { UsageError } from "../lib/errors.ts";
import { type AdapterParams, ADAPTERS, datasetNames } from "../lib/data/adapters/index.ts";
import { checkDataset } from "../lib/data/adapters/check.ts";
import { loadDataset } from "../lib/data/adapters/index.ts";
import { makeDecadeSplit, writeSplitFile } from "../lib/data/split.ts";

/** The command line of `deno task data` (both subcommands). */
export const DATA_CLI = {
  name: "data",
  usage: [
    "deno task data check <dataset> <folder> [--no-decode] [--examples N] [--key=value …]",
    "deno task data split utkface <folder> [--seed 0] [--name utkface-part1] [--out <file>]",
  ],
  summary: "check: what a dataset's adapter loads and skips, as one JSON object (trains " +
    "nothing). split: writes the fixed 80/20 split file of a UTKFace folder.",
  options: {
    "no-decode": { type: "boolean", help: "check: labels and file presence only" },
    examples: { type: "integer", help: "check: example paths per skip reason (default 5)" },
    seed: { type: "integer", help: "split: the seed (default 0)" },
    name: { type: "string", help: "split: the split's name (default utkface-part1)" },
    out: {
      type: "string",
      value: "<file>",
      help: "split: where (default data/splits/<name>.json)",
    },
  },
  positionals: [3, 3],
  extra: { help: "check: any other --key=value is an adapter option (--split=subject, …)" },
  epilog: `datasets:\n${
    datasetNames().map((n) => `  ${n.padEnd(10)} ${ADAPTERS[n].description}`).join("\n")
  }`,
} as const satisfies CommandSpec;

type DataArgs = ParsedArgs<typeof DATA_CLI>;

/** Refuses the options of the other subcommand, and adapter options outside `check`. */
function refuseOptions(args: DataArgs, command: string, names: readonly string[], extra: boolean) {
  for (const n of names) {
    if (n in args.options) throw new UsageError(`--${n} is not an option of ${command}`);
  }
  const stray = Object.keys(args.extra);
  if (!extra && stray.length) throw new UsageError(`unknown option --${stray[0]}`);
}

/** Runs the command line `args` in this process; resolves to the exit status. */
export function main(args: readonly string[]): Promise<number> {
  return runCommand(DATA_CLI, run, args);
}

/** Runs a parsed command line; returns the exit code. */
async function run(args: DataArgs): Promise<number> {
  const [command, dataset, folder] = args.positionals;
  if (command === "split") {
    if (dataset !== "utkface") throw new UsageError(`split: only utkface has a split rule`);
    refuseOptions(args, "split", ["no-decode", "examples"], false);
    return await split(folder, args.options);
  }
  if (command !== "check") throw new UsageError(`unknown command "${command}" (check or split)`);
  refuseOptions(args, "check", ["seed", "name", "out"], true);
  const params: AdapterParams = {};
  for (const [key, value] of Object.entries(args.extra)) {
    params[key] = typedValue(value) as AdapterParams[string];
  }
  const decode = !args.options["no-decode"];
  const maxExamples = args.options.examples ?? 5;
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
  const { report } = await checkDataset(dataset, folder, {
    params,
    decode,
    maxExamples,
    onProgress,
  });
  console.log(JSON.stringify(report, null, 2));
  return 0;
}

/** `split utkface <folder>`: writes the folder's fixed split file. */
async function split(folder: string, options: DataArgs["options"]): Promise<number> {
  const name = options.name ?? "utkface-part1";
  const seed = options.seed ?? 0;
  const out = options.out ?? `data/splits/${name}.json`;
  const loaded = await loadDataset("utkface", folder, {});
  const names = loaded.samples.map((s) => basename(s.path));
  const file = makeDecadeSplit(name, names, loaded.samples.map((s) => s.age), seed);
  await writeSplitFile(out, file);
  console.error(
    `${out}: ${file.train?.length} train, ${file.test.length} test (${file.rule}, seed ${file.seed})` +
      (loaded.skipped.length ? `; ${loaded.skipped.length} files skipped by the adapter` : ""),
  );
  return 0;
}

if (import.meta.main) await runCli(DATA_CLI, run);
