/**
 * Headless chromium check of report pages (skipped, with the reason recorded, without chromium; the
 * end-to-end report test also without Jupyter).
 */
import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import { join } from "node:path";
import { checkPages, findChromium } from "../../lib/publish/browser.ts";
import { buildReport } from "../../lib/publish/build.ts";
import { findJupyter, projectRoot } from "../../lib/publish/execute.ts";
import { plotHtml, plotlyBundle } from "../../lib/report/plot.ts";
import { summaryPath } from "../../lib/report/summary.ts";
import { LIMIT, withDeadline } from "../helpers/deadline.ts";
import { NO_CHROMIUM, NO_JUPYTER, skipUnless } from "../helpers/skip.ts";

const chromium = await findChromium();
const jupyter = await findJupyter();

function page(body: string): string {
  return `<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>${body}</body></html>`;
}

Deno.test({
  name: "pages: drawn plots pass; script errors, undrawn plots and external loads are caught",
  ignore: skipUnless(chromium !== undefined, NO_CHROMIUM),
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "cen-pages-" });
    try {
      const fig = { data: [{ y: [1, 3, 2], type: "scatter" }], layout: { title: "t" } };
      const bundle = await plotlyBundle();
      const files = {
        good: page(plotHtml(fig, { id: "a", bundle }) + plotHtml(fig, { id: "b" })),
        // A later plot placed before the bundle still draws (it waits for window.Plotly).
        order: page(plotHtml(fig, { id: "c" }) + plotHtml(fig, { id: "d", bundle })),
        error: page(plotHtml(fig, { id: "e", bundle }) + "<script>undefinedFunction();</script>"),
        undrawn: page(plotHtml(fig, { id: "f" })), // no bundle anywhere: never draws
        external: page(
          '<script src="https://cdn.example.invalid/x.js"></script>' +
            plotHtml(fig, { id: "g", bundle }),
        ),
      };
      const paths: string[] = [];
      for (const [name, html] of Object.entries(files)) {
        const p = join(dir, `${name}.html`);
        await Deno.writeTextFile(p, html);
        paths.push(p);
      }
      // Each page is done when it has loaded and its plots are drawn, or (no plotly.js on the page)
      // can never be: the 120 s limit is only for a page that never loads.
      const [good, order, error, undrawn, external] = await withDeadline(
        LIMIT.notebook,
        "the browser check",
        () => checkPages(paths, { timeoutMs: 120_000 }),
      );
      assert(good.ok, JSON.stringify(good));
      assertEquals([good.plots, good.drawn], [2, 2]);
      assert(order.ok, JSON.stringify(order));
      assertEquals(order.drawn, 2);
      assertEquals(error.ok, false);
      assertStringIncludes(error.errors.join("\n"), "undefinedFunction is not defined");
      assertEquals(error.drawn, 1);
      assertEquals(undrawn.ok, false);
      assertEquals([undrawn.plots, undrawn.drawn], [1, 0]);
      assertEquals(undrawn.errors, [], "the undrawn page is judged at its load, not by a timeout");
      assert(external.ok, JSON.stringify(external)); // blocked, and the page works offline
      assertEquals(external.blocked, ["https://cdn.example.invalid/x.js"]);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "end to end: report of two notebooks (one failing) renders and its plots draw offline",
  ignore: skipUnless(chromium !== undefined, NO_CHROMIUM) ||
    skipUnless(jupyter.reason === undefined, NO_JUPYTER),
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "cen-report-" });
    const lib = (m: string) =>
      JSON.stringify(new URL(`lib/report/${m}`, `file://${projectRoot()}/`).href);
    const cell = (source: string, tags: string[] = []) => ({
      cell_type: "code",
      metadata: tags.length ? { tags } : {},
      source,
      outputs: [],
      execution_count: null,
    });
    const nb = (cells: unknown[]) => ({
      nbformat: 4,
      nbformat_minor: 4,
      metadata: { kernelspec: { name: "deno" } },
      cells,
    });
    const names = ["90-e2e-ok", "91-e2e-fails"];
    try {
      await Deno.writeTextFile(
        join(dir, `${names[0]}.ipynb`),
        JSON.stringify(nb([
          { cell_type: "markdown", metadata: {}, source: "# E2E\n\n$x^2$" },
          cell('const profile = "default";\nconst k = 2;', ["parameters"]),
          cell(
            `import { showPlot } from ${lib("plot.ts")};\nimport { writeSummary } from ${
              lib("summary.ts")
            };`,
          ),
          cell(
            "await showPlot({ data: [{ y: [1, k, 3] }], layout: { title: { text: profile } } });",
          ),
          cell('await showPlot({ data: [{ y: [3, 1], type: "bar" }] });'),
          cell(`await writeSummary(${JSON.stringify(names[0])}, { numbers: { k, profile } });`),
        ])),
      );
      await Deno.writeTextFile(
        join(dir, `${names[1]}.ipynb`),
        JSON.stringify(nb([cell("const ok = 1;"), cell('throw new Error("planned failure")')])),
      );
      const htmlDir = join(dir, "html");
      const report = await withDeadline(
        LIMIT.notebook,
        "the report of two notebooks",
        () =>
          buildReport({
            notebooks: names.map((n) => join(dir, `${n}.ipynb`)),
            executedDir: join(dir, "executed"),
            htmlDir,
            profile: "real",
            params: { k: "5" },
            quiet: true,
            timeoutS: 120,
          }),
      );
      assertEquals(report.ok, false);
      assertEquals(report.entries.map((e) => e.status), ["ok", "failed"]);
      assertEquals(report.entries[0].summary?.numbers, { k: 5, profile: "real" });
      assertEquals(report.entries[1].error, "cell 2: Error: planned failure");
      const index = await Deno.readTextFile(report.indexPath);
      assertStringIncludes(index, `<a href="${names[0]}.html">`);
      assertStringIncludes(index, "<b>5</b>");
      const pages = [
        report.indexPath,
        join(htmlDir, `${names[0]}.html`),
        join(htmlDir, `${names[1]}.html`),
      ];
      const checks = await withDeadline(
        LIMIT.notebook,
        "the browser check",
        () => checkPages(pages, { timeoutMs: 120_000 }),
      );
      for (const c of checks) assert(c.ok, JSON.stringify(c));
      assertEquals([checks[1].plots, checks[1].drawn], [2, 2]);
      assertEquals(checks[1].blocked, []); // nothing from the network: MathJax and plotly are local
    } finally {
      await Deno.remove(dir, { recursive: true });
      for (const n of names) await Deno.remove(summaryPath(n)).catch(() => {});
    }
  },
});
