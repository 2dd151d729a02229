/**
 * A run killed at any moment of a checkpoint write resumes to exactly the metrics of a run that
 * was never interrupted. Event-driven, no clock: the child (tests/helpers/train_child.ts) stops
 * before each file operation of generation 2's checkpoints and waits for the parent, which copies
 * the run folder at every step of one checkpoint write (what a kill at that step leaves behind),
 * then kills the child for real in the middle of the next write. Every copy, and the killed run
 * itself, is resumed in this process and must end with the uninterrupted run's metrics.
 */
import { assert, assertEquals } from "@std/assert";
import { join } from "node:path";
import { initBackend } from "../../lib/backend/mod.ts";
import { copyTree, exists } from "../../lib/fsutil.ts";
import { runEvolution } from "../../lib/train/evolve.ts";
import type { RunMetrics } from "../../lib/train/run.ts";
import { withDeadline } from "../helpers/deadline.ts";
import { tinyConfig, toySource } from "../helpers/tiny.ts";
import { ROOT } from "../helpers/tool.ts";

await initBackend();
const train = toySource("toy-train", 96, 32, 1);
const test = toySource("toy-test", 32, 32, 2);
/** Three epochs per generation: the checkpoint after epoch 2 is written while one is kept. */
const OVER = { optim: { epochs: 3 } };
const metricsOf = (m: RunMetrics) =>
  m.generations.map((g) => [g.metrics, g.epochs.map((e) => e.loss)]);

/** Reads a child's stdout line by line. */
async function* lines(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  let buf = "";
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
    buf += chunk;
    let nl: number;
    while ((nl = buf.indexOf("\n")) >= 0) {
      yield buf.slice(0, nl);
      buf = buf.slice(nl + 1);
    }
  }
}

/** What the parent saw of the child's run. */
interface Stepped {
  /** The operations of the checkpoint-e2 write, in order, each with a copy of the runs root. */
  steps: { op: string; copy: string }[];
  /** The operation the child was killed before (in the checkpoint-e3 write). */
  killedAt: string;
}

/**
 * Trains in a child that pauses before each file operation on generation 2's checkpoints; copies
 * `root` at every step of the epoch-2 checkpoint write and SIGKILLs the child at the third step of
 * the epoch-3 write.
 */
async function stepThroughCheckpoints(root: string, copies: string): Promise<Stepped> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "tests/helpers/train_child.ts", root, JSON.stringify(OVER)],
    cwd: ROOT,
    env: { CEN_TEST_PAUSE: "gen-2/checkpoint" },
    stdin: "piped",
    stdout: "piped",
    stderr: "null",
    signal: AbortSignal.timeout(600_000),
  }).spawn();
  const go = child.stdin.getWriter();
  const steps: Stepped["steps"] = [];
  let inE3 = 0;
  let killedAt = "";
  try {
    for await (const line of lines(child.stdout)) {
      if (!line.startsWith("pause ")) continue;
      const op = line.slice("pause ".length).replaceAll(root, "<root>");
      if (op.includes("checkpoint-e3") || inE3 > 0) {
        if (++inE3 === 3) {
          killedAt = op;
          child.kill("SIGKILL");
          break;
        }
      } else if (op.includes("checkpoint-e2") || steps.length > 0) {
        const copy = join(copies, `step-${steps.length}`);
        await copyTree(root, copy);
        steps.push({ op, copy });
      }
      await go.write(new TextEncoder().encode("go\n"));
    }
  } finally {
    await go.close().catch(() => {});
    await child.status;
  }
  return { steps, killedAt };
}

/** Resumes the run under `root`; returns its metrics and the line that says where it resumed. */
async function resume(root: string): Promise<{ metrics: RunMetrics; from: string }> {
  const log: string[] = [];
  const r = await runEvolution(tinyConfig(OVER), {
    train,
    test,
    runsRoot: root,
    log: (l) => log.push(l),
  });
  assert(r.complete, log.join("\n"));
  const from = log.find((l) => l.startsWith("generation 2: resuming after")) ??
    log.find((l) => l.startsWith("generation 2:")) ?? "";
  return { metrics: r.metrics, from };
}

Deno.test({
  name: "a run killed at every step of a checkpoint write resumes to the uninterrupted metrics",
  sanitizeResources: false,
  async fn() {
    await withDeadline(1_200_000, "the kill-and-resume test", async () => {
      const scratch = await Deno.makeTempDir({ prefix: "cen-resume-" });
      try {
        const whole = await runEvolution(tinyConfig(OVER), {
          train,
          test,
          runsRoot: join(scratch, "whole"),
          log: () => {},
        });
        const root = join(scratch, "killed");
        const { steps, killedAt } = await stepThroughCheckpoints(root, join(scratch, "copies"));
        const ops = steps.map((s) => s.op);
        // The steps cover the whole write: fill a new folder, rename it into place, repoint
        // checkpoint.json at it, remove the previous checkpoint.
        assert(ops[0].includes("checkpoint-e2"), ops.join("\n"));
        assert(
          ops.some((o) => /^rename \S+ -> <root>\/\S+\/gen-2\/checkpoint-e2$/.test(o)),
          ops.join("\n"),
        );
        assert(
          ops.some((o) => /^rename \S+ -> <root>\/\S+\/gen-2\/checkpoint\.json$/.test(o)),
          ops.join("\n"),
        );
        assert(
          ops.some((o) => /^remove <root>\/\S+\/gen-2\/checkpoint-e1$/.test(o)),
          ops.join("\n"),
        );
        assert(killedAt.includes("checkpoint-e3"), `killed at: ${killedAt}`);
        assert(!(await exists(join(root, whole.id, "gen-2/result.json"))), "the child finished");

        const resumedFrom = new Set<string>();
        for (const { op, copy } of [...steps, { op: killedAt, copy: root }]) {
          const r = await resume(copy);
          resumedFrom.add(r.from.replace(/ \(.*$/, ""));
          assertEquals(metricsOf(r.metrics), metricsOf(whole.metrics), `killed before: ${op}`);
        }
        // Killed before and after the pointer moved: both checkpoints were resumed from.
        assert(resumedFrom.has("generation 2: resuming after epoch 1/3"), [...resumedFrom].join());
        assert(resumedFrom.has("generation 2: resuming after epoch 2/3"), [...resumedFrom].join());
        console.log(`  ${steps.length} steps of one checkpoint write + 1 real SIGKILL resumed`);
      } finally {
        await Deno.remove(scratch, { recursive: true });
      }
    });
  },
});
