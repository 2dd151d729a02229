/** A run's log folded into one collapsed block per run (lib/report/runlog.ts). */
import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import { initBackend } from "../../lib/backend/mod.ts";
import { runConfig } from "../../lib/experiment.ts";
import { displayPath } from "../../lib/paths.ts";
import {
  type BlockMessage,
  fatesText,
  foldRunLogs,
  runLogHtml,
  runSummary,
} from "../../lib/report/runlog.ts";
import { type EvolutionResult, runEvolution } from "../../lib/train/evolve.ts";
import { tinyConfig, toySource } from "../helpers/tiny.ts";

/** foldRunLogs with its showings collected and a clock the test moves. */
function folded() {
  const shown: BlockMessage[] = [];
  let clock = 0;
  const fold = foldRunLogs({
    show: (m) => Promise.resolve(void shown.push(m)),
    updateMs: 1000,
    now: () => clock,
  });
  return { fold, shown, tick: (ms: number) => (clock += ms) };
}

Deno.test("fatesText joins consecutive equal fates into spans", () => {
  assertEquals(fatesText(["copied", "trained", "trained"]), "generation 1 copied, 2–3 trained");
  assertEquals(fatesText(["done"]), "generation 1 done");
  assertEquals(
    fatesText(["done", "done", "resumed", "done"]),
    "generation 1–2 done, 3 resumed, 4 done",
  );
  assertEquals(fatesText([]), "no generation");
});

Deno.test("runLogHtml escapes and collapses; open only when asked", () => {
  const html = runLogHtml({ title: "τ = 2", summary: "run a<b", lines: ["x & y", "z"] });
  assert(html.startsWith('<details class="cen-run-log">'), html);
  assertStringIncludes(html, "<summary><b>τ = 2</b> · run a&lt;b</summary>");
  assertStringIncludes(html, "x &amp; y\nz</pre></details>");
  assertStringIncludes(
    runLogHtml({ title: "", summary: "s", lines: [], open: true }),
    '<details class="cen-run-log" open>',
  );
});

Deno.test("a run folds into one block: live updates at most every updateMs, then its summary", async () => {
  await initBackend(undefined, () => {});
  const root = await Deno.makeTempDir();
  const { fold, shown, tick } = folded();
  fold.log("── seed 1/2"); // runAll's header: the block's title
  const r = await runEvolution(tinyConfig({ generations: 2, optim: { epochs: 1 } }), {
    train: toySource("toy-train", 48, 32, 1),
    test: toySource("toy-test", 16, 32, 2),
    runsRoot: root,
    recordsRoot: null,
    log: (line) => {
      tick(400);
      fold.log(line);
    },
  });
  await fold.onRunEnd(r);
  const live = shown.filter((m) => !m.final);
  assert(live.length >= 2, `${live.length} live showings`);
  assertEquals(live[0].update, false, "the first showing creates the block");
  assert(live.slice(1).every((m) => m.update && m.displayId === live[0].displayId));
  const last = shown.at(-1)!;
  assertEquals([last.final, last.update, last.displayId], [true, true, live[0].displayId]);
  const text = last.bundle["text/plain"] as string;
  assertEquals(text, `seed 1/2 · ${runSummary(r)}`);
  assertStringIncludes(text, `run ${r.id}: generation 1–2 trained; test MAE `);
  assertStringIncludes(text, `full log: ${displayPath(`${r.dir}/train.log`)}`);
  const html = last.bundle["text/html"] as string;
  assert(!html.includes('<details class="cen-run-log" open'), "a finished run's block is folded");
  assertStringIncludes(html, "gen 2/2 epoch 1/1");
  assert(!html.includes("── seed"), "the header is the title, not a line");
  // the next run gets a block of its own
  fold.log("another run");
  await fold.onRunEnd(r);
  assert(shown.at(-1)!.displayId !== live[0].displayId);
  await Deno.remove(root, { recursive: true });
});

Deno.test("runConfig ends the block when the run throws: drawn open, with its lines", async () => {
  const { fold, shown } = folded();
  fold.log("── broken 1/1");
  let ended: EvolutionResult | undefined | "never" = "never";
  const err = await runConfig(tinyConfig({ data: { dataset: "no-such-set", params: {} } }), {
    log: fold.log,
    onRunEnd: async (r) => {
      ended = r;
      await fold.onRunEnd(r);
    },
  }).catch((e: Error) => e);
  assert(err instanceof Error);
  assertEquals(ended, undefined);
  const last = shown.at(-1)!;
  assert(last.final);
  assertStringIncludes(last.bundle["text/html"] as string, '<details class="cen-run-log" open>');
  assertStringIncludes(last.bundle["text/plain"] as string, "broken 1/1 · the run failed");
});
