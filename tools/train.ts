/**
 * `deno task train [--profile <name>] [--<config field> value ...]`: runs a profile's pretraining
 * (if any) and its CEN evolution, printing progress and each generation's metrics. Any config
 * field can be overridden (`--tau 3`, `--optim.epochs 2`, `--data.params.count 500`). Rerunning
 * the same command resumes or reuses the run.
 *
 * @module
 */
import { type CommandSpec, flagsToConfig, runCli } from "../lib/cli.ts";
import { runProfile } from "../lib/experiment.ts";
import { RETRAINED_RECORDS_DIR } from "../lib/paths.ts";
import { PROFILE_NAMES } from "../lib/profiles.ts";
import type { RunMetrics } from "../lib/train/run.ts";

/** The command line of `deno task train`. */
export const TRAIN_CLI = {
  name: "train",
  usage: "deno task train [--profile <name>] [--retrain] [--<config field> value ...]",
  summary: "Trains a profile (its pretraining, if any, then its CEN generations) and prints the " +
    "metrics of each generation. Rerunning the same command resumes or reuses the run.",
  options: {
    profile: {
      type: "string",
      value: "<name>",
      choices: PROFILE_NAMES,
      help: `the profile to train (default tiny): ${PROFILE_NAMES.join(", ")}`,
    },
    retrain: {
      type: "boolean",
      help:
        "ignore the committed records and train (records go to results/runs/_retrained/records)",
    },
  },
  extra: {
    help: "config fields: any field of the config, dotted for nested ones, e.g. --tau 3, " +
      "--alpha 0.25, --optim.epochs 4, --data.params.count 500 (an unknown field is refused)",
  },
} as const satisfies CommandSpec;

/** One table row per generation: MAE of ŷ, ŷ_ldl, ŷ_reg and CA(3, 5, 7). */
function metricsTable(metrics: RunMetrics): string[] {
  const lines = ["generation   MAE   MAE_ldl  MAE_reg   CA3    CA5    CA7"];
  for (const g of metrics.generations) {
    const m = g.metrics;
    lines.push(
      [
        String(g.generation).padStart(10),
        m.mae.toFixed(3).padStart(6),
        m.maeLdl.toFixed(3).padStart(8),
        m.maeReg.toFixed(3).padStart(8),
        m.ca3.toFixed(1).padStart(6),
        m.ca5.toFixed(1).padStart(6),
        m.ca7.toFixed(1).padStart(6),
      ].join(" "),
    );
  }
  return lines;
}

if (import.meta.main) {
  await runCli(TRAIN_CLI, async ({ options, extra }) => {
    const started = performance.now();
    const recordsRoot = options.retrain ? RETRAINED_RECORDS_DIR : undefined;
    const { target } = await runProfile(options.profile ?? "tiny", flagsToConfig(extra), {
      recordsRoot,
    });
    console.log(`\nrun ${target.id} (${target.dir})`);
    for (const line of metricsTable(target.metrics)) console.log(line);
    console.log(`wall time ${((performance.now() - started) / 1000).toFixed(0)} s`);
  });
}
