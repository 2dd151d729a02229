/**
 * `deno task study --slurm` on a real Slurm: a one-node cluster (munged, slurmctld and slurmd of
 * Debian's slurm-wlm, as root, every path and port its own in a temporary folder) runs the
 * `smoke` study submitted as job arrays, and every run's metrics must equal those of
 * `deno task study --profile smoke` run locally. It prints the job ids, the names `squeue` showed,
 * every task's final state and the metrics side by side. It skips with the reason where Slurm is
 * not installed (`bash tools/setup-system.sh` installs it) or not root, and leaves the cluster
 * part out, with the reason, where the cluster does not start. Every child process has a deadline;
 * the cluster is torn down at the end, whatever happened.
 *
 * `CEN_SLURM_TEST_CPUS` (default 1): CPUs the node lends to jobs at once (tasks side by side).
 *
 * Also, without a cluster: `--slurm --dry-run` writes the scripts and submits nothing, and the
 * Slurm options are refused without `--slurm`.
 */
import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import { join } from "node:path";
import { generationIndexPath, generationKey, type RunMetrics } from "../../lib/train/run.ts";
import { withDeadline } from "../helpers/deadline.ts";
import { skipCheck, skipUnless } from "../helpers/skip.ts";
import { lastLine, ROOT, runTool } from "../helpers/tool.ts";

const DAEMONS = ["munged", "slurmctld", "slurmd", "sbatch", "squeue", "sinfo", "scontrol"];

function which(cmd: string): string | undefined {
  for (const dir of (Deno.env.get("PATH") ?? "").split(":").concat(["/usr/sbin", "/sbin"])) {
    try {
      if (Deno.statSync(join(dir, cmd)).isFile) return join(dir, cmd);
    } catch { /* not here */ }
  }
  return undefined;
}

const missing = DAEMONS.filter((c) => !which(c));
const isRoot = Deno.uid() === 0;
const NO_SLURM = missing.length
  ? `no Slurm (${
    missing.join(", ")
  } missing: apt-get install slurm-wlm munge, or bash tools/setup-system.sh)`
  : "not root (a one-node Slurm cluster runs its daemons as root)";

/** The whole test's budget, and each step's. */
const LIMIT_MS = { total: 1_500_000, start: 60_000, local: 600_000, slurm: 900_000 };

/** Runs a command to completion with a deadline; its output as text. */
async function run(
  cmd: string,
  args: string[],
  env: Record<string, string> = {},
  ms = 30_000,
): Promise<{ ok: boolean; out: string; err: string }> {
  const o = await new Deno.Command(cmd, {
    args,
    env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(ms),
  }).output();
  const dec = new TextDecoder();
  return { ok: o.success, out: dec.decode(o.stdout), err: dec.decode(o.stderr) };
}

/** A free TCP port on 127.0.0.1. */
function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A started daemon: stop it (TERM, then KILL after 10 s). */
interface Daemon {
  name: string;
  stop(): Promise<void>;
}

