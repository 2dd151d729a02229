/**
 * `deno task study [--profile real] [--seeds N] [--workers N] [--dry-run]`: trains every run the
 * notebooks 02–07 need under a profile (`studyPlan` in lib/study.ts), phase by phase, with up to
 * `--workers` processes side by side (default 2: each trains on one core). The notebooks then find
 * the runs cached and only read them. Interrupted: rerun the same command; finished runs are
 * reused and a run cut off mid-generation resumes from its last checkpoint.
 *
 * `--slurm [--partition P] [--gres gpu:1] [--time T] [--mem M] [--cpus-per-task N] [--account A]
 * [--slurm-dir D] [--dry-run]`: the same plan as Slurm job arrays (lib/slurm.ts), one per phase,
 * each after the previous (afterok), one task per run still to train; the scripts go to
 * `<runs>/_slurm/<profile>-<time>/` (or D) and are submitted with `sbatch` unless `--dry-run`.
 *
 * Internal: `--run-list <file.json>` trains the configs listed in that file, one after another;
 * `--slurm-task <file.json>` trains entry `$SLURM_ARRAY_TASK_ID` of it (an array task).
 * @module
 */
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type CenConfig, configHash } from "../lib/config.ts";
import { type CommandSpec, runCli } from "../lib/cli.ts";
import { canonicalJson } from "../lib/config.ts";
import { runConfig, runPretraining } from "../lib/experiment.ts";
import { readJsonIfExists } from "../lib/fsutil.ts";
import { displayPath, RETRAINED_RECORDS_DIR, VERIFY_DIR } from "../lib/paths.ts";
import { drawWithoutReplacement, seedNoise, verifyRows, verifyTable } from "../lib/study/verify.ts";
import {
  DEFAULT_RECORDS_ROOT,
  readAllRecords,
  readRecord,
  type RunRecord,
} from "../lib/train/record.ts";
import { balance, describeRun, lookup, remainingCost, studyPlan } from "../lib/study/mod.ts";
import { PROFILE_NAMES } from "../lib/profiles.ts";
import { UsageError, UserError } from "../lib/errors.ts";
import {
  parseJobId,
  sbatchArgs,
  type SlurmJob,
  slurmJobs,
  type SlurmOptions,
  submitScript,
  taskConfig,
  tasksTable,
} from "../lib/slurm.ts";
import { DEFAULT_RUNS_ROOT } from "../lib/train/run.ts";
import { runHolder } from "../lib/train/locks.ts";

