import {
  assert,
  assertEquals,
  assertMatch,
  assertRejects,
  assertStringIncludes,
  assertThrows,
} from "@std/assert";
import { ConfigError } from "../../lib/errors.ts";
import { display, htmlToText, inJupyter } from "../../lib/report/display.ts";
import { indexHtml } from "../../lib/publish/index_page.ts";
import { figureSummary, plotHtml, plotlyBundle, showPlot } from "../../lib/report/plot.ts";
import { readSummary, summaryPath, writeSummary } from "../../lib/report/summary.ts";
import { escapeHtml, formatValue, tableHtml, tableText } from "../../lib/report/table.ts";

/** Captures console.log output of `fn`. */
async function captureLog(fn: () => Promise<void>): Promise<string> {
  const orig = console.log;
  const lines: string[] = [];
  console.log = (...args: unknown[]) => lines.push(args.map(String).join(" "));
  try {
    await fn();
  } finally {
    console.log = orig;
  }
  return lines.join("\n");
}

const rows = [
  { model: "Reg <only>", mae: 5.1234, n: 10 },
  { model: "LDL", mae: 4.5, n: 12, extra: true },
];

Deno.test("tableHtml escapes, formats numbers to `digits`, keeps column order", () => {
  const html = tableHtml(rows, { caption: "T & 1", digits: 2 });
  assertStringIncludes(html, "<caption>T &amp; 1</caption>");
  assertStringIncludes(html, "<th>model</th><th>mae</th><th>n</th><th>extra</th>");
  assertStringIncludes(html, "<td>Reg &lt;only&gt;</td>");
  assertStringIncludes(html, '<td style="text-align:right">5.12</td>');
  assertStringIncludes(html, '<td style="text-align:right">4.50</td>');
  assertStringIncludes(html, '<td style="text-align:right">10</td>');
  assertStringIncludes(html, "<td></td></tr>"); // row 1 has no `extra`
});

Deno.test("tableText aligns columns; numbers right-aligned", () => {
  const text = tableText(rows, { columns: ["model", "mae"], headers: { mae: "MAE" } });
  assertEquals(
    text,
    ["model         MAE", "----------  -----", "Reg <only>  5.123", "LDL         4.500"].join("\n"),
  );
  assertEquals(formatValue(null), "");
  assertEquals(formatValue(NaN), "NaN");
  assertEquals(formatValue(1 / 3, 2), "0.33");
  assertEquals(
    escapeHtml(`<a href="x">'&'</a>`),
    "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;",
  );
});

Deno.test("display outside Jupyter prints the text fallback", async () => {
  assertEquals(inJupyter(), false);
  assertEquals(
    await captureLog(() => display({ "text/plain": "plain", "text/html": "<b>x</b>" })),
    "plain",
  );
  assertEquals(
    await captureLog(() => display({ "text/html": "<p>a&amp;b</p><script>x()</script>" })),
    "a&b",
  );
  assertEquals(htmlToText("<table><tr><td>1</td><td>2</td></tr></table>"), "1\t2");
  assertEquals(
    await captureLog(() => showPlot({ data: [{}, {}], layout: { title: { text: "MAE" } } })),
    '[plot "MAE": 2 traces]',
  );
});

Deno.test("plotHtml: bundle only when given, AMD hidden, figure JSON script-safe", async () => {
  const fig = { data: [{ y: [1, 2], name: "</script><b>" }], layout: { title: "t" } };
  const bare = plotHtml(fig, { id: "p1", height: 300 });
  assertStringIncludes(
    bare,
    '<div id="p1" class="cen-plot" style="width:100%;height:300px;"></div>',
  );
  assertStringIncludes(bare, 'window.Plotly.newPlot("p1"');
  assertEquals(bare.includes("</script><b>"), false);
  assertStringIncludes(bare, "\\u003c/script>\\u003cb>");
  assertEquals(bare.includes("define, module, exports"), false);
  const withBundle = plotHtml(fig, { id: "p2", bundle: "var x = '</script>';" });
  assertStringIncludes(
    withBundle,
    "(function(define, module, exports) {\nvar x = '<\\/script>';\n})",
  );
  assertThrows(() => plotHtml(fig, { id: "1 bad" }), TypeError, "invalid element id");
  assertThrows(() => plotHtml({} as never), TypeError, "needs a `data` array");
  assertEquals(figureSummary({ data: [{}] }), "[plot: 1 trace]");
  const bundle = await plotlyBundle();
  assertStringIncludes(bundle.slice(0, 200), "plotly.js v4.1.1");
  assertStringIncludes(bundle.slice(-200), "window.Plotly = Plotly;");
});

Deno.test("summary: round trip, validation, name check", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await writeSummary("03-x", { title: "T", numbers: { mae: 4.5, when: "now" } }, dir);
    assertEquals(await readSummary("03-x", dir), {
      title: "T",
      numbers: { mae: 4.5, when: "now" },
    });
    assertEquals(await readSummary("04-none", dir), undefined);
    await assertRejects(
      () => writeSummary("03-x", { numbers: { mae: NaN } }, dir),
      ConfigError,
      "numbers.mae",
    );
    await assertRejects(
      () => writeSummary("03-x", { numbers: [] as never }, dir),
      ConfigError,
      "summary.numbers",
    );
    assertThrows(() => summaryPath("../evil", dir), ConfigError, "invalid notebook name");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("indexHtml links pages, shows status, time and summary numbers", () => {
  const html = indexHtml([
    {
      name: "00-data",
      href: "00-data.html",
      status: "ok",
      seconds: 12.34,
      summary: { numbers: { images: 190, mae: 4.56789 }, note: "synthetic" },
    },
    { name: "01-pre", status: "failed", seconds: 1, error: "cell 3: Error: <boom>" },
  ], { title: "R", profile: "default", generatedAt: "2026-11-27T00:00:00Z", totalSeconds: 13.3 });
  assertStringIncludes(html, '<a href="00-data.html">00-data</a>');
  assertStringIncludes(html, "12.3 s");
  assertStringIncludes(html, "<b>190</b>");
  assertStringIncludes(html, "<b>4.568</b>");
  assertStringIncludes(html, "cell 3: Error: &lt;boom&gt;");
  assertMatch(html, /Profile <b>default<\/b>.*2 notebooks in 13.3 s/);
  assert(!html.includes('href="01-pre'));
});