function startDaemon(name: string, cmd: string, args: string[], logFile: string, env = {}): Daemon {
  const log = Deno.openSync(logFile, { create: true, append: true });
  const child = new Deno.Command(cmd, {
    args,
    env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const pump = Promise.all([child.stdout, child.stderr].map(async (s) => {
    for await (const chunk of s) log.writeSync(chunk);
  }));
  const status = child.status;
  return {
    name,
    stop: async () => {
      try {
        child.kill("SIGTERM");
      } catch { /* already gone */ }
      const done = await Promise.race([status.then(() => true), sleep(10_000).then(() => false)]);
      if (!done) {
        try {
          child.kill("SIGKILL");
        } catch { /* gone */ }
      }
      await status;
      await pump;
      log.close();
    },
  };
}

/** The daemons did not start or the node did not come up (not a bug of this test). */
class ClusterStartError extends Error {}

/** The one-node cluster: its folder, client environment and daemons. */
interface Cluster {
  dir: string;
  env: Record<string, string>;
  daemons: Daemon[];
  node: string;
}

/**
 * Starts munged, slurmctld and slurmd under `dir`; throws (with the logs' tails) if it fails,
 * having stopped whatever it started.
 */
async function startCluster(dir: string, cpus: number): Promise<Cluster> {
  const cluster: Cluster = { dir, env: {}, daemons: [], node: "" };
  try {
    return await bringUp(cluster, cpus);
  } catch (e) {
    await stopCluster(cluster);
    throw e;
  }
}

async function bringUp(cluster: Cluster, cpus: number): Promise<Cluster> {
  const { dir, daemons } = cluster;
  for (const d of ["munge", "state", "spool", "log"]) {
    await Deno.mkdir(join(dir, d), { recursive: true });
  }
  const key = join(dir, "munge", "munge.key"), socket = join(dir, "munge", "munge.sock");
  await Deno.writeFile(key, crypto.getRandomValues(new Uint8Array(1024)), { mode: 0o600 });
  // munged wants its socket's folders searchable by every user.
  for (const d of [join(dir, ".."), dir, join(dir, "munge")]) await Deno.chmod(d, 0o755);
  daemons.push(startDaemon("munged", "munged", [
    "-F",
    `--key-file=${key}`,
    `--socket=${socket}`,
    `--pid-file=${join(dir, "munge", "munged.pid")}`,
    `--log-file=${join(dir, "munge", "munged.log")}`,
    `--seed-file=${join(dir, "munge", "munged.seed")}`,
  ], join(dir, "log", "munged.out")));
  for (let i = 0; i < 50 && !(await exists(socket)); i++) await sleep(200);
  if (!(await exists(socket))) {
    throw new ClusterStartError(`munged did not start: ${await tail(dir, "munged.out")}`);
  }

  const probe = await run(which("slurmd")!, ["-C"]);
  const nodeLine = probe.out.split("\n").find((l) => l.startsWith("NodeName="));
  if (!nodeLine) throw new ClusterStartError(`slurmd -C printed no node: ${probe.out}${probe.err}`);
  cluster.node = nodeLine.match(/^NodeName=(\S+)/)![1];
  const conf = join(dir, "slurm.conf");
  await Deno.writeTextFile(
    conf,
    [
      "ClusterName=centest",
      `SlurmctldHost=${cluster.node}(127.0.0.1)`,
      `SlurmctldPort=${freePort()}`,
      `SlurmdPort=${freePort()}`,
      "AuthType=auth/munge",
      "CredType=cred/munge",
      `AuthInfo=socket=${socket}`,
      "SlurmUser=root",
      "SlurmdUser=root",
      `StateSaveLocation=${join(dir, "state")}`,
      `SlurmdSpoolDir=${join(dir, "spool")}`,
      `SlurmctldPidFile=${join(dir, "slurmctld.pid")}`,
      `SlurmdPidFile=${join(dir, "slurmd.pid")}`,
      `SlurmctldLogFile=${join(dir, "log", "slurmctld.log")}`,
      `SlurmdLogFile=${join(dir, "log", "slurmd.log")}`,
      "ProctrackType=proctrack/linuxproc",
      "TaskPlugin=task/none",
      "JobAcctGatherType=jobacct_gather/none",
      "AccountingStorageType=accounting_storage/none",
      "JobCompType=jobcomp/filetxt",
      `JobCompLoc=${join(dir, "log", "jobcomp.log")}`,
      "SwitchType=switch/none",
      "MpiDefault=none",
      "SchedulerType=sched/builtin",
      "SelectType=select/cons_tres",
      "SelectTypeParameters=CR_CPU",
      "ReturnToService=2",
      "MinJobAge=3600",
      // The node as slurmd sees it (real CPUs and memory); jobs get at most `cpus` at once.
      `${nodeLine.trim()} NodeAddr=127.0.0.1 State=UNKNOWN`,
      `PartitionName=cen Nodes=${cluster.node} Default=YES MaxTime=INFINITE State=UP ` +
      `MaxCPUsPerNode=${cpus}`,
      "",
    ].join("\n"),
  );
  cluster.env = { SLURM_CONF: conf };
  daemons.push(startDaemon(
    "slurmctld",
    "slurmctld",
    ["-D", "-i", "-f", conf],
    join(dir, "log", "slurmctld.out"),
    cluster.env,
  ));
  daemons.push(startDaemon(
    "slurmd",
    "slurmd",
    ["-D", "-N", cluster.node, "-f", conf],
    join(dir, "log", "slurmd.out"),
    cluster.env,
  ));
  for (let i = 0; i < LIMIT_MS.start / 1000; i++) {
    const s = await run("sinfo", ["-h", "-o", "%T"], cluster.env, 10_000).catch(() => undefined);
    if (s?.ok && s.out.trim() === "idle") return cluster;
    await sleep(1000);
  }
  throw new ClusterStartError(
    `the node did not become idle in ${LIMIT_MS.start / 1000} s:\n` +
      `${await tail(dir, "slurmctld.out")}\n${await tail(dir, "slurmd.out")}`,
  );
}

async function stopCluster(c: Cluster): Promise<void> {
  if (c.env.SLURM_CONF) {
    await run("scancel", ["--user=root"], c.env, 10_000).catch(() => {});
  }
  for (const d of [...c.daemons].reverse()) await d.stop();
  c.daemons.length = 0;
}

async function exists(path: string): Promise<boolean> {
  return await Deno.stat(path).then(() => true, () => false);
}

async function tail(dir: string, name: string): Promise<string> {
  const text = await Deno.readTextFile(join(dir, "log", name)).catch(() => "");
  return `${name}: ${text.trim().split("\n").slice(-15).join("\n")}`;
}

/** Every run with metrics under a runs root: id → metrics. */
async function runsUnder(root: string): Promise<Map<string, RunMetrics>> {
  const out = new Map<string, RunMetrics>();
  for await (const e of Deno.readDir(root)) {
    if (!e.isDirectory || e.name.startsWith("_")) continue;
    const text = await Deno.readTextFile(join(root, e.name, "metrics.json")).catch(() => null);
    if (text) out.set(e.name, JSON.parse(text));
  }
  return out;
}

/** One jobcomp line as fields. */
function jobcompRecords(text: string): Record<string, string>[] {
  return text.trim().split("\n").filter(Boolean).map((line) =>
    Object.fromEntries(
      line.trim().split(/\s+/).map((kv) => {
        const i = kv.indexOf("=");
        return [kv.slice(0, i), kv.slice(i + 1)];
      }),
    )
  );
}

const maes = (m: RunMetrics) => m.generations.map((g) => g.metrics.mae.toFixed(4)).join(" → ");

Deno.test({
  name: "study --slurm: the smoke study as job arrays on a one-node cluster equals the local study",
  ignore: skipUnless(missing.length === 0 && isRoot, NO_SLURM),
  sanitizeResources: false,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "cen-slurm-" });
    const cpus = Number(Deno.env.get("CEN_SLURM_TEST_CPUS") ?? 1);
    let cluster: Cluster | undefined;
    let ok = false;
    try {
      await withDeadline(LIMIT_MS.total, "the Slurm study test", async () => {
        try {
          cluster = await startCluster(join(dir, "cluster"), cpus);
        } catch (e) {
          if (!(e instanceof ClusterStartError)) throw e;
          console.log(`the cluster did not start: ${e.message}`);
          skipCheck(false, "a one-node Slurm cluster does not start here");
          ok = true;
          return;
        }
        console.log(`cluster up: node ${cluster.node}, ${cpus} CPU(s) for jobs, in ${dir}/cluster`);
        const records = (name: string) => ({ CEN_RECORDS_DIR: join(dir, name) });

        // The reference: the local study (one worker: this machine has other work).
        const local = join(dir, "local-runs");
        const t0 = performance.now();
        const l = await runTool("tools/study.ts", ["--profile", "smoke", "--workers", "1"], {
          timeoutMs: LIMIT_MS.local,
          env: { CEN_RUNS_DIR: local, ...records("local-records") },
        });
        assertEquals(l.code, 0, l.stderr + l.stdout.slice(-3000));
        console.log(
          `local study: ${lastLine(l.stdout)} (${((performance.now() - t0) / 1000).toFixed(0)} s)`,
        );

        // The same plan on Slurm.
        const shared = join(dir, "slurm-runs"), jobsDir = join(dir, "slurm-jobs");
        const s = await runTool(
          "tools/study.ts",
          ["--profile", "smoke", "--slurm", "--slurm-dir", jobsDir],
          {
            timeoutMs: 120_000,
            env: { ...cluster.env, CEN_RUNS_DIR: shared, ...records("slurm-records") },
          },
        );
        assertEquals(s.code, 0, s.stderr + s.stdout);
        const submitted = [
          ...s.stdout.matchAll(/^slurm: phase (\d+) \(.*\): job (\d+), (\S+), (\d+) tasks/gm),
        ]
          .map((m) => ({ phase: +m[1], job: m[2], name: m[3], tasks: +m[4] }));
        console.log(s.stdout.split("\n").filter((x) => x.startsWith("slurm:")).join("\n"));
        assertEquals(submitted.map((j) => j.phase), [1, 2, 3, 4]);
        const ids = submitted.map((j) => j.job);

        // Each phase waits for the previous one (its dependency, as the controller holds it).
        for (const [i, j] of submitted.entries()) {
          const d = await run("scontrol", ["show", "job", "-o", j.job], cluster.env);
          const dep = d.out.match(/Dependency=(\S+)/)?.[1] ?? "";
          console.log(`job ${j.job} (${j.name}): Dependency=${dep}`);
          if (i > 0) assertStringIncludes(dep, `afterok:${submitted[i - 1].job}`);
        }

        // Wait for the queue to empty, noting every name and state squeue shows.
        const seen = new Map<string, string>();
        const started = performance.now();
        let first = true;
        for (;;) {
          const q = await run(
            "squeue",
            ["-h", "-j", ids.join(","), "-o", "%i|%j|%T|%r"],
            cluster.env,
          );
          const rows = q.out.trim().split("\n").filter(Boolean);
          if (first) {
            console.log(`squeue after submission:\n  ${rows.join("\n  ").replaceAll("|", "  ")}`);
          }
          first = false;
          for (const row of rows) {
            const [id, name, state] = row.split("|");
            const key = `${id} ${name}`;
            if (!seen.has(key) && state === "RUNNING") {
              console.log(`squeue: ${row.replaceAll("|", "  ")}`);
            }
            seen.set(key, state);
          }
          if (q.ok && rows.length === 0) break;
          if (performance.now() - started > LIMIT_MS.slurm) {
            throw new Error(`the jobs did not finish in ${LIMIT_MS.slurm / 1000} s:\n${q.out}`);
          }
          await sleep(2000);
        }
        console.log(`queue empty after ${((performance.now() - started) / 1000).toFixed(0)} s`);

        // Every task's final state (jobcomp), named after its run.
        const done = jobcompRecords(
          await Deno.readTextFile(join(cluster.dir, "log", "jobcomp.log")),
        ).filter((r) => ids.includes(r.ArrayJobId ?? r.JobId));
        for (const r of done) {
          console.log(
            `job ${r.ArrayJobId}_${r.ArrayTaskId} (id ${r.JobId}) ${r.Name}: ${r.JobState}`,
          );
        }
        assertEquals(done.length, submitted.reduce((n, j) => n + j.tasks, 0));
        assert(done.every((r) => r.JobState === "COMPLETED"), "a task did not complete");
        const tsv = (await Deno.readTextFile(join(jobsDir, "tasks.tsv"))).trim().split("\n").slice(
          1,
        )
          .map((line) => line.split("\t"));
        for (const [job, task, run] of tsv) {
          const array = submitted.find((j) => j.name === job)!.job;
          const r = done.find((d) => d.ArrayJobId === array && d.ArrayTaskId === task);
          assertEquals(
            r?.Name,
            `${job}-${run}`,
            `task ${array}_${task} was not named after its run`,
          );
          assertStringIncludes(
            await Deno.readTextFile(join(jobsDir, "logs", `${run}.out`)),
            `: run ${run}`,
          );
        }

        // Metrics: every run of the local study, the same on Slurm.
        const order = tsv.map(([, , run]) => run);
        const byPlan = (m: Map<string, RunMetrics>) =>
          new Map([...m].sort(([a], [b]) => order.indexOf(a) - order.indexOf(b)));
        const localRuns = byPlan(await runsUnder(local)),
          slurmRuns = byPlan(await runsUnder(shared));
        console.log(`\nrun           local MAE by generation           Slurm MAE by generation`);
        for (const [id, m] of localRuns) {
          const other = slurmRuns.get(id);
          assert(other, `run ${id} was not trained on Slurm`);
          const same = JSON.stringify(m.generations.map((g) => g.metrics)) ===
            JSON.stringify(other.generations.map((g) => g.metrics));
          console.log(
            `${id}  ${maes(m).padEnd(32)}  ${maes(other).padEnd(32)}  ${
              same ? "equal" : "DIFFERENT"
            }`,
          );
          assertEquals(
            other.generations.map((g) => g.metrics),
            m.generations.map((g) => g.metrics),
          );
        }
        // Runs the local study left to the notebooks (every generation reused): each generation
        // equals the one the local study trained under the same generation key.
        for (const [id, m] of slurmRuns) {
          if (localRuns.has(id)) continue;
          const ref = [];
          for (const g of m.generations) {
            const key = await generationKey(m.config, g.generation);
            const entry = JSON.parse(await Deno.readTextFile(generationIndexPath(local, key)));
            ref.push(JSON.parse(await Deno.readTextFile(join(entry.dir, "result.json"))).metrics);
          }
          const same = JSON.stringify(ref) === JSON.stringify(m.generations.map((g) => g.metrics));
          console.log(
            `${id}  (not run locally: reused)${" ".repeat(8)}${maes(m).padEnd(32)}  ${
              same ? "equal" : "DIFFERENT"
            }`,
          );
          assertEquals(m.generations.map((g) => g.metrics), ref);
        }
        console.log(
          `${localRuns.size} runs of the local study equal on Slurm; ` +
            `${
              slurmRuns.size - localRuns.size
            } more runs on Slurm, each generation equal to the local one`,
        );
        ok = true;
      });
    } finally {
      if (cluster) await stopCluster(cluster);
      if (ok) await Deno.remove(dir, { recursive: true }).catch(() => {});
      else console.log(`left for inspection: ${dir}`);
    }
  },
});