/** The command line of `deno task study`. */
export const STUDY_CLI = {
  name: "study",
  usage: [
    "deno task study [--profile <name>] [--seeds N] [--workers N] [--retrain] [--dry-run]",
    "deno task study [--profile <name>] --verify N [--verify-seed S]",
    "deno task study [--profile <name>] [--seeds N] --slurm [--partition P] [--gres gpu:1] " +
    "[--time T] [--mem M] [--cpus-per-task N] [--account A] [--slurm-dir D] [--dry-run]",
  ],
  summary: "Trains every run the notebooks 02-07 need under a profile, phase by phase, with up " +
    "to --workers processes side by side. Interrupted: rerun the same command to resume. With " +
    "--slurm: one Slurm job array per phase (each after the previous one), one task per run, " +
    "against the runs folder (CEN_RUNS_DIR) that every node shares; submitted with sbatch " +
    "unless --dry-run.",
  options: {
    profile: {
      type: "string",
      value: "<name>",
      choices: PROFILE_NAMES,
      help: `the profile (default real): ${PROFILE_NAMES.join(", ")}`,
    },
    seeds: { type: "integer", help: "seeds per setting (default: the profile's study seeds)" },
    workers: { type: "integer", help: "training processes side by side (default 2)" },
    phases: {
      type: "string",
      value: "<list>",
      help: "only these phases, by number, e.g. 1,2 (default: all; --dry-run lists them)",
    },
    retrain: {
      type: "boolean",
      help: "ignore the committed records: train every run of the plan (their records go to " +
        "results/runs/_retrained/records; records/ is left as it is)",
    },
    verify: {
      type: "integer",
      value: "N",
      help: "retrain N recorded runs of the plan, drawn at random, in results/verify/, and " +
        "print each one's recorded and new MAE with the difference seed noise alone gives",
    },
    "verify-seed": { type: "integer", help: "--verify: the draw's seed (default: printed)" },
    "dry-run": {
      type: "boolean",
      help:
        "list the phases and runs; train nothing (with --slurm: write the scripts, submit none)",
    },
    slurm: {
      type: "boolean",
      help: 'submit the plan as Slurm job arrays (README: "The study on a Slurm cluster")',
    },
    partition: { type: "string", value: "<name>", help: "--slurm: the partition" },
    gres: { type: "string", value: "<gres>", help: "--slurm: resources per task, e.g. gpu:1" },
    time: { type: "string", value: "<limit>", help: "--slurm: time limit per task" },
    mem: { type: "string", value: "<size>", help: "--slurm: memory per task, e.g. 16G" },
    "cpus-per-task": { type: "integer", help: "--slurm: CPUs per task (default 1)" },
    account: { type: "string", value: "<name>", help: "--slurm: the account to charge" },
    "slurm-dir": {
      type: "string",
      value: "<folder>",
      help: "--slurm: where scripts and logs go (default <runs>/_slurm/<profile>-<time>)",
    },
    "slurm-task": {
      type: "string",
      value: "<file.json>",
      hidden: true,
      help: "internal: train entry $SLURM_ARRAY_TASK_ID of this task list (a Slurm array task)",
    },
    "run-list": {
      type: "string",
      value: "<file.json>",
      hidden: true,
      help: "internal: train the configs listed in this file, one after another",
    },
  },
} as const satisfies CommandSpec;

/**
 * Trains the configs listed in a JSON file one after another (a worker's share). A run another
 * live process works in (a second `deno task study`, a Slurm task) goes to the end of the list
 * rather than being waited for; by then it is finished, or resumed from its last checkpoint.
 */
async function runList(file: string): Promise<void> {
  const configs: CenConfig[] = JSON.parse(await Deno.readTextFile(file));
  const later: CenConfig[] = [];
  for (const [i, c] of configs.entries()) {
    const busy = await runHolder(await configHash(c));
    if (busy) {
      console.log(
        `── run ${i + 1}/${configs.length}: ${await describe(c)}: ${busy} works in it; later`,
      );
      later.push(c);
      continue;
    }
    console.log(`── run ${i + 1}/${configs.length}: ${await describe(c)}`);
    await runConfig(c);
  }
  for (const [i, c] of later.entries()) {
    console.log(`── run put off ${i + 1}/${later.length}: ${await describe(c)}`);
    await runConfig(c);
  }
}

