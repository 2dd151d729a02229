/**
 * `deno task ship --run <id|dir> [--to model] [--no-face-api]`: makes a run's final model the one
 * that ships in the repository — exports it to `model/`, scores it on both targets' test images
 * (UTKFace part 1's test split, AAF's val list) beside face-api's age model on the same files, and
 * writes the model card (`model/README.md`) and its numbers (`model/card.json`).
 *
 * @module
 */
import { join, resolve } from "node:path";
import { type CommandSpec, runCli } from "../lib/cli.ts";
import { initBackend } from "../lib/backend/mod.ts";
import type { CenConfig } from "../lib/config.ts";
import { NotFoundError } from "../lib/errors.ts";
import { evaluateModel, type TargetEvaluation } from "../lib/evaluate.ts";
import { datasetFor } from "../lib/experiment.ts";
import { readJsonIfExists, writeJsonAtomic, writeTextAtomic } from "../lib/fsutil.ts";
import { exportModel, quantizeFloat16 } from "../lib/model/export.ts";
import { modelCard, type ModelCardInfo } from "../lib/report/model_card.ts";
import { finalModelDir, runDirOf, type RunMetrics, SHIPPED_MODEL_DIR } from "../lib/train/run.ts";

/** The command line of `deno task ship`. */
export const SHIP_CLI = {
  name: "ship",
  usage: "deno task ship --run <id|dir> [--to <folder>] [--no-face-api]",
  summary: "Exports a run's final model to model/, scores it on both targets (and face-api on " +
    "the same files) and writes the model card.",
  options: {
    run: { type: "string", value: "<id|dir>", required: true, help: "the run to ship" },
    to: { type: "string", value: "<folder>", help: "where to (default model/)" },
    "no-face-api": { type: "boolean", help: "skip face-api's scores (faster)" },
  },
} as const satisfies CommandSpec;

/** A run's config and metrics, from its id or folder. */
async function runOf(
  ref: string,
): Promise<{ dir: string; config: CenConfig; metrics: RunMetrics }> {
  const dir = await runDirOf(ref);
  const metrics = await readJsonIfExists<RunMetrics>(join(dir, "metrics.json"));
  if (!metrics) throw new NotFoundError(`run ${ref}: no metrics.json in ${dir}`);
  return { dir, config: metrics.config, metrics };
}

if (import.meta.main) {
  await runCli(SHIP_CLI, async ({ options }) => {
    const log = (l: string) => console.error(l);
    const run = await runOf(options.run!);
    let from: string;
    try {
      from = await finalModelDir(run.dir);
    } catch (e) {
      throw new NotFoundError(`--run ${options.run}: ${(e as Error).message}`);
    }
    const to = resolve(options.to ?? SHIPPED_MODEL_DIR);
    await initBackend(undefined, log);
    await exportModel(from, to);
    log(`ship: exported ${from} → ${to}`);
    let evaluations: TargetEvaluation[] = [];
    for (const d of ["utkface", "aaf"]) {
      evaluations.push(await evaluateModel(to, d, { faceApi: !options["no-face-api"], log }));
    }
    // float16 weights when they move no target's MAE by 0.05 years or more
    const half = await Deno.makeTempDir();
    await exportModel(from, half);
    await quantizeFloat16(half);
    const halfScores: TargetEvaluation[] = [];
    for (const e of evaluations) halfScores.push(await evaluateModel(half, e.dataset, { log }));
    const moved = Math.max(
      ...halfScores.map((h, i) => Math.abs(h.model.mae - evaluations[i].model.mae)),
    );
    const quantization: ModelCardInfo["quantization"] = {
      float16: moved < 0.05,
      maeFloat32: Object.fromEntries(evaluations.map((e) => [e.dataset, e.model.mae])),
      maeFloat16: Object.fromEntries(halfScores.map((h) => [h.dataset, h.model.mae])),
    };
    if (quantization.float16) {
      await quantizeFloat16(to);
      evaluations = evaluations.map((e, i) => ({ ...e, model: halfScores[i].model }));
      log(`ship: float16 weights (MAE moved by at most ${moved.toFixed(3)})`);
    } else log(`ship: float32 weights kept (float16 moved an MAE by ${moved.toFixed(3)})`);
    await Deno.remove(half, { recursive: true });
    const own = await datasetFor(run.config, { log });
    let pretrain: ModelCardInfo["pretrain"];
    if (run.config.pretrained) {
      const pre = await runOf(run.config.pretrained);
      const data = await datasetFor(pre.config, { log });
      pretrain = {
        run: pre.metrics.id,
        config: pre.config,
        epochs: pre.metrics.generations[0].epochs,
        trainImages: data.train.length,
        heldOut: data.test.length,
      };
    }
    const info: ModelCardInfo = {
      run: run.metrics.id,
      config: run.config,
      pretrain,
      trainImages: own.train.length,
      evaluations,
      quantization,
      weightBytes: (await Deno.stat(join(to, "weights.bin"))).size,
      date: new Date().toISOString().slice(0, 10),
    };
    await writeJsonAtomic(join(to, "card.json"), info);
    await writeTextAtomic(join(to, "README.md"), modelCard(info));
    console.log(JSON.stringify(evaluations, null, 2));
  });
}
