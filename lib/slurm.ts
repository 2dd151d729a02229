/**
 * The study on a Slurm cluster: a plan of phases (`studyPlan` in lib/study/plan.ts) becomes one job
 * array per phase, each task training exactly one run, each array starting only when the previous
 * phase's array succeeded (`--dependency=afterok:<job id>`; `--kill-on-invalid-dep=yes` cancels the
 * later phases when a task fails, instead of leaving them pending for ever).
 *
 * Every task trains against one runs folder shared by all nodes (`CEN_RUNS_DIR`, exported by the
 * script), so a phase finds what the previous one trained, and two tasks that reach the same run
 * or generation never both train it (the locks of lib/train/locks.ts). A task killed mid-run
 * (time limit, preemption, a node lost) resumes from its last epoch's checkpoint when it runs
 * again (`--requeue`; or resubmit the study: finished runs are left out).
 *
 * `squeue` shows which run each task is: the array is named `cen-<profile>-p<phase>`, and each
 * task renames itself `cen-<profile>-p<phase>-<run id>` when it starts (`scontrol update`); its
 * output goes to `logs/p<phase>-<task>-<array job>.out` with a link `logs/<run id>.out`, and it
 * prints the run it trains. `tasks.tsv` lists every task: phase, index, run id, description.
 *
 * Everything here is pure (plan and options in, file contents and command lines out); the
 * submission is in tools/study.ts.
 *
 * @module
 */
import { join } from "node:path";
import type { CenConfig } from "./config.ts";

/** One run of a phase: its config, id (config hash) and description. */
export interface SlurmRun {
  id: string;
  label: string;
  config: CenConfig;
}

/** A phase to submit: its name and the runs left to train (may be empty: not submitted). */
export interface SlurmPhase {
  name: string;
  runs: SlurmRun[];
}

/** How the jobs are written. */
export interface SlurmOptions {
  /** The profile (for the job names). */
  profile: string;
  /** The checkout the tasks run in (absolute; the same path on every node). */
  repo: string;
  /** The runs folder shared by every node (absolute). */
  runsDir: string;
  /** The Deno executable the tasks run (absolute). */
  deno: string;
  /** Where the scripts, task lists and logs go (absolute, shared). */
  dir: string;
  partition?: string;
  /** Generic resources per task, e.g. `gpu:1`. */
  gres?: string;
  /** CPUs per task (default 1). */
  cpusPerTask?: number;
  /** Memory per task, e.g. `16G`. */
  mem?: string;
  /** Time limit per task, e.g. `1-00:00:00`. */
  time?: string;
  account?: string;
  /** Environment the tasks export besides `CEN_RUNS_DIR` (e.g. `CEN_BACKEND`). */
  env?: Record<string, string>;
}

/** One job array: a phase's script and task list, and where they go. */
export interface SlurmJob {
  /** 1-based phase number in the plan. */
  phase: number;
  /** The phase's name. */
  name: string;
  /** The array's job name, `cen-<profile>-p<phase>`. */
  jobName: string;
  runs: SlurmRun[];
  scriptPath: string;
  script: string;
  tasksPath: string;
  /** The task list: the configs, in array-index order (JSON). */
  tasks: string;
}

/** Quotes a word for bash (single quotes; safe for any text). */
export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `'${s.replaceAll("'", `'"'"'`)}'`;
}

/** A job name: `cen-<profile>-p<phase>` (characters Slurm and shells accept). */
export function jobName(profile: string, phase: number): string {
  return `cen-${profile.replace(/[^A-Za-z0-9_.-]/g, "_")}-p${phase}`;
}

