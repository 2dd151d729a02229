/**
 * lib/slurm.ts by values: a two-phase plan becomes two job arrays (the script of each, word for
 * word), the sbatch command lines with their dependency, the hand-run submit script, the task
 * table, sbatch's job id, and the task a `SLURM_ARRAY_TASK_ID` picks.
 */
import { assertEquals, assertThrows } from "@std/assert";
import { makeConfig } from "../lib/config.ts";
import {
  jobName,
  parseJobId,
  sbatchArgs,
  shellQuote,
  slurmJobs,
  type SlurmOptions,
  submitScript,
  taskConfig,
  tasksTable,
} from "../lib/slurm.ts";

const a = makeConfig({ seed: 0 }), b = makeConfig({ seed: 1 }), c = makeConfig({ seed: 2 });
const PHASES = [
  { name: "pretraining", runs: [{ id: "aaa111", label: "pretrain seed=0", config: a }] },
  { name: "empty", runs: [] },
  {
    name: "generation 1",
    runs: [
      { id: "bbb222", label: "target seed=1", config: b },
      { id: "ccc333", label: "target seed=2", config: c },
    ],
  },
];
const OPTS: SlurmOptions = {
  profile: "smoke",
  repo: "/shared/cen",
  runsDir: "/shared/runs",
  deno: "/shared/cen/node_modules/deno/deno",
  dir: "/shared/runs/_slurm/smoke-1",
  partition: "gpu",
  gres: "gpu:1",
  time: "2:00:00",
  env: { CEN_BACKEND: "tensorflow" },
};

Deno.test("slurmJobs: one array per phase with runs, numbered by plan position", () => {
  const jobs = slurmJobs(PHASES, OPTS);
  assertEquals(jobs.map((j) => [j.phase, j.jobName, j.runs.length]), [
    [1, "cen-smoke-p1", 1],
    [3, "cen-smoke-p3", 2],
  ]);
  assertEquals(jobs[1].scriptPath, "/shared/runs/_slurm/smoke-1/p3.sbatch");
  assertEquals(jobs[1].tasksPath, "/shared/runs/_slurm/smoke-1/p3.json");
  assertEquals(JSON.parse(jobs[1].tasks), [b, c]);
  assertEquals(
    jobs[1].script,
    `#!/bin/bash
# CEN study, profile smoke, phase 3: generation 1 (2 runs).
# One array task per run; written by \`deno task study --slurm\` (lib/slurm.ts).
#SBATCH --job-name=cen-smoke-p3
#SBATCH --array=0-1
#SBATCH --output=/shared/runs/_slurm/smoke-1/logs/p3-%a-%A.out
#SBATCH --ntasks=1
#SBATCH --cpus-per-task=1
#SBATCH --partition=gpu
#SBATCH --gres=gpu:1
#SBATCH --time=2:00:00
#SBATCH --kill-on-invalid-dep=yes
#SBATCH --requeue
#SBATCH --open-mode=append
set -euo pipefail
RUNS=(bbb222 ccc333)
RUN="\${RUNS[$SLURM_ARRAY_TASK_ID]}"
scontrol update JobId="$SLURM_JOB_ID" JobName="cen-smoke-p3-$RUN" >/dev/null 2>&1 || true
ln -sfn "p3-\${SLURM_ARRAY_TASK_ID}-\${SLURM_ARRAY_JOB_ID}.out" /shared/runs/_slurm/smoke-1/logs/"$RUN.out" || true
echo "cen: phase 3 task $SLURM_ARRAY_TASK_ID (job $SLURM_JOB_ID on $(hostname)): run $RUN"
export CEN_BACKEND=tensorflow
export CEN_RUNS_DIR=/shared/runs
cd /shared/cen
exec /shared/cen/node_modules/deno/deno run -A tools/study.ts --slurm-task /shared/runs/_slurm/smoke-1/p3.json
`,
  );
});

Deno.test("slurmJobs: without partition, gres or time those lines are left out; CPUs default to 1", () => {
  const [job] = slurmJobs(PHASES.slice(0, 1), {
    ...OPTS,
    partition: undefined,
    gres: undefined,
    time: undefined,
  });
  const directives = job.script.split("\n").filter((l) => l.startsWith("#SBATCH"));
  assertEquals(directives, [
    "#SBATCH --job-name=cen-smoke-p1",
    "#SBATCH --array=0-0",
    "#SBATCH --output=/shared/runs/_slurm/smoke-1/logs/p1-%a-%A.out",
    "#SBATCH --ntasks=1",
    "#SBATCH --cpus-per-task=1",
    "#SBATCH --kill-on-invalid-dep=yes",
    "#SBATCH --requeue",
    "#SBATCH --open-mode=append",
  ]);
  const [four] = slurmJobs(PHASES.slice(0, 1), {
    ...OPTS,
    cpusPerTask: 4,
    mem: "16G",
    account: "lab",
  });
  assertEquals(
    four.script.split("\n").filter((l) => /cpus|mem=|account/.test(l)),
    ["#SBATCH --cpus-per-task=4", "#SBATCH --mem=16G", "#SBATCH --account=lab"],
  );
});

Deno.test("sbatchArgs, submitScript, tasksTable: each phase after the previous one", () => {
  const jobs = slurmJobs(PHASES, OPTS);
  assertEquals(sbatchArgs(jobs[0]), ["--parsable", "/shared/runs/_slurm/smoke-1/p1.sbatch"]);
  assertEquals(sbatchArgs(jobs[1], "41"), [
    "--parsable",
    "--dependency=afterok:41",
    "/shared/runs/_slurm/smoke-1/p3.sbatch",
  ]);
  assertEquals(
    submitScript(jobs),
    `#!/bin/bash
# Submits the study's job arrays, each after the previous one succeeded.
set -euo pipefail
J1=$(sbatch --parsable /shared/runs/_slurm/smoke-1/p1.sbatch | cut -d';' -f1)
echo "phase 1 (pretraining): job $J1, 1 tasks"
J3=$(sbatch --parsable --dependency=afterok:"$J1" /shared/runs/_slurm/smoke-1/p3.sbatch | cut -d';' -f1)
echo "phase 3 (generation 1): job $J3, 2 tasks"
`,
  );
  assertEquals(
    tasksTable(jobs),
    "job\ttask\trun\tdescription\n" +
      "cen-smoke-p1\t0\taaa111\tpretrain seed=0\n" +
      "cen-smoke-p3\t0\tbbb222\ttarget seed=1\n" +
      "cen-smoke-p3\t1\tccc333\ttarget seed=2\n",
  );
});

Deno.test("parseJobId, taskConfig, jobName, shellQuote", () => {
  assertEquals(parseJobId("1234\n"), "1234");
  assertEquals(parseJobId("1234;cluster-a\n"), "1234");
  assertThrows(() => parseJobId("sbatch: error: invalid partition\n"), Error, "no job id");
  assertEquals(taskConfig([a, b, c], 1), b);
  assertThrows(() => taskConfig([a, b], 2), RangeError, "outside the task list (0-1)");
  assertThrows(() => taskConfig([a, b], NaN), RangeError);
  assertEquals(jobName("real-96", 2), "cen-real-96-p2");
  assertEquals(jobName("my profile", 1), "cen-my_profile-p1");
  assertEquals(shellQuote("/a/b-c.d"), "/a/b-c.d");
  assertEquals(shellQuote("/my dir/it's"), `'/my dir/it'"'"'s'`);
});
