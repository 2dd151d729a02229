/**
 * Folding long code cells on report pages (lib/publish/fold.ts): on a page shaped like nbconvert's
 * (always), on a page nbconvert writes (needs Jupyter), and in chromium (needs Jupyter and
 * Chromium): a long cell's code sits in a closed `<details>` under its summary line and opens on a
 * click, short and parameters cells stay open, outputs stay in view, the notebook is not changed.
 */
import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import { join } from "node:path";
import {
  type Cdp,
  checkPages,
  findChromium,
  type Json,
  launchChromium,
} from "../../lib/publish/browser.ts";
import { notebookToHtml } from "../../lib/publish/build.ts";
import { findJupyter } from "../../lib/publish/execute.ts";
import {
  codeSummary,
  FOLD_CLASS,
  foldCodeCells,
  isFolded,
  MAX_OPEN_LINES,
} from "../../lib/publish/fold.ts";
import type { Notebook, NotebookCell, NotebookOutput } from "../../lib/publish/ipynb.ts";
import { plotHtml, plotlyBundle } from "../../lib/report/plot.ts";
import { LIMIT, withDeadline } from "../helpers/deadline.ts";
import { NO_CHROMIUM, NO_JUPYTER, skipCheck, skipUnless } from "../helpers/skip.ts";

const jupyter = await findJupyter();

/** The long cell: a leading comment, characters HTML escapes, 8 lines. */
const LONG = [
  "// Loads the numbers of Table 1 (the long cell)",
  "const rows = [1, 2, 3];",
  'const label = "<b>&amp;</b>";',
  "const small = rows.filter((r) => r < 3 && r > 0);",
  "const delta = `Δ ${small.length}`;",
  "",
  "console.log(label, delta);",
  "rows",
].join("\n");

const PLOT_CELL = [
  "await showPlot({",
  "  data: [{ y: [1, 3, 2], type: 'scatter' }],",
  "  layout: { title: { text: 'MAE per generation' } },",
  "}, {",
  "  height: 300,",
  "});",
].join("\n");

const PARAMS = Array.from({ length: 7 }, (_, i) => `const p${i} = ${i};`).join("\n");

const TABLE = '<table class="cen-test-table"><tr><th>MAE</th></tr><tr><td>2.5</td></tr></table>';

function code(source: string, outputs: NotebookOutput[] = [], tags: string[] = []): NotebookCell {
  return {
    cell_type: "code",
    metadata: tags.length ? { tags } : {},
    source,
    outputs,
    execution_count: 1,
  };
}

const html = (text: string): NotebookOutput => ({
  output_type: "display_data",
  data: { "text/html": text, "text/plain": "[html]" },
  metadata: {},
});

/** An executed notebook: quote, parameters, a long cell with a table, a short one, a plot. */
function executed(plot: string): Notebook {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {
      kernelspec: { name: "deno", display_name: "Deno", language: "typescript" },
      language_info: { name: "typescript", pygments_lexer: "typescript" },
    },
    cells: [
      { cell_type: "markdown", metadata: {}, source: "# Fold\n\n> a paper quote" },
      code(PARAMS, [], ["parameters"]),
      code(LONG, [
        { output_type: "stream", name: "stdout", text: "<b>&amp;</b> Δ 2\n" },
        html(TABLE),
      ]),
      code("const k = 2;"),
      code(PLOT_CELL, [html(plot)]),
    ],
  };
}

