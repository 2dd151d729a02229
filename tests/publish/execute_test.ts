/**
 * The executor against the real Deno kernel (skipped, with the reason recorded, without Jupyter):
 * no output lost to the kernel's early `idle`, parameters injected, failures named, timeouts.
 */
import { assert, assertEquals, assertGreater, assertLess, assertStringIncludes } from "@std/assert";
import { join } from "node:path";
import {
  executeNotebook,
  findJupyter,
  jupyterEnv,
  projectRoot,
} from "../../lib/publish/execute.ts";
import {
  cellSource,
  type Notebook,
  type NotebookCell,
  readNotebook,
} from "../../lib/publish/ipynb.ts";
import { summaryPath } from "../../lib/report/summary.ts";
import { LIMIT, withDeadline } from "../helpers/deadline.ts";
import { NO_JUPYTER, skipUnless } from "../helpers/skip.ts";

const probe = await findJupyter();
/** `ignore` of a test that needs Jupyter (each call counts one skipped test). */
const needsJupyter = () => skipUnless(probe.reason === undefined, NO_JUPYTER);

function code(source: string, metadata: NotebookCell["metadata"] = {}): NotebookCell {
  return { cell_type: "code", metadata, source, outputs: [], execution_count: null };
}

function notebook(cells: NotebookCell[]): Notebook {
  return { nbformat: 4, nbformat_minor: 4, metadata: { kernelspec: { name: "deno" } }, cells };
}

function text(cell: NotebookCell, type: string): string {
  return (cell.outputs ?? []).filter((o) => o.output_type === type).map((o) =>
    o.output_type === "stream"
      ? (Array.isArray(o.text) ? o.text.join("") : o.text ?? "")
      : String((o.data ?? {})["text/plain"] ?? "")
  ).join("");
}

