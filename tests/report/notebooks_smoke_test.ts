/**
 * Every numbered notebook executes without error at the smoke profile, and its published page
 * loads in headless chromium with every plot drawn (skipped, with the reason recorded, without
 * Jupyter; without chromium the browser check is left out, and that is recorded too).
 */
import { assert, assertEquals } from "@std/assert";
import { join } from "node:path";
import { findChromium } from "../../lib/report/browser.ts";
import { findJupyter, projectRoot } from "../../lib/report/execute.ts";
import { listNotebooks } from "../../lib/report/build.ts";
import { LIMIT, withDeadline } from "../helpers/deadline.ts";
import { NO_CHROMIUM, NO_JUPYTER, skipCheck, skipUnless } from "../helpers/skip.ts";

const jupyter = await findJupyter();
const chromium = await findChromium();

Deno.test({
  name: "notebooks 00–07 run at the smoke profile and their pages render (plots drawn)",
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
    await Deno.remove(runs, { recursive: true });
  },
});
