/**
 * runEvolution under the locks of lib/train/locks.ts, with real processes (tests/helpers/
 * train_child.ts), event-driven:
 *
 * - two workers reach the same generation (runs that differ only in τ share generation 1): the
 *   second waits on the first's lock, then copies its generation instead of training it;
 * - a worker killed mid-run leaves its locks behind; the next one takes them over (the owner's
 *   process is gone), resumes from the last checkpoint and ends with the metrics of a run that
 *   was never interrupted;
 * - a generation lock left by a worker on another host whose heartbeat stopped is taken over
 *   once older than `CEN_LOCK_STALE_S`.
 *
 * Every child has a deadline; run records (if the trainer keeps them) go to a temporary folder.
 */
import { assert, assertEquals } from "@std/assert";
import { join } from "node:path";
import type { CenConfig } from "../../lib/config.ts";
import { readLock, thisHost } from "../../lib/lock.ts";
import { locksDir } from "../../lib/train/locks.ts";
import { generationKey, type RunMetrics, runPaths } from "../../lib/train/run.ts";
import { withDeadline } from "../helpers/deadline.ts";
import { tinyConfig } from "../helpers/tiny.ts";
import { ROOT } from "../helpers/tool.ts";

const CHILD_MS = 180_000;

/** A train_child.ts process: its lines as they come, stdin to answer pauses, its exit. */
interface Child {
  pid: number;
  lines: string[];
  /** Resolves with the first line (already seen or to come) that matches. */
  waitFor(re: RegExp): Promise<string>;
  /** Answers every pause from now on at once. */
  goOn(): void;
  /** Closes its stdin (a child that will pause no more then exits when done). */
  closeStdin(): Promise<void>;
  kill(): void;
  status: Promise<Deno.CommandStatus>;
}

function trainChild(
  root: string,
  over: Record<string, unknown>,
  env: Record<string, string>,
  signal: AbortSignal,
): Child {
  const proc = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "tests/helpers/train_child.ts", root, JSON.stringify(over)],
    cwd: ROOT,
    env: { NO_COLOR: "1", ...env },
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
    signal,
  }).spawn();
  const lines: string[] = [];
  const waiters: { re: RegExp; resolve: (l: string) => void }[] = [];
  const writer = proc.stdin.getWriter();
  let autoGo = false;
  const answer = () => writer.write(new TextEncoder().encode("\n")).catch(() => {});
  const pump = (async () => {
    let buf = "";
    for await (const chunk of proc.stdout.pipeThrough(new TextDecoderStream())) {
      buf += chunk;
      let nl: number;
      while ((nl = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        lines.push(line);
        if (autoGo && line.startsWith("pause ")) answer();
        for (const w of waiters.filter((w) => w.re.test(line))) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(line);
        }
      }
    }
  })();
  return {
    pid: proc.pid,
    lines,
    waitFor: (re) => {
      const seen = lines.find((l) => re.test(l));
      return seen !== undefined
        ? Promise.resolve(seen)
        : new Promise((resolve) => waiters.push({ re, resolve }));
    },
    goOn: () => {
      autoGo = true;
      for (const l of lines) if (l.startsWith("pause ")) answer();
    },
    closeStdin: () => writer.close().catch(() => {}),
    kill: () => proc.kill("SIGKILL"),
    status: (async () => {
      const s = await proc.status;
      await pump;
      await writer.close().catch(() => {});
      return s;
    })(),
  };
}

async function metricsOf(root: string, config: CenConfig) {
  const paths = await runPaths(config, root);
  const m: RunMetrics = JSON.parse(await Deno.readTextFile(paths.metrics));
  return m.generations.map((g) => [g.metrics, g.epochs.map((e) => e.loss)]);
}

async function tempRoots() {
  const dir = await Deno.makeTempDir({ prefix: "cen-locks-" });
  return { dir, env: { CEN_RECORDS_DIR: join(dir, "records") } };
}

