/** Committed notebooks stay clean (no outputs) and type-check. */
import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import { join } from "node:path";
import { projectRoot } from "../../lib/report/execute.ts";
import { hasOutputs, readNotebook } from "../../lib/report/ipynb.ts";
import { checkNotebook } from "../../tools/check_notebooks.ts";

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

Deno.test("the smoke notebook's cells type-check", async () => {
  const r = await checkNotebook(join(dir, "_smoke.ipynb"));
  assert(r.ok, r.output);
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
    const r = await checkNotebook(tmp);
    assertEquals(r.ok, false);
    assertStringIncludes(r.output, "TS2322");
    assertStringIncludes(r.output, `${tmp} cell 3 line 2:7`);
  } finally {
    await Deno.remove(tmp);
  }
});