async function run(
  nb: Notebook,
  opts: { timeoutS?: number; finalSettleS?: number; params?: Record<string, string> } = {},
) {
  const dir = await Deno.makeTempDir({ prefix: "cen-nb-" });
  const input = join(dir, "t.ipynb");
  const output = join(dir, "out", "t.ipynb");
  await Deno.writeTextFile(input, JSON.stringify(nb));
  try {
    const r = await withDeadline(
      LIMIT.notebook,
      "the executor",
      (signal) =>
        executeNotebook({
          input,
          output,
          quiet: true,
          capture: true,
          timeoutS: 120,
          ...opts,
          signal,
        }),
    );
    return { ...r, nb: await readNotebook(output) };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test({
  name: "no output is lost: 30 cells printing and displaying, 3 runs",
  ignore: needsJupyter(),
  async fn() {
    const cells = Array.from({ length: 30 }, (_, i) =>
      code(
        `console.log("print ${i}");\n` +
          `await Deno.jupyter.display({ "text/plain": "display ${i}" }, { raw: true });`,
      ));
    let late = 0;
    for (let rep = 0; rep < 3; rep++) {
      const r = await run(notebook(cells));
      assertEquals(r.code, 0, r.stderr);
      r.nb.cells.forEach((cell, i) => {
        assertEquals(text(cell, "stream"), `print ${i}\n`, `run ${rep} cell ${i}`);
        assertEquals(text(cell, "display_data"), `display ${i}`, `run ${rep} cell ${i}`);
        assertEquals(cell.execution_count, i + 1);
      });
      late += r.stats!.late_outputs;
    }
    console.log(
      `  outputs that arrived after their cell's idle, kept by the guard: ${late} in 3 runs`,
    );
  },
});

Deno.test({
  name: "the smoke notebook runs with injected parameters, plots carry the bundle once",
  ignore: needsJupyter(),
  async fn() {
    const src = join(projectRoot(), "notebooks", "_smoke.ipynb");
    const summary = summaryPath("_smoke");
    const before = await Deno.readTextFile(summary).catch(() => undefined);
    const dir = await Deno.makeTempDir({ prefix: "cen-smoke-" });
    try {
      const output = join(dir, "_smoke.ipynb");
      const r = await withDeadline(
        LIMIT.notebook,
        "the smoke notebook",
        (signal) =>
          executeNotebook({
            input: src,
            output,
            params: { n: "4", label: "t" },
            quiet: true,
            capture: true,
            timeoutS: 120,
            signal,
          }),
      );
      assertEquals(r.code, 0, r.stderr);
      const nb = await readNotebook(output);
      const injected = nb.cells.findIndex((c) => c.metadata.tags?.includes("injected-parameters"));
      assertEquals(nb.cells[injected - 1].metadata.tags, ["parameters"]);
      assertEquals(cellSource(nb.cells[injected]).split("\n").slice(1), [
        "const n = 4;",
        'const label = "t";',
      ]);
      const all = nb.cells.flatMap((c) => c.outputs ?? []);
      const streams = nb.cells.map((c) => text(c, "stream")).join("");
      assertEquals(streams, "step 1/4\nstep 2/4\nstep 3/4\nstep 4/4\n");
      const plots = all.filter((o) =>
        String(o.data?.["text/html"] ?? "").includes('class="cen-plot"')
      );
      assertEquals(plots.length, 2);
      assertGreater(String(plots[0].data!["text/html"]).length, 4_000_000); // carries plotly.js
      assertLess(String(plots[1].data!["text/html"]).length, 10_000); // only calls newPlot
      const esc = String.fromCharCode(27);
      assertEquals(
        text(nb.cells.at(-1)!, "execute_result").split(esc).join("").replace(/\[\d*m/g, ""),
        "8",
      );
      assertEquals(r.stats!.dropped_promises, 0);
      const written = JSON.parse(await Deno.readTextFile(summary));
      assertEquals(written.numbers, { steps: 4, "sum of squares": 30 });
    } finally {
      await Deno.remove(dir, { recursive: true });
      if (before === undefined) await Deno.remove(summary).catch(() => {});
      else await Deno.writeTextFile(summary, before);
    }
  },
});

Deno.test({
  name: "a failing cell is named with its traceback, later cells do not run, exit 1",
  ignore: needsJupyter(),
  async fn() {
    const r = await run(notebook([
      code('console.log("before")'),
      code('function inner() { throw new Error("boom in inner"); }\ninner();'),
      code('console.log("after")'),
    ]));
    assertEquals(r.code, 1);
    assertEquals(r.stats!.error?.cell, 2);
    assertEquals(r.stats!.error?.ename, "Error");
    assertStringIncludes(r.stderr!, "error in cell 2/3 ('function inner()");
    assertStringIncludes(r.stderr!, "Error: boom in inner");
    assertStringIncludes(r.stderr!, "at inner");
    assertEquals(text(r.nb.cells[0], "stream"), "before\n");
    assertEquals(r.nb.cells[1].outputs?.[0].output_type, "error");
    assertEquals(r.nb.cells[2].execution_count, null);
    assertEquals(r.nb.cells[2].outputs, []);
  },
});

Deno.test({
  name: "a cell over its timeout (cell metadata cen.timeout) stops the run with a clear error",
  ignore: needsJupyter(),
  async fn() {
    const r = await run(
      notebook([
        code('console.log("started");\nawait new Promise((r) => setTimeout(r, 60_000));', {
          cen: { timeout: 2 },
        }),
        code('console.log("never")'),
      ]),
      { timeoutS: 600 },
    );
    assertEquals(r.code, 1);
    assertEquals(r.stats!.error?.ename, "CellTimeoutError");
    assertStringIncludes(r.stderr!, "cell 1/2");
    assertStringIncludes(r.stderr!, "ran longer than 2 s");
    assertEquals(text(r.nb.cells[0], "stream"), "started\n");
    assertEquals(r.nb.cells[1].execution_count, null);
  },
});

Deno.test({
  name: "an un-awaited display leaves no stray `Promise { undefined }` output",
  ignore: needsJupyter(),
  async fn() {
    const r = await run(notebook([
      code('Deno.jupyter.display({ "text/plain": "shown" }, { raw: true })'),
      code("Promise.resolve(7)"),
    ]));
    assertEquals(r.code, 0, r.stderr);
    assertEquals(r.stats!.dropped_promises, 1);
    const outs = r.nb.cells[0].outputs ?? [];
    assertEquals(outs.map((o) => o.output_type), ["display_data"]);
    assertEquals(text(r.nb.cells[0], "display_data"), "shown");
    // A promise with a value is a real result and is kept.
    assert(text(r.nb.cells[1], "execute_result").includes("7"));
  },
});

Deno.test({
  name: "an unknown parameter is refused before the kernel starts",
  ignore: needsJupyter(),
  async fn() {
    let message = "";
    try {
      await run(notebook([code("const a = 1;", { tags: ["parameters"] })]), { params: { b: "2" } });
    } catch (e) {
      message = (e as Error).message;
    }
    assertStringIncludes(message, "not a parameter of this notebook (has: a)");
  },
});

Deno.test({
  name: "output that trails the last cell is kept (plain nbconvert --execute loses it)",
  ignore: needsJupyter(),
  async fn() {
    // The trailing line is printed 1 s after the last cell returns, long after its idle (ms), and
    // the executor is told to wait for 10 s of quiet before it shuts the kernel down: both
    // margins are generous, and a miss says which one failed.
    const nb = notebook([
      code('console.log("one");'),
      code('setTimeout(() => console.log("trailing"), 1000);\nconsole.log("two");'),
    ]);
    const ours = await run(nb, { finalSettleS: 10 });
    assertEquals(ours.code, 0, ours.stderr);
    assertEquals(
      text(ours.nb.cells[1], "stream"),
      "two\ntrailing\n",
      "the trailing line did not arrive within the executor's 10 s final settle (a loaded machine?)",
    );
    assertGreater(
      ours.stats!.late_outputs,
      0,
      "the trailing line arrived before the cell's idle (the kernel took over 1 s to go idle)",
    );
    // The same notebook through plain nbconvert: it stops reading at the kernel's idle.
    const dir = await Deno.makeTempDir({ prefix: "cen-plain-" });
    try {
      const input = join(dir, "t.ipynb");
      // nbconvert validates the kernelspec strictly (our executor fills it in).
      nb.metadata.kernelspec = { name: "deno", display_name: "Deno", language: "typescript" };
      await Deno.writeTextFile(input, JSON.stringify(nb));
      const out = await withDeadline(
        LIMIT.notebook,
        "nbconvert --execute",
        (signal) =>
          new Deno.Command(probe.python!, {
            args: ["-m", "nbconvert", "--to", "notebook", "--execute", "--output", "plain", input],
            env: jupyterEnv(),
            stdout: "piped",
            stderr: "piped",
            signal,
          }).output(),
      );
      assert(out.success, `nbconvert --execute failed: ${new TextDecoder().decode(out.stderr)}`);
      const plain = await readNotebook(join(dir, "plain.ipynb"));
      // nbconvert stops reading at the kernel's idle, so the trailing line is lost (on a loaded
      // machine it may lose "two" as well: only the loss this executor repairs is asserted).
      const plainText = text(plain.cells[1], "stream");
      assert(
        !plainText.includes("trailing"),
        `plain nbconvert kept the trailing line: ${plainText}`,
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