/** The sbatch script of one phase (see the module doc). */
export function phaseScript(
  phase: number,
  name: string,
  runs: readonly SlurmRun[],
  opts: SlurmOptions,
): string {
  const job = jobName(opts.profile, phase);
  const logs = join(opts.dir, "logs");
  const directives = [
    `--job-name=${job}`,
    `--array=0-${runs.length - 1}`,
    `--output=${join(logs, `p${phase}-%a-%A.out`)}`,
    `--ntasks=1`,
    `--cpus-per-task=${opts.cpusPerTask ?? 1}`,
    ...(opts.partition ? [`--partition=${opts.partition}`] : []),
    ...(opts.gres ? [`--gres=${opts.gres}`] : []),
    ...(opts.mem ? [`--mem=${opts.mem}`] : []),
    ...(opts.time ? [`--time=${opts.time}`] : []),
    ...(opts.account ? [`--account=${opts.account}`] : []),
    `--kill-on-invalid-dep=yes`,
    `--requeue`,
    `--open-mode=append`,
  ];
  const env = { ...opts.env, CEN_RUNS_DIR: opts.runsDir };
  const runIds = runs.map((r) => r.id);
  return [
    "#!/bin/bash",
    `# CEN study, profile ${opts.profile}, phase ${phase}: ${name} (${runs.length} runs).`,
    "# One array task per run; written by `deno task study --slurm` (lib/slurm.ts).",
    ...directives.map((d) => `#SBATCH ${d}`),
    "set -euo pipefail",
    `RUNS=(${runIds.join(" ")})`,
    'RUN="${RUNS[$SLURM_ARRAY_TASK_ID]}"',
    `scontrol update JobId="$SLURM_JOB_ID" JobName="${job}-$RUN" >/dev/null 2>&1 || true`,
    `ln -sfn "p${phase}-\${SLURM_ARRAY_TASK_ID}-\${SLURM_ARRAY_JOB_ID}.out" ` +
    `${shellQuote(logs)}/"$RUN.out" || true`,
    `echo "cen: phase ${phase} task $SLURM_ARRAY_TASK_ID (job $SLURM_JOB_ID on $(hostname)): run $RUN"`,
    ...Object.entries(env).map(([k, v]) => `export ${k}=${shellQuote(v)}`),
    `cd ${shellQuote(opts.repo)}`,
    `exec ${shellQuote(opts.deno)} run -A tools/study.ts --slurm-task ${
      shellQuote(join(opts.dir, `p${phase}.json`))
    }`,
    "",
  ].join("\n");
}

/** The job arrays of a plan: one per phase that has runs left, numbered by plan position. */
export function slurmJobs(phases: readonly SlurmPhase[], opts: SlurmOptions): SlurmJob[] {
  const jobs: SlurmJob[] = [];
  for (const [i, p] of phases.entries()) {
    if (p.runs.length === 0) continue;
    const phase = i + 1;
    jobs.push({
      phase,
      name: p.name,
      jobName: jobName(opts.profile, phase),
      runs: p.runs,
      scriptPath: join(opts.dir, `p${phase}.sbatch`),
      script: phaseScript(phase, p.name, p.runs, opts),
      tasksPath: join(opts.dir, `p${phase}.json`),
      tasks: JSON.stringify(p.runs.map((r) => r.config), null, 1) + "\n",
    });
  }
  return jobs;
}

/** The arguments of `sbatch` for a job, after the job it depends on (if any). */
export function sbatchArgs(job: SlurmJob, after?: string): string[] {
  return ["--parsable", ...(after ? [`--dependency=afterok:${after}`] : []), job.scriptPath];
}

/** The job id in `sbatch --parsable`'s output (`<id>` or `<id>;<cluster>`). */
export function parseJobId(stdout: string): string {
  const id = stdout.trim().split("\n").pop()?.split(";")[0].trim() ?? "";
  if (!/^\d+$/.test(id)) throw new Error(`sbatch printed no job id: ${JSON.stringify(stdout)}`);
  return id;
}

/** `tasks.tsv`: phase, array index, run id and description of every task. */
export function tasksTable(jobs: readonly SlurmJob[]): string {
  const rows = jobs.flatMap((j) =>
    j.runs.map((r, i) => [j.jobName, String(i), r.id, r.label].join("\t"))
  );
  return ["job\ttask\trun\tdescription", ...rows, ""].join("\n");
}

/**
 * `submit.sh`: the same chain by hand (`bash submit.sh`), for a dry run or a cluster where the
 * study is submitted from another machine.
 */
export function submitScript(jobs: readonly SlurmJob[]): string {
  const lines = [
    "#!/bin/bash",
    "# Submits the study's job arrays, each after the previous one succeeded.",
    "set -euo pipefail",
  ];
  jobs.forEach((j, i) => {
    const after = i > 0 ? ` --dependency=afterok:"$J${jobs[i - 1].phase}"` : "";
    lines.push(
      `J${j.phase}=$(sbatch --parsable${after} ${shellQuote(j.scriptPath)} | cut -d';' -f1)`,
      `echo "phase ${j.phase} (${
        j.name.replaceAll('"', "'")
      }): job $J${j.phase}, ${j.runs.length} tasks"`,
    );
  });
  return lines.join("\n") + "\n";
}

/** The config an array task trains: entry `index` of the task list (as its JSON). */
export function taskConfig(tasks: readonly CenConfig[], index: number): CenConfig {
  if (!Number.isInteger(index) || index < 0 || index >= tasks.length) {
    throw new RangeError(`array task ${index} is outside the task list (0-${tasks.length - 1})`);
  }
  return tasks[index];
}
