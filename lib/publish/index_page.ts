/**
 * The report's `index.html`: one row per notebook with a link to its page, its status and time,
 * and the numbers from its summary (see `lib/report/summary.ts`). Pure: `indexHtml(entries, meta)`
 * → HTML.
 *
 * @module
 */
import { escapeHtml, formatValue } from "../report/table.ts";
import type { NotebookSummary } from "../report/summary.ts";

/** One notebook on the index. */
export interface IndexEntry {
  /** Notebook name, e.g. `03-ancestor`. */
  name: string;
  /** Link to its page, relative to index.html (e.g. `03-ancestor.html`); none if not rendered. */
  href?: string;
  status: "ok" | "failed";
  seconds: number;
  summary?: NotebookSummary;
  /** Why it failed (cell and error), when it did. */
  error?: string;
}

/** Page-level facts shown in the header. */
export interface IndexMeta {
  title: string;
  profile: string;
  generatedAt: string;
  totalSeconds: number;
}

function summaryCell(s: NotebookSummary | undefined): string {
  if (!s) return "";
  const items = Object.entries(s.numbers).map(([k, v]) =>
    `<li><span class="k">${escapeHtml(k)}</span> <b>${escapeHtml(formatValue(v))}</b></li>`
  ).join("");
  const note = s.note ? `<div class="note">${escapeHtml(s.note)}</div>` : "";
  const title = s.title ? `<div class="t">${escapeHtml(s.title)}</div>` : "";
  return `${title}<ul>${items}</ul>${note}`;
}

/** Renders the index page. */
export function indexHtml(entries: readonly IndexEntry[], meta: IndexMeta): string {
  const rows = entries.map((e) => {
    const link = e.href
      ? `<a href="${escapeHtml(e.href)}">${escapeHtml(e.name)}</a>`
      : escapeHtml(e.name);
    const status = e.status === "ok"
      ? `<span class="ok">ok</span>`
      : `<span class="failed">failed</span><div class="err">${escapeHtml(e.error ?? "")}</div>`;
    return `<tr><td>${link}</td><td>${status}</td><td class="num">${
      e.seconds.toFixed(1)
    } s</td><td>${summaryCell(e.summary)}</td></tr>`;
  }).join("\n");
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(meta.title)}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 70em; padding: 0 1em; }
table { border-collapse: collapse; width: 100%; }
td, th { border-bottom: 1px solid #ddd; padding: .4em .6em; text-align: left; vertical-align: top; }
td.num { text-align: right; white-space: nowrap; }
ul { margin: 0; padding-left: 1.2em; } .k { color: #555; } .note, .err { color: #777; font-size: 90%; }
.ok { color: #1a7f37; } .failed { color: #cf222e; font-weight: bold; } .t { font-weight: 600; }
</style></head><body>
<h1>${escapeHtml(meta.title)}</h1>
<p>Profile <b>${escapeHtml(meta.profile)}</b> · generated ${
    escapeHtml(meta.generatedAt)
  } · ${entries.length} notebooks in ${meta.totalSeconds.toFixed(1)} s</p>
<table><thead><tr><th>Notebook</th><th>Status</th><th>Time</th><th>Summary</th></tr></thead>
<tbody>
${rows}
</tbody></table>
</body></html>
`;
}