Deno.test("locks: a second worker waits for the generation the first is training, then copies it", async () => {
  const { dir, env } = await tempRoots();
  const root = join(dir, "runs");
  const overA = { generations: 1, tau: 1 }, overB = { generations: 1, tau: 3 };
  const [a, b] = [tinyConfig(overA), tinyConfig(overB)];
  assertEquals(await generationKey(a, 1), await generationKey(b, 1)); // one shared generation
  await withDeadline(CHILD_MS, "two workers on one generation", async (signal) => {
    // The first stops at its first checkpoint write, holding generation 1's lock.
    const first = trainChild(root, overA, { ...env, CEN_TEST_PAUSE: "gen-1/checkpoint" }, signal);
    await first.waitFor(/^pause /);
    const second = trainChild(root, overB, env, signal);
    const waiting = await second.waitFor(/gen-.*\.lock: held by .*; waiting/);
    assert(waiting.includes(`${thisHost()}:${first.pid}`), waiting);
    assert(waiting.includes("generation 1"), waiting);
    first.goOn();
    assert((await second.status).success, second.lines.join("\n"));
    // The second got the lock: the first has finished generation 1 and pauses no more.
    await first.closeStdin();
    assert((await first.status).success, first.lines.join("\n"));
    // The first trained it; the second copied it and trained no epoch.
    assert(first.lines.some((l) => /^gen 1\/1 epoch 2\/2/.test(l)), first.lines.join("\n"));
    assert(!second.lines.some((l) => /epoch \d+\/\d+/.test(l)), second.lines.join("\n"));
    assert(second.lines.some((l) => l.includes("copied, not retrained")), second.lines.join("\n"));
  });
  assertEquals(await metricsOf(root, b), await metricsOf(root, a));
  // Every lock was released.
  assertEquals([...Deno.readDirSync(locksDir(root))].map((e) => e.name), []);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("locks: a killed worker's locks are taken over and its run resumes from the checkpoint", async () => {
  const { dir, env } = await tempRoots();
  const root = join(dir, "runs"), clean = join(dir, "clean");
  const over = { generations: 1, optim: { epochs: 3 } };
  const config = tinyConfig(over);
  await withDeadline(3 * CHILD_MS, "kill, take over, resume", async (signal) => {
    // Killed as it starts writing the checkpoint of epoch 2: epoch 1's checkpoint is whole.
    const killed = trainChild(root, over, { ...env, CEN_TEST_PAUSE: "checkpoint-e2" }, signal);
    await killed.waitFor(/^pause /);
    killed.kill();
    await killed.status;
    // Its locks are still there, naming a process that is gone.
    const key = await generationKey(config, 1);
    const id = (await runPaths(config, root)).id;
    for (const name of [`run-${id}.lock`, `gen-${key}.lock`]) {
      assertEquals((await readLock(join(locksDir(root), name)))?.owner?.pid, killed.pid);
    }
    const next = trainChild(root, over, env, signal);
    assert((await next.status).success, next.lines.join("\n"));
    const text = next.lines.join("\n");
    assert(
      next.lines.some((l) =>
        l.includes(`run-${id}.lock: taking over from ${thisHost()}:${killed.pid}`) &&
        l.includes("is gone")
      ),
      text,
    );
    assert(next.lines.some((l) => l.includes(`gen-${key}.lock: taking over`)), text);
    assert(next.lines.some((l) => l.includes("generation 1: resuming after epoch 1/3")), text);
    assert(!next.lines.some((l) => /^gen 1\/1 epoch 1\/3/.test(l)), text); // epoch 1 not redone
    const reference = trainChild(clean, over, env, signal);
    assert((await reference.status).success, reference.lines.join("\n"));
  });
  assertEquals(await metricsOf(root, config), await metricsOf(clean, config));
  await Deno.remove(dir, { recursive: true });
});

Deno.test("locks: another host's generation lock with a stopped heartbeat is taken over", async () => {
  const { dir, env } = await tempRoots();
  const root = join(dir, "runs");
  const over = { generations: 1, optim: { epochs: 1 } };
  const key = await generationKey(tinyConfig(over), 1);
  const path = join(locksDir(root), `gen-${key}.lock`);
  await Deno.mkdir(locksDir(root), { recursive: true });
  await Deno.writeTextFile(
    path,
    JSON.stringify({ host: "node-gone", pid: 99, token: "x", since: "2026-01-01T00:00:00Z" }),
  );
  const old = new Date(Date.now() - 5_000);
  await Deno.utime(path, old, old);
  await withDeadline(CHILD_MS, "stale lock take-over", async (signal) => {
    const child = trainChild(root, over, { ...env, CEN_LOCK_STALE_S: "2" }, signal);
    assert((await child.status).success, child.lines.join("\n"));
    assert(
      child.lines.some((l) =>
        l.includes("taking over from node-gone:99") && l.includes("more than 2 s")
      ),
      child.lines.join("\n"),
    );
    assert(child.lines.some((l) => /^gen 1\/1 epoch 1\/1/.test(l)), child.lines.join("\n"));
  });
  assertEquals(await readLock(path), undefined);
  await Deno.remove(dir, { recursive: true });
});