/** A page shaped like nbconvert's lab template (6.x), for the tests that run without Jupyter. */
function fakePage(nb: Notebook): string {
  const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  const cells = nb.cells.map((c) => {
    const src = Array.isArray(c.source) ? c.source.join("") : c.source;
    if (c.cell_type === "markdown") {
      return `<div class="jp-Cell jp-MarkdownCell jp-Notebook-cell">\n<div class="jp-Cell-inputWrapper">` +
        `\n<div class="jp-InputArea jp-Cell-inputArea"><p>${esc(src)}</p>\n</div>\n</div>\n</div>`;
    }
    const outputs = (c.outputs ?? []).map((o) =>
      `<div class="jp-OutputArea-child">\n<div class="jp-RenderedHTMLCommon">\n` +
      `${o.data?.["text/html"] ?? `<pre>${esc(String(o.text))}</pre>`}\n</div>\n</div>`
    ).join("\n");
    const highlighted = src.split("\n").filter((l) => l.trim() !== "")
      .map((l) => `<span class="nx">${esc(l)}</span>`).join("\n");
    return `<div class="jp-Cell jp-CodeCell jp-Notebook-cell   ">\n` +
      `<div class="jp-Cell-inputWrapper">\n<div class="jp-Collapser jp-InputCollapser">\n</div>\n` +
      `<div class="jp-InputArea jp-Cell-inputArea">\n` +
      `<div class="jp-InputPrompt jp-InputArea-prompt">In&nbsp;[1]:</div>\n` +
      `<div class="jp-CodeMirrorEditor jp-Editor jp-InputArea-editor" data-type="inline">\n` +
      `     <div class="CodeMirror cm-s-jupyter">\n` +
      `<div class=" highlight hl-typescript"><pre><span></span>${highlighted}\n</pre></div>\n` +
      `     </div>\n</div>\n</div>\n</div>\n` +
      (outputs
        ? `<div class="jp-Cell-outputWrapper">\n<div class="jp-OutputArea">\n${outputs}\n</div>\n</div>\n`
        : "") +
      `</div>`;
  });
  return `<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">\n</head>\n` +
    `<body class="jp-Notebook">\n${cells.join("")}\n</body>\n</html>\n`;
}

/** The `<details>` folds of a page, in order. */
function folds(page: string): string[] {
  return [...page.matchAll(/<details class="cen-fold"[^>]*>[\s\S]*?<\/details>/g)].map((m) => m[0]);
}

/** Checks a folded page: the long cells folded (closed, with summaries), the rest in view. */
function assertFolded(page: string): void {
  const fs = folds(page);
  assertEquals(fs.length, 2, "the long cell and the plot's cell are folded");
  for (const f of fs) {
    assert(f.startsWith(`<details class="${FOLD_CLASS}">`), `closed: ${f.slice(0, 60)}`);
    assertStringIncludes(f, "jp-Cell-inputWrapper");
    for (const out of ["jp-Cell-outputWrapper", "cen-test-table", "cen-plot", "Δ 2"]) {
      assert(!f.includes(out), `an output (${out}) is inside a fold`);
    }
  }
  assertStringIncludes(
    fs[0],
    "<summary><code>// Loads the numbers of Table 1 (the long cell)</code> " +
      '<span class="cen-fold-lines">… (8 lines)</span></summary>',
  );
  assertStringIncludes(fs[0], "Loads"); // the code itself is in the fold
  assertStringIncludes(fs[1], "<code>await showPlot({ data: [{ y: [1, 3, 2], type: 'scatter' }],");
  assertStringIncludes(fs[1], "(6 lines)");
  // Outside the folds: the quote, the parameters and the short cell's code, every output.
  const outside = page.replace(/<details class="cen-fold"[^>]*>[\s\S]*?<\/details>/g, "");
  for (const shown of ["a paper quote", "p6", "cen-test-table", "cen-plot", "Δ 2"]) {
    assertStringIncludes(outside, shown);
  }
  assertStringIncludes(outside.replace(/<[^>]*>/g, ""), "k");
  assertStringIncludes(page.slice(0, page.indexOf("</head>")), 'id="cen-fold-style"');
}

