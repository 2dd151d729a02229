/**
 * Measures the notebook tooling (numbers for the README/bench, not a test):
 * - outputs lost by plain `jupyter nbconvert --execute` vs this project's executor, on the same
 *   30-cell notebook (each cell prints and displays), run after run;
 * - the smoke notebook's execution time and its HTML page size.
 *
 *   deno run -A tools/measure_notebooks.ts [--runs N]     (default 5)
 * @module
 */
import { join } from "node:path";
import { type CommandSpec, runCli } from "../lib/cli.ts";
import { notebookToHtml } from "../lib/publish/build.ts";
import { executeNotebook, findJupyter, jupyterEnv, projectRoot } from "../lib/publish/execute.ts";
import { type Notebook, readNotebook } from "../lib/publish/ipynb.ts";

const CELLS = 30;

function stress(): Notebook {
  return {
    nbformat: 4,
    nbformat_minor: 4,
    metadata: { kernelspec: { name: "deno", display_name: "Deno", language: "typescript" } },
    cells: Array.from({ length: CELLS }, (_, i) => ({
      cell_type: "code" as const,
      metadata: {},
      outputs: [],
      execution_count: null,
      source: `console.log("print ${i}");\n` +
        `await Deno.jupyter.display({ "text/plain": "display ${i}" }, { raw: true });`,
    })),
  };
}

/** Expected outputs (2 per cell) missing from an executed copy. */
function missing(nb: Notebook): number {
  let n = 0;
  nb.cells.forEach((c, i) => {
    const outs = c.outputs ?? [];
    const s = outs.filter((o) => o.output_type === "stream").map((o) =>
      Array.isArray(o.text) ? o.text.join("") : o.text
    ).join("");
    const d = outs.filter((o) => o.output_type === "display_data").map((o) =>
      String(o.data?.["text/plain"])
    ).join("");
    n += Number(!s.includes(`print ${i}`)) + Number(!d.includes(`display ${i}`));
  });
  return n;
}

/** The command line of tools/measure_notebooks.ts. */
export const MEASURE_CLI = {
  name: "measure_notebooks",
  usage: "deno run -A tools/measure_notebooks.ts [--runs N]",
  summary: "Outputs lost by plain nbconvert --execute vs this project's executor, and the smoke " +
    "notebook's execution time and page size.",
  options: { runs: { type: "integer", help: "runs of the 30-cell notebook (default 5)" } },
} as const satisfies CommandSpec;

async function main(runs: number): Promise<void> {
  const probe = await findJupyter();
  if (!probe.python) throw new Error(probe.reason);
  const dir = await Deno.makeTempDir({ prefix: "cen-measure-" });
  try {
    const input = join(dir, "stress.ipynb");
    await Deno.writeTextFile(input, JSON.stringify(stress()));
    let lostPlain = 0;
    let lostOurs = 0;
    let late = 0;
    console.log(`run  nbconvert-lost  ours-lost  ours-late-kept  (of ${2 * CELLS} outputs)`);
    for (let r = 1; r <= runs; r++) {
      const plainOut = join(dir, `plain${r}.ipynb`);
      const p = await new Deno.Command(probe.python, {
        args: ["-m", "nbconvert", "--to", "notebook", "--execute", input, "--output", plainOut],
        env: jupyterEnv(),
        stdout: "null",
        stderr: "null",
      }).output();
      if (!p.success) throw new Error("nbconvert --execute failed");
      const a = missing(await readNotebook(plainOut));
      const ours = join(dir, `ours${r}.ipynb`);
      const res = await executeNotebook({ input, output: ours, quiet: true });
      const b = missing(await readNotebook(ours));
      lostPlain += a;
      lostOurs += b;
      late += res.stats?.late_outputs ?? 0;
      console.log(
        `${String(r).padStart(3)}  ${String(a).padStart(14)}  ${String(b).padStart(9)}  ` +
          `${String(res.stats?.late_outputs ?? 0).padStart(14)}`,
      );
    }
    console.log(
      `total: nbconvert lost ${lostPlain}, ours lost ${lostOurs}, guard kept ${late} late` +
        ` outputs (${runs} runs × ${2 * CELLS} outputs)`,
    );

    const smokeOut = join(dir, "_smoke.ipynb");
    const t0 = performance.now();
    const res = await executeNotebook({
      input: join(projectRoot(), "notebooks", "_smoke.ipynb"),
      output: smokeOut,
      quiet: true,
    });
    const wall = (performance.now() - t0) / 1000;
    const t1 = performance.now();
    const page = await notebookToHtml(smokeOut, join(dir, "html"));
    const html = (performance.now() - t1) / 1000;
    const size = (await Deno.stat(page)).size;
    console.log(
      `smoke notebook: exit ${res.code}, ${res.stats?.seconds.toFixed(2)} s in the executor ` +
        `(${wall.toFixed(2)} s wall incl. Python start); HTML export ${html.toFixed(2)} s; page ` +
        `${(size / 1e6).toFixed(2)} MB`,
    );
    await Deno.remove(join(projectRoot(), "results", "summary", "_smoke.json")).catch(() => {});
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

if (import.meta.main) await runCli(MEASURE_CLI, ({ options }) => main(options.runs ?? 5));