Deno.test("study --slurm --dry-run: writes one script per phase, submits nothing", async () => {
  const dir = await Deno.makeTempDir({ prefix: "cen-slurm-dry-" });
  const r = await runTool(
    "tools/study.ts",
    [
      "--profile",
      "smoke",
      "--slurm",
      "--gres",
      "gpu:1",
      "--dry-run",
      "--slurm-dir",
      join(dir, "jobs"),
    ],
    { timeoutMs: 120_000, env: { CEN_RUNS_DIR: join(dir, "runs"), PATH: "/nonexistent" } },
  );
  assertEquals(r.code, 0, r.stderr);
  assertStringIncludes(r.stdout, "dry run: nothing submitted");
  const names = [...Deno.readDirSync(join(dir, "jobs"))].map((e) => e.name).sort();
  assertEquals(names, [
    "logs",
    "p1.json",
    "p1.sbatch",
    "p2.json",
    "p2.sbatch",
    "p3.json",
    "p3.sbatch",
    "p4.json",
    "p4.sbatch",
    "submit.sh",
    "tasks.tsv",
  ]);
  const script = await Deno.readTextFile(join(dir, "jobs", "p2.sbatch"));
  assertStringIncludes(script, "#SBATCH --job-name=cen-smoke-p2\n");
  assertStringIncludes(script, "#SBATCH --gres=gpu:1\n");
  assertStringIncludes(script, `export CEN_RUNS_DIR=${join(dir, "runs")}\n`);
  assertStringIncludes(script, `cd ${ROOT.replace(/\/$/, "")}\n`);
  await Deno.remove(dir, { recursive: true });
});

for (
  const [args, message] of [
    [["--partition", "gpu"], "--partition needs --slurm"],
    [["--gres", "gpu:1", "--dry-run"], "--gres needs --slurm"],
    [["--slurm", "--workers", "2"], "--workers has no effect with --slurm (one task per run)"],
    [["--slurm", "--cpus-per-task", "0"], "--cpus-per-task must be a positive integer"],
  ] as const
) {
  Deno.test(`study ${args.join(" ")}: one line, exit 2`, async () => {
    const r = await runTool("tools/study.ts", ["--profile", "smoke", ...args], {
      timeoutMs: 60_000,
    });
    assertEquals(r.code, 2, r.stderr);
    assertEquals(r.stderr.trim(), `study: ${message} (see --help)`);
  });
}