Deno.test("codeSummary: a leading comment, the imports and the first statement; long ones cut", () => {
  assertEquals(codeSummary(LONG), "// Loads the numbers of Table 1 (the long cell)");
  assertEquals(codeSummary("/**\n * Adds claims.\n */\nconst f = 1;"), "/* Adds claims.");
  assertEquals(codeSummary("/* one line */\nx"), "/* one line */");
  assertEquals(codeSummary(""), "");
  // Imports: how many modules, then the first statement after them.
  const imports = [
    'import { a } from "./a.ts";',
    "import {",
    "  b,",
    "  c,",
    '} from "./b.ts";',
    "",
    "import type { D } from './d.ts'",
    "const x = a(b, c);",
    "x",
  ].join("\n");
  assertEquals(codeSummary(imports), "import … (3 modules); const x = a(b, c);");
  assertEquals(codeSummary("import {\n  a,\n} from './a.ts';"), "import … (1 module)");
  assertEquals(
    codeSummary("\n\n  import { a } from './a.ts';\nconst b = 1;"),
    "import { a } from './a.ts';",
  );
  // A first line that opens a call or a literal goes on with the next lines.
  assertEquals(
    codeSummary("await showPlot(\n  ageHistogram(\n    { train: ages },\n    `ages`,\n  ),\n);"),
    "await showPlot(ageHistogram({ train: ages }, `ages`,",
  );
  assertEquals(codeSummary("const rows = [1, 2];\nrows"), "const rows = [1, 2];");
  const long = codeSummary(`const x = "${"a".repeat(200)}";`);
  assertEquals(long.length, 110);
  assert(long.endsWith("…"));
});

Deno.test("isFolded: more than MAX_OPEN_LINES lines, parameters cells never", () => {
  const lines = (n: number) =>
    Array.from({ length: n }, (_, i) => `const a${i} = ${i};`).join("\n");
  assertEquals(isFolded(code(lines(MAX_OPEN_LINES))), false);
  assertEquals(isFolded(code(lines(MAX_OPEN_LINES) + "\n\n\n")), false, "trailing blank lines");
  assertEquals(isFolded(code(lines(MAX_OPEN_LINES + 1))), true);
  assertEquals(isFolded(code(lines(20), [], ["parameters"])), false);
  assertEquals(isFolded(code(lines(20), [], ["injected-parameters"])), false);
  assertEquals(isFolded(code(lines(8)), 10), false);
  assertEquals(isFolded({ cell_type: "markdown", metadata: {}, source: lines(20) }), false);
});

Deno.test("foldCodeCells: long cells folded, short ones and every output in view", () => {
  const nb = executed(`<div class="cen-plot" id="p"></div><script>var s = "<div>";</script>`);
  const page = fakePage(nb);
  const r = foldCodeCells(page, nb);
  assertEquals(r.reason, undefined);
  assertEquals([r.folded, r.open], [2, 2]);
  assertFolded(r.html);
  // Folding again changes nothing; the page without its folds is the page as it was.
  assertEquals(foldCodeCells(r.html, nb).html, r.html);
  const unfolded = r.html.replace(/<style id="cen-fold-style">[\s\S]*?<\/style>\n/, "")
    .replace(/<details class="cen-fold"><summary>.*<\/summary>\n/g, "").replace(
      /\n<\/details>/g,
      "",
    );
  assertEquals(unfolded, page);
});

Deno.test("foldCodeCells: a page that does not match the notebook is left as it is", () => {
  const nb = executed("<p>plot</p>");
  const page = fakePage(nb);
  const fewer = { ...nb, cells: nb.cells.slice(0, 3) };
  const r = foldCodeCells(page, fewer);
  assertEquals(r.html, page);
  assertStringIncludes(r.reason ?? "", "the page has 4 code cells with their code, the notebook 2");
  const other = structuredClone(nb);
  other.cells[2].source = LONG.replace("rows", "columns");
  const s = foldCodeCells(page, other);
  assertEquals(s.html, page);
  assertStringIncludes(s.reason ?? "", "code cell 2 on the page is not the notebook's code cell 2");
  // An output that mimics a code cell's markup changes the count: nothing is folded.
  const tricky = executed(fakePage(executed("")).split("<body")[1]);
  assertStringIncludes(foldCodeCells(fakePage(tricky), tricky).reason ?? "", "the page has 8");
});