/** Runs the study plan of `name` phase by phase (or lists it, with `dryRun`). */
async function study(
  name: string,
  seeds: number | undefined,
  workers: number,
  dryRun: boolean,
  only?: Set<number>,
  recordsRoot = DEFAULT_RECORDS_ROOT,
) {
  const started = performance.now();
  const phases = await studyPlan(name, { seeds });
  const unknown = [...only ?? []].filter((n) => n < 1 || n > phases.length);
  if (unknown.length) {
    throw new UsageError(
      `--phases: no phase ${unknown.join(", ")} (the plan has ${phases.length})`,
    );
  }
  // Generations an earlier run of the plan trains are counted once; a run finished here or known
  // by its committed record costs nothing.
  const planned = new Set<string>();
  for (const [p, phase] of phases.entries()) {
    const found = await Promise.all(phase.configs.map((c) => lookup(c, undefined, recordsRoot)));
    const costs: number[] = [];
    for (const [i, c] of phase.configs.entries()) {
      costs.push(found[i] ? 0 : await remainingCost(c, undefined, planned));
    }
    if (only && !only.has(p + 1)) continue;
    const done = found.filter(Boolean).length;
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
    // Each worker gets its share of the cores (CEN_THREADS, unless set): on 2 cores two
    // 1-thread workers train 1.4× the images of one 2-thread process (deno task bench).
    const threads = Deno.env.get("CEN_THREADS") ??
      String(Math.max(1, Math.floor(navigator.hardwareConcurrency / shares.length)));
    const results = await Promise.all(
      shares.map((share, w) => runWorker(share, w, threads, recordsRoot)),
    );
    if (results.some((ok) => !ok)) {
      console.error(`study: phase "${phase.name}" failed (rerun to resume)`);
      return 1;
    }
  }
  console.log(
    `\nstudy ${name}: ${only ? `phase(s) ${[...only].join(", ")}` : "all phases"} done in ${
      ((performance.now() - started) / 60000).toFixed(1)
    } min`,
  );
  return 0;
}

/**
 * Retrains `n` runs of the plan that are recorded in full, drawn at random by `seed`, in their own
 * folders (`results/verify/`, no records written), and prints each generation's recorded and new
 * MAE of ŷ with the difference seed noise alone gives (lib/study/verify.ts).
 */
async function verify(name: string, seeds: number | undefined, n: number, seed: number) {
  const phases = await studyPlan(name, { seeds });
  const byId = new Map<string, CenConfig>();
  for (const c of phases.flatMap((p) => p.configs)) byId.set(await configHash(c), c);
  const recorded: RunRecord[] = [];
  for (const [id, c] of byId) {
    const r = await readRecord(DEFAULT_RECORDS_ROOT, id);
    if (r && r.generations.length === c.generations) recorded.push(r);
  }
  if (recorded.length === 0) {
    throw new UserError(
      `verify: no run of the ${name} study is recorded in full; nothing to verify`,
    );
  }
  const picked = drawWithoutReplacement(recorded, n, seed);
  const all = await readAllRecords(DEFAULT_RECORDS_ROOT);
  const opts = {
    runsRoot: join(VERIFY_DIR, "runs"),
    recordsRoot: null,
  };
  console.log(
    `verify: ${picked.length} of the ${recorded.length} recorded runs of the ${name} study, ` +
      `drawn with --verify-seed ${seed}; retrained in ${displayPath(opts.runsRoot)}`,
  );
  let within = 0, total = 0;
  for (const [i, r] of picked.entries()) {
    console.log(`\n── ${i + 1}/${picked.length}: ${r.id} ${describeRun(r.config)}`);
    const pre = r.config.pretrained
      ? await readRecord(DEFAULT_RECORDS_ROOT, r.config.pretrained)
      : undefined;
    if (pre) await runPretraining(pre.config, opts);
    const now = await runConfig(r.config, opts);
    const inputs = await readJsonIfExists<RunRecord["inputs"]>(join(now.dir, "inputs.json"));
    const same = canonicalJson(inputs ?? null) === canonicalJson(r.inputs);
    const noise = seedNoise(r.config, r.generations.map((g) => g.metrics.mae), all);
    const rows = verifyRows(
      { id: r.id, config: r.config, backend: r.backend, generations: r.generations },
      now.metrics,
      noise,
    );
    console.log(verifyTable(rows, noise));
    if (!same) console.log("  (trained here on other inputs than the record's: not comparable)");
    within += rows.filter((x) => x.withinNoise).length;
    total += rows.length;
  }
  console.log(
    `\nverify: ${within} of ${total} generations within 2 σ of seed noise of their record`,
  );
  return 0;
}

