/**
 * `deno task study [--profile real] [--seeds N] [--workers N] [--dry-run]`: trains every run the
 * notebooks 02–07 need under a profile (`studyPlan` in lib/study.ts), phase by phase, with up to
 * `--workers` processes side by side (default 2: each trains on one core). The notebooks then find
 * the runs cached and only read them. Interrupted: rerun the same command; finished runs are
 * reused and a run cut off mid-generation resumes from its last checkpoint.
 *
 * Internal: `--run-list <file.json>` trains the configs listed in that file, one after another.
 * @module
 */
import { type CenConfig, configHash } from "../lib/config.ts";
import { type CommandSpec, runCli } from "../lib/cli.ts";
import { runConfig } from "../lib/experiment.ts";
import { balance, describeRun, lookup, remainingCost, studyPlan } from "../lib/study.ts";
import { PROFILE_NAMES } from "../lib/profiles.ts";
import { UsageError } from "../lib/errors.ts";

/** The command line of `deno task study`. */
export const STUDY_CLI = {
  name: "study",
  usage: "deno task study [--profile <name>] [--seeds N] [--workers N] [--dry-run]",
  summary: "Trains every run the notebooks 02-07 need under a profile, phase by phase, with up " +
    "to --workers processes side by side. Interrupted: rerun the same command to resume.",
  options: {
    profile: {
      type: "string",
      value: "<name>",
      choices: PROFILE_NAMES,
      help: `the profile (default real): ${PROFILE_NAMES.join(", ")}`,
    },
    seeds: { type: "integer", help: "seeds per setting (default: the profile's study seeds)" },
    workers: { type: "integer", help: "training processes side by side (default 2)" },
    "dry-run": { type: "boolean", help: "list the phases and runs; train nothing" },
    "run-list": {
      type: "string",
      value: "<file.json>",
      hidden: true,
      help: "internal: train the configs listed in this file, one after another",
    },
  },
} as const satisfies CommandSpec;

/** Trains the configs listed in a JSON file one after another (a worker's share). */
async function runList(file: string): Promise<void> {
  const configs: CenConfig[] = JSON.parse(await Deno.readTextFile(file));
  for (const [i, c] of configs.entries()) {
    console.log(`── run ${i + 1}/${configs.length}: ${await describe(c)}`);
    await runConfig(c);
  }
}

/** Runs the study plan of `name` phase by phase (or lists it, with `dryRun`). */
async function study(name: string, seeds: number | undefined, workers: number, dryRun: boolean) {
  const started = performance.now();
  const phases = await studyPlan(name, { seeds });
  for (const [p, phase] of phases.entries()) {
    const costs = await Promise.all(phase.configs.map((c) => remainingCost(c)));
    const done = (await Promise.all(phase.configs.map((c) => lookup(c)))).filter(Boolean).length;
    console.log(
      `\n═══ phase ${p + 1}/${phases.length}: ${phase.name}: ${phase.configs.length} runs ` +
        `(${done} finished), about ${costs.reduce((a, b) => a + b, 0).toFixed(0)} epochs to train`,
    );
    if (dryRun) {
      for (const c of phase.configs) console.log(`  ${await describe(c)}`);
      continue;
    }
    const todo = phase.configs.filter((_, i) => costs[i] > 0);
    const shares = balance(todo, costs.filter((c) => c > 0), workers).filter((s) => s.length);
    const results = await Promise.all(shares.map((share, w) => runWorker(share, w)));
    if (results.some((ok) => !ok)) {
      console.error(`study: phase "${phase.name}" failed (rerun to resume)`);
      return 1;
    }
  }
  console.log(
    `\nstudy ${name}: all phases done in ${((performance.now() - started) / 60000).toFixed(1)} min`,
  );
  return 0;
}

if (import.meta.main) {
  await runCli(STUDY_CLI, async ({ options }) => {
    if (options["run-list"] !== undefined) return await runList(options["run-list"]);
    const workers = options.workers ?? 2;
    if (workers < 1) throw new UsageError("--workers must be a positive integer");
    if (options.seeds !== undefined && options.seeds < 1) {
      throw new UsageError("--seeds must be a positive integer");
    }
    return await study(options.profile ?? "real", options.seeds, workers, !!options["dry-run"]);
  });
}

/** A config's run id and what tells it apart in the study. */
async function describe(c: CenConfig): Promise<string> {
  return `${(await configHash(c)).slice(0, 12)} ${describeRun(c)}`;
}

/** Runs a share of configs in a child process, prefixing its output lines with `[w]`. */
async function runWorker(share: CenConfig[], w: number): Promise<boolean> {
  const list = await Deno.makeTempFile({ prefix: "cen-study-", suffix: ".json" });
  await Deno.writeTextFile(list, JSON.stringify(share));
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL(import.meta.url).pathname, "--run-list", list],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const pipe = async (stream: ReadableStream<Uint8Array>, write: (l: string) => void) => {
    let buf = "";
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
      buf += chunk;
      const lines = buf.split("\n");
      buf = lines.pop()!;
      for (const l of lines) write(`[${w}] ${l}`);
    }
    if (buf) write(`[${w}] ${buf}`);
  };
  await Promise.all([pipe(child.stdout, console.log), pipe(child.stderr, console.error)]);
  const status = await child.status;
  await Deno.remove(list).catch(() => {});
  return status.success;
}
