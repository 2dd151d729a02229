/**
 * Tables of rows for notebooks and reports.
 *
 * API:
 * - `tableHtml(rows, opts?)`: an HTML `<table>` (escaped; numbers right-aligned, `digits` places).
 * - `tableText(rows, opts?)`: the same as aligned plain text.
 * - `showTable(rows, opts?)`: displays both forms (`await` it).
 *
 * `rows` are objects; columns default to the keys in first-seen order. Options: `columns` (order
 * and subset), `headers` (column → header text), `digits` (default 3; integers print as is),
 * `caption`.
 *
 * @module
 */
import { display } from "./display.ts";

/** A table cell value. */
export type TableValue = string | number | boolean | null | undefined;
/** One row: column → value. */
export type TableRow = Record<string, TableValue>;

/** Options of the table renderers. */
export interface TableOptions {
  /** The columns and their order (default: the keys in first-seen order). */
  columns?: string[];
  /** Header text by column (default: the column name). */
  headers?: Record<string, string>;
  /** Decimal places of non-integer numbers (default 3). */
  digits?: number;
  /** A caption above the table. */
  caption?: string;
}

/** Escapes text for HTML content and attributes. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

/** Formats one value: integers as is, other finite numbers with `digits` decimals, null as "". */
export function formatValue(value: TableValue, digits = 3): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "number") {
    if (Number.isInteger(value) || !Number.isFinite(value)) return String(value);
    return value.toFixed(digits);
  }
  return String(value);
}

function columnsOf(rows: readonly TableRow[], opts: TableOptions): string[] {
  if (opts.columns) return opts.columns;
  const seen: string[] = [];
  for (const row of rows) for (const k of Object.keys(row)) if (!seen.includes(k)) seen.push(k);
  return seen;
}

/** Renders rows as an HTML table. */
export function tableHtml(rows: readonly TableRow[], opts: TableOptions = {}): string {
  const cols = columnsOf(rows, opts);
  const head = cols.map((c) => `<th>${escapeHtml(opts.headers?.[c] ?? c)}</th>`).join("");
  const body = rows.map((row) =>
    "<tr>" + cols.map((c) => {
      const v = row[c];
      const align = typeof v === "number" ? ' style="text-align:right"' : "";
      return `<td${align}>${escapeHtml(formatValue(v, opts.digits))}</td>`;
    }).join("") + "</tr>"
  ).join("\n");
  const caption = opts.caption ? `<caption>${escapeHtml(opts.caption)}</caption>` : "";
  return `<table class="cen-table">${caption}<thead><tr>${head}</tr></thead>` +
    `<tbody>\n${body}\n</tbody></table>`;
}

/** Renders rows as aligned plain text (numbers right-aligned). */
export function tableText(rows: readonly TableRow[], opts: TableOptions = {}): string {
  const cols = columnsOf(rows, opts);
  const header = cols.map((c) => opts.headers?.[c] ?? c);
  const cells = rows.map((row) => cols.map((c) => formatValue(row[c], opts.digits)));
  const widths = header.map((h, j) => Math.max(h.length, ...cells.map((r) => r[j].length)));
  const numeric = cols.map((c) => rows.some((r) => typeof r[c] === "number"));
  const line = (vals: string[]) =>
    vals.map((v, j) => numeric[j] ? v.padStart(widths[j]) : v.padEnd(widths[j])).join("  ")
      .trimEnd();
  const out = [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...cells.map(line)];
  if (opts.caption) out.unshift(opts.caption);
  return out.join("\n");
}

/** Displays a table (HTML in Jupyter and the report, text elsewhere). */
export function showTable(rows: readonly TableRow[], opts: TableOptions = {}): Promise<void> {
  return display({ "text/html": tableHtml(rows, opts), "text/plain": tableText(rows, opts) });
}
