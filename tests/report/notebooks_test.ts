/** Committed notebooks stay clean (no outputs) and type-check. */
import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import { join } from "node:path";
import { projectRoot } from "../../lib/publish/execute.ts";
import { hasOutputs, readNotebook } from "../../lib/publish/ipynb.ts";
import { checkNotebook, checkNotebooks } from "../../tools/check_notebooks.ts";
import { LIMIT, withDeadline } from "../helpers/deadline.ts";

const dir = join(projectRoot(), "notebooks");

async function committed(): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(dir)) {
    if (e.isFile && e.name.endsWith(".ipynb")) out.push(join(dir, e.name));
  }
  return out.sort();
}

Deno.test("every committed notebook has no outputs (strip: deno task notebook --strip)", async () => {
  const paths = await committed();
  assert(paths.some((p) => p.endsWith("_smoke.ipynb")), "notebooks/_smoke.ipynb is missing");
  for (const p of paths) {
    const nb = await readNotebook(p);
    assertEquals(hasOutputs(nb), [], `${p}: cells with outputs (0-based)`);
    assertEquals(
      nb.metadata.kernelspec && (nb.metadata.kernelspec as { name: string }).name,
      "deno",
      p,
    );
  }
});

Deno.test("the cells of notebooks 00–07 and _smoke type-check", async () => {
  const paths = (await committed()).filter((p) => /\/(\d\d-[^/]*|_smoke)\.ipynb$/.test(p));
  assertEquals(paths.filter((p) => /\/\d\d-/.test(p)).length, 8, paths.join(", "));
  const checks = await withDeadline(
    LIMIT.tool,
    "deno check of the notebooks",
    (signal) => checkNotebooks(paths, signal),
  );
  const failed = checks.filter((r) => !r.ok);
  assertEquals(failed.map((r) => r.path), [], failed.map((r) => r.output).join("\n\n"));
});

Deno.test("a type error in a cell is reported at its notebook cell and line", async () => {
  const tmp = join(dir, `.test-bad-${Deno.pid}.ipynb`);
  const nb = {
    nbformat: 4,
    nbformat_minor: 4,
    metadata: { kernelspec: { name: "deno" } },
    cells: [
      {
        cell_type: "code",
        metadata: {},
        source: "const a = 1;",
        outputs: [],
        execution_count: null,
      },
      { cell_type: "markdown", metadata: {}, source: "text" },
      {
        cell_type: "code",
        metadata: {},
        source: "const b = 2;\nconst c: string = a + b;",
        outputs: [],
        execution_count: null,
      },
    ],
  };
  await Deno.writeTextFile(tmp, JSON.stringify(nb));
  try {
    const r = await withDeadline(LIMIT.tool, "deno check", (signal) => checkNotebook(tmp, signal));
    assertEquals(r.ok, false);
    assertStringIncludes(r.output, "TS2322");
    assertStringIncludes(r.output, `${tmp} cell 3 line 2:7`);
  } finally {
    await Deno.remove(tmp);
  }
});