/** Trains one Slurm array task: entry `$SLURM_ARRAY_TASK_ID` of a task list. */
async function slurmTask(file: string): Promise<number> {
  const index = Number(Deno.env.get("SLURM_ARRAY_TASK_ID"));
  const config = taskConfig(JSON.parse(await Deno.readTextFile(file)), index);
  console.log(`cen: task ${index} of ${file}: run ${await describe(config)}`);
  const result = await runConfig(config);
  console.log(`cen: run ${result.id} ${result.complete ? "finished" : "NOT finished"}`);
  return result.complete ? 0 : 1;
}

/** Which Slurm options were given without --slurm (each a mistake). */
const SLURM_ONLY = [
  "partition",
  "gres",
  "time",
  "mem",
  "cpus-per-task",
  "account",
  "slurm-dir",
] as const;

/** Writes the plan's job arrays and (unless `dryRun`) submits them, each after the previous. */
async function submitSlurm(
  name: string,
  seeds: number | undefined,
  slurm: Omit<SlurmOptions, "profile" | "repo" | "runsDir" | "deno" | "dir">,
  dir: string | undefined,
  dryRun: boolean,
): Promise<number> {
  const runsDir = resolve(DEFAULT_RUNS_ROOT);
  const stamp = new Date().toISOString().replace(/[-:]/g, "").replace(/\..*/, "");
  const opts: SlurmOptions = {
    ...slurm,
    profile: name,
    repo: fileURLToPath(new URL("..", import.meta.url)).replace(/\/$/, ""),
    runsDir,
    deno: Deno.execPath(),
    dir: resolve(dir ?? join(runsDir, "_slurm", `${name}-${stamp}`)),
  };
  const phases = await studyPlan(name, { seeds });
  const planned = [];
  for (const [p, phase] of phases.entries()) {
    const runs = [];
    for (const c of phase.configs) {
      if (await lookup(c)) continue; // finished earlier: no task
      runs.push({ id: await configHash(c), label: describeRun(c), config: c });
    }
    console.log(
      `phase ${p + 1}/${phases.length}: ${phase.name}: ${runs.length} of ` +
        `${phase.configs.length} runs to train`,
    );
    planned.push({ name: phase.name, runs });
  }
  const jobs = slurmJobs(planned, opts);
  await Deno.mkdir(join(opts.dir, "logs"), { recursive: true });
  for (const j of jobs) {
    await Deno.writeTextFile(j.scriptPath, j.script);
    await Deno.writeTextFile(j.tasksPath, j.tasks);
  }
  await Deno.writeTextFile(join(opts.dir, "tasks.tsv"), tasksTable(jobs));
  await Deno.writeTextFile(join(opts.dir, "submit.sh"), submitScript(jobs));
  console.log(`slurm: ${jobs.length} job arrays in ${opts.dir} (runs in ${runsDir})`);
  if (jobs.length === 0) {
    console.log("slurm: every run is finished; nothing to submit");
    return 0;
  }
  if (dryRun) {
    for (const j of jobs) {
      console.log(`  ${j.jobName}: ${j.runs.length} tasks, ${j.scriptPath}`);
      for (const [i, r] of j.runs.entries()) {
        console.log(`    [${i}] ${r.id.slice(0, 12)} ${r.label}`);
      }
    }
    console.log(`dry run: nothing submitted; to submit: bash ${join(opts.dir, "submit.sh")}`);
    return 0;
  }
  const submitted: { job: SlurmJob; id: string }[] = [];
  for (const j of jobs) {
    const id = await sbatch(sbatchArgs(j, submitted.at(-1)?.id));
    submitted.push({ job: j, id });
    console.log(
      `slurm: phase ${j.phase} (${j.name}): job ${id}, ${j.jobName}, ${j.runs.length} tasks` +
        (submitted.length > 1 ? `, after job ${submitted[submitted.length - 2].id}` : ""),
    );
  }
  await Deno.writeTextFile(
    join(opts.dir, "jobs.json"),
    JSON.stringify(
      submitted.map((s) => ({
        phase: s.job.phase,
        name: s.job.name,
        job: s.id,
        tasks: s.job.runs.length,
      })),
      null,
      1,
    ) + "\n",
  );
  console.log(
    `slurm: submitted; watch with squeue -j ${submitted.map((s) => s.id).join(",")}; ` +
      `logs in ${join(opts.dir, "logs")}`,
  );
  return 0;
}

