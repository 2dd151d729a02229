/**
 * Every numbered notebook executes without error at the smoke profile; its published page loads
 * in headless chromium with every plot drawn, names no folder of this machine (paths show relative
 * to the repository or by their `CEN_*` variable) and folds each run's log into one block. Skipped,
 * with the reason recorded, without Jupyter; without chromium the browser check is left out, and
 * that is recorded too.
 */
import { assert, assertEquals } from "@std/assert";
import { basename, join } from "node:path";
import { findChromium } from "../../lib/publish/browser.ts";
import { findJupyter, projectRoot } from "../../lib/publish/execute.ts";
import { listNotebooks } from "../../lib/publish/build.ts";
import { readNotebook } from "../../lib/publish/ipynb.ts";
import { LIMIT, withDeadline } from "../helpers/deadline.ts";
import { NO_CHROMIUM, NO_JUPYTER, skipCheck, skipUnless } from "../helpers/skip.ts";

/** A page to share names no folder of this machine: not the checkout's, not the runs folder's. */
async function assertNoMachinePaths(files: readonly string[], folders: readonly string[]) {
  for (const file of files) {
    const text = await Deno.readTextFile(file);
    for (const folder of folders) {
      const at = text.indexOf(folder);
      assert(at < 0, `${file} names ${folder}: …${text.slice(Math.max(0, at - 80), at + 80)}…`);
    }
  }
}

/** An output's text (nbformat stores it as a string or a list of lines). */
function joined(value: unknown): string {
  return [value ?? ""].flat().join("");
}

/** Each run's log is one folded block: no epoch line in the cells' text output. */
async function assertRunLogsFolded(executed: string) {
  const nb = await readNotebook(executed);
  const outputs = nb.cells.flatMap((c) => c.outputs ?? []);
  const streamed = outputs.filter((o) => o.output_type === "stream").map((o) => joined(o.text));
  const epochLines = streamed.join("").split("\n").filter((l) => / epoch \d+\/\d+ /.test(l));
  assertEquals(epochLines, [], `${executed}: epoch lines outside a run's block`);
  const blocks = outputs.map((o) => joined(o.data?.["text/html"]))
    .filter((h) => h.includes('class="cen-run-log"'));
  assert(blocks.length > 0, `${executed}: no folded run log`);
  assert(blocks.every((h) => !h.includes('cen-run-log" open')), "a finished run's block is open");
}

const jupyter = await findJupyter();
const chromium = await findChromium();

Deno.test({
  name:
    "notebooks 00–07 run at the smoke profile; their pages render, share no local path, fold logs",
  ignore: skipUnless(jupyter.reason === undefined, NO_JUPYTER),
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const root = projectRoot();
    const runs = await Deno.makeTempDir({ prefix: "cen-smoke-runs-" });
    const args = ["run", "-A", join(root, "tools/report.ts"), "--profile", "smoke", "--quiet"];
    if (skipCheck(chromium !== undefined, NO_CHROMIUM)) args.push("--check");
    const out = await withDeadline(
      LIMIT.report,
      "the smoke report",
      (signal) =>
        new Deno.Command(Deno.execPath(), {
          args,
          cwd: root,
          env: { CEN_RUNS_DIR: runs, CEN_RECORDS_DIR: `${runs}/_records` },
          stdout: "piped",
          stderr: "piped",
          signal,
        }).output(),
    );
    const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
    assertEquals(out.code, 0, text.slice(-4000));
    const notebooks = await listNotebooks(join(root, "notebooks"));
    assertEquals(notebooks.length, 8);
    for (const nb of notebooks) {
      const page = join(
        root,
        "results/smoke/html",
        nb.split("/").pop()!.replace(".ipynb", ".html"),
      );
      assert((await Deno.stat(page)).size > 1000, page);
    }
    if (chromium) assert(text.includes("report check: 9/9 pages ok"), text.slice(-3000));
    const executed = notebooks.map((nb) => join(root, "results/smoke/executed", basename(nb)));
    const pages = executed.map((p) => p.replace("/executed/", "/html/").replace(".ipynb", ".html"));
    await assertNoMachinePaths([...executed, ...pages], [root, runs]);
    await assertRunLogsFolded(executed.find((p) => p.endsWith("04-evolution.ipynb"))!);
    await Deno.remove(runs, { recursive: true });
  },
});
