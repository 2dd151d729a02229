/**
 * `deno task evaluate [--model <dir>] [--datasets utkface,aaf] [--face-api] [--out <file.json>]`:
 * scores a saved model (default: the one `deno task predict` uses) on each target's test images —
 * UTKFace part 1's committed test split (`CEN_UTKFACE_DIR`), AAF's official val list
 * (`CEN_AAF_DIR`) — and, with `--face-api`, face-api's age model on the same files. Prints JSON.
 *
 * @module
 */
import { resolve } from "node:path";
import { type CommandSpec, runCli } from "../lib/cli.ts";
import { initBackend } from "../lib/backend/mod.ts";
import { NotFoundError, UsageError } from "../lib/errors.ts";
import { evaluateModel, type TargetEvaluation } from "../lib/evaluate.ts";
import { writeJsonAtomic } from "../lib/fsutil.ts";
import { defaultModelDir } from "../lib/train/run.ts";

/** The command line of `deno task evaluate`. */
export const EVALUATE_CLI = {
  name: "evaluate",
  usage: "deno task evaluate [--model <dir>] [--datasets utkface,aaf] [--face-api] [--out <file>]",
  summary: "Scores a saved model on each target's test images (MAE, CA(3/5/7)), optionally " +
    "with face-api's age model on the same files; prints JSON.",
  options: {
    model: { type: "string", value: "<dir>", help: "model folder (default: as deno task predict)" },
    datasets: {
      type: "string",
      value: "<a,b>",
      help: "comma-separated targets (default utkface,aaf)",
    },
    "face-api": { type: "boolean", help: "also score face-api's age model on the same files" },
    out: { type: "string", value: "<file.json>", help: "also write the JSON here" },
  },
} as const satisfies CommandSpec;

if (import.meta.main) {
  await runCli(EVALUATE_CLI, async ({ options }) => {
    const model = options.model ? resolve(options.model) : await defaultModelDir();
    if (!model) throw new NotFoundError("no model: pass --model <dir>");
    const datasets = (options.datasets ?? "utkface,aaf").split(",").map((d) => d.trim());
    for (const d of datasets) {
      if (d !== "utkface" && d !== "aaf") throw new UsageError(`--datasets: unknown target "${d}"`);
    }
    await initBackend(undefined, (l) => console.error(l));
    const results: TargetEvaluation[] = [];
    for (const d of datasets) {
      console.error(`evaluate: ${model} on ${d}`);
      results.push(
        await evaluateModel(model, d, {
          faceApi: options["face-api"],
          log: (l) => console.error(l),
        }),
      );
    }
    const json = { model, date: new Date().toISOString().slice(0, 10), results };
    if (options.out) await writeJsonAtomic(options.out, json);
    console.log(JSON.stringify(json, null, 2));
  });
}