/** Runs `sbatch` (a minute at most) and returns the job id it printed. */
async function sbatch(args: string[]): Promise<string> {
  let out: Deno.CommandOutput;
  try {
    out = await new Deno.Command("sbatch", {
      args,
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(60_000),
    }).output();
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new UserError("sbatch not found (is this a Slurm login node? try --dry-run)");
    }
    throw e;
  }
  const dec = new TextDecoder();
  if (!out.success) {
    throw new UserError(`sbatch ${args.join(" ")} failed: ${dec.decode(out.stderr).trim()}`);
  }
  return parseJobId(dec.decode(out.stdout));
}

if (import.meta.main) {
  await runCli(STUDY_CLI, async ({ options }) => {
    if (options["run-list"] !== undefined) return await runList(options["run-list"]);
    if (options["slurm-task"] !== undefined) return await slurmTask(options["slurm-task"]);
    if (options.seeds !== undefined && options.seeds < 1) {
      throw new UsageError("--seeds must be a positive integer");
    }
    const profile = options.profile ?? "real";
    if (options.slurm) {
      if (options.workers !== undefined) {
        throw new UsageError("--workers has no effect with --slurm (one task per run)");
      }
      const cpus = options["cpus-per-task"];
      if (cpus !== undefined && cpus < 1) {
        throw new UsageError("--cpus-per-task must be a positive integer");
      }
      return await submitSlurm(
        profile,
        options.seeds,
        {
          partition: options.partition,
          gres: options.gres,
          time: options.time,
          mem: options.mem,
          cpusPerTask: cpus,
          account: options.account,
        },
        options["slurm-dir"],
        !!options["dry-run"],
      );
    }
    const given = SLURM_ONLY.find((k) => options[k] !== undefined);
    if (given) throw new UsageError(`--${given} needs --slurm`);
    const workers = options.workers ?? 2;
    if (workers < 1) throw new UsageError("--workers must be a positive integer");
    let only: Set<number> | undefined;
    if (options.phases !== undefined) {
      const list = options.phases.split(",").map((x) => x.trim());
      if (list.some((x) => !/^[1-9][0-9]*$/.test(x))) {
        throw new UsageError(`--phases wants phase numbers like 1,2 (got "${options.phases}")`);
      }
      only = new Set(list.map(Number));
    }
    if (options.verify !== undefined) {
      if (options.verify < 1) throw new UsageError("--verify must be a positive integer");
      const seed = options["verify-seed"] ?? Math.floor(Date.now() / 1000) % 100_000;
      return await verify(profile, options.seeds, options.verify, seed);
    }
    if (options["verify-seed"] !== undefined) throw new UsageError("--verify-seed needs --verify");
    const recordsRoot = options.retrain ? RETRAINED_RECORDS_DIR : DEFAULT_RECORDS_ROOT;
    return await study(profile, options.seeds, workers, !!options["dry-run"], only, recordsRoot);
  });
}

/** A config's run id and what tells it apart in the study. */
async function describe(c: CenConfig): Promise<string> {
  return `${(await configHash(c)).slice(0, 12)} ${describeRun(c)}`;
}

/** Runs a share of configs in a child process, prefixing its output lines with `[w]`. */
async function runWorker(
  share: CenConfig[],
  w: number,
  threads: string,
  recordsRoot: string,
): Promise<boolean> {
  const list = await Deno.makeTempFile({ prefix: "cen-study-", suffix: ".json" });
  await Deno.writeTextFile(list, JSON.stringify(share));
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL(import.meta.url).pathname, "--run-list", list],
    env: { CEN_THREADS: threads, CEN_RECORDS_DIR: recordsRoot },
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