/** Evaluates `expression` in a page session; returns its JSON value. */
async function evaluate<T>(cdp: Cdp, session: string, expression: string): Promise<T> {
  const r = await cdp.send("Runtime.evaluate", { expression, returnByValue: true }, session);
  return (r.result as Json).value as T;
}

/** What a reader sees: whether each fold is open, its code shown, the table and plot shown. */
const SEEN = `(() => {
  const seen = (e) => e !== null && e.checkVisibility() && e.getBoundingClientRect().height > 0;
  return JSON.stringify({
    open: [...document.querySelectorAll("details.cen-fold")].map((d) => d.open),
    code: [...document.querySelectorAll("details.cen-fold pre")].map(seen),
    table: seen(document.querySelector("table.cen-test-table")),
    plot: seen(document.querySelector("div.cen-plot")),
  });
})()`;

/** Loads `url` in chromium; returns what is seen before and after clicking the first summary. */
async function clickFirstSummary(url: string): Promise<{ before: Json; after: Json }> {
  const browser = await launchChromium();
  try {
    const { cdp } = browser;
    const { targetId } = await cdp.send("Target.createTarget", { url: "about:blank" });
    const { sessionId } = await cdp.send("Target.attachToTarget", { targetId, flatten: true });
    const session = String(sessionId);
    await cdp.send("Runtime.enable", {}, session);
    await cdp.send("Page.navigate", { url }, session);
    const until = Date.now() + 60_000;
    while (await evaluate<string>(cdp, session, "document.readyState") !== "complete") {
      if (Date.now() > until) throw new Error("the page did not load within 60 s");
      await new Promise((r) => setTimeout(r, 100));
    }
    const before = JSON.parse(await evaluate<string>(cdp, session, SEEN));
    await evaluate(cdp, session, 'document.querySelector("details.cen-fold > summary").click()');
    const after = JSON.parse(await evaluate<string>(cdp, session, SEEN));
    return { before, after };
  } finally {
    await browser.close();
  }
}

Deno.test({
  name: "nbconvert page: long cells folded, outputs in view, the notebook unchanged; in chromium " +
    "the plot draws and a click opens the code",
  ignore: skipUnless(jupyter.reason === undefined, NO_JUPYTER),
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "cen-fold-" });
    try {
      const nb = executed(plotHtml(
        { data: [{ y: [1, 3, 2], type: "scatter" }], layout: { title: { text: "t" } } },
        { id: "fold-plot", bundle: await plotlyBundle(), height: 300 },
      ));
      const path = join(dir, "90-fold.ipynb");
      await Deno.writeTextFile(path, JSON.stringify(nb, null, 1));
      const bytes = await Deno.readFile(path);
      const htmlDir = join(dir, "html");
      const pagePath = await withDeadline(
        LIMIT.tool,
        "nbconvert",
        () => notebookToHtml(path, htmlDir),
      );
      assertEquals(await Deno.readFile(path), bytes, "the notebook is only read");
      const page = await Deno.readTextFile(pagePath);
      assertFolded(page);
      // Without folding, nbconvert's page as it was.
      const plain = await notebookToHtml(path, join(dir, "plain"), { fold: false });
      assertEquals(folds(await Deno.readTextFile(plain)).length, 0);

      const chromium = await findChromium();
      if (!skipCheck(chromium !== undefined, NO_CHROMIUM)) return;
      const [check] = await withDeadline(
        LIMIT.notebook,
        "the browser check",
        () => checkPages([pagePath], { timeoutMs: 120_000 }),
      );
      assert(check.ok, JSON.stringify(check));
      assertEquals([check.plots, check.drawn], [1, 1]);
      const seen = await withDeadline(
        LIMIT.notebook,
        "the click on a summary",
        () => clickFirstSummary(`file://${pagePath}`),
      );
      assertEquals(seen.before, {
        open: [false, false],
        code: [false, false],
        table: true,
        plot: true,
      });
      assertEquals(seen.after, {
        open: [true, false],
        code: [true, false],
        table: true,
        plot: true,
      });
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
