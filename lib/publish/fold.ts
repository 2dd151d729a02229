/**
 * Folds long code cells of a report page behind a one-line summary, so the page reads as a report:
 * paper quotes, tables, plots and verdicts stay in view, and one click on a summary line opens the
 * code. Static HTML only (`<details><summary>`, no script); the notebooks are not touched, only
 * the page nbconvert wrote from the executed copy.
 *
 * How: every code cell of nbconvert's `lab`-based page (the project's `cen` template) is a
 * `<div class="jp-Cell jp-CodeCell …">` whose first child is its input, `<div
 * class="jp-Cell-inputWrapper">`, followed by its outputs. The input is wrapped in `<details
 * class="cen-fold">`; the outputs stay outside. The input's extent is found by counting `<div>`
 * tags, which is exact there: it holds only the template's markup and Pygments' escaped code
 * (outputs, with their scripts and arbitrary HTML, are never scanned). The page's cells are
 * matched one to one with the notebook's code cells, and each cell's highlighted code must equal
 * the notebook's source (whitespace aside); when they do not match, the page is left as it is and
 * the reason is returned.
 *
 * API:
 * - `MAX_OPEN_LINES`: cells of at most this many lines stay open (5).
 * - `codeSummary(source)`: the summary line's text: a leading comment, else what the cell imports
 *   and its first statement.
 * - `isFolded(cell, maxOpenLines?)`: whether a cell is folded (long, and not a parameters cell).
 * - `foldCodeCells(html, nb, opts?)`: `{ html, folded, open, reason? }`.
 * - `FOLD_CLASS` / `FOLD_CSS`: the `<details>` class and the style added to the page's head.
 *
 * @module
 */
import {
  cellSource,
  INJECTED_TAG,
  type Notebook,
  type NotebookCell,
  PARAMETERS_TAG,
} from "./ipynb.ts";

/** Code cells of at most this many lines (trailing blank lines aside) stay open. */
export const MAX_OPEN_LINES = 5;

/** The class of the `<details>` element around a folded cell's code. */
export const FOLD_CLASS = "cen-fold";

/** The longest summary text, in characters (longer ones end with `…`). */
const SUMMARY_CHARS = 110;

/** The summary line's style: aligned with the code it hides, muted, one line. */
export const FOLD_CSS = `<style id="cen-fold-style">
details.${FOLD_CLASS} > summary {
  cursor: pointer;
  padding: 2px 0 2px calc(var(--jp-cell-prompt-width, 64px) + var(--jp-cell-collapser-width, 8px));
  font-family: var(--jp-code-font-family, monospace);
  font-size: var(--jp-code-font-size, 13px);
  color: var(--jp-content-font-color2, #616161);
  white-space: nowrap;
  overflow: hidden;
  text-overflow: ellipsis;
}
details.${FOLD_CLASS} > summary:hover { color: var(--jp-content-font-color0, #000); }
details.${FOLD_CLASS} > summary .cen-fold-lines { font-family: var(--jp-ui-font-family, sans-serif); }
</style>
`;

/** What `foldCodeCells` did. */
export interface FoldResult {
  /** The page (unchanged when `reason` is set). */
  html: string;
  /** Code cells folded. */
  folded: number;
  /** Code cells left open (short, or parameters). */
  open: number;
  /** Why nothing was folded (the page does not match the notebook), if so. */
  reason?: string;
}

/** Options of `foldCodeCells`. */
export interface FoldOptions {
  /** Cells of at most this many lines stay open; default {@link MAX_OPEN_LINES}. */
  maxOpenLines?: number;
}

/** The source's lines, trailing blank lines dropped. */
function sourceLines(source: string): string[] {
  return source.replace(/\s+$/, "").split("\n");
}

function tagsOf(cell: NotebookCell): string[] {
  return Array.isArray(cell.metadata?.tags) ? cell.metadata.tags : [];
}

/** Imports at the top of a cell: how many, and the index of the first line after them. */
function leadingImports(lines: readonly string[], start: number): { count: number; end: number } {
  let count = 0;
  let i = start;
  while (i < lines.length && /^import\b/.test(lines[i])) {
    count++;
    // A multi-line import ends at the line with its module specifier.
    while (i < lines.length && !/["'];?$/.test(lines[i])) i++;
    i++;
    while (i < lines.length && lines[i] === "") i++;
  }
  return { count, end: i };
}

/** A statement's first line, and the next ones while it ends with an opener (`(`, `{`, `,`…). */
function firstStatement(lines: readonly string[], start: number): string {
  let text = lines[start];
  for (let i = start + 1; i < lines.length && i <= start + 4 && text.length < 60; i++) {
    if (!/(?:[([{,=:?]|=>)$/.test(text) || /^[)\]}]/.test(lines[i])) break;
    if (lines[i] === "") continue;
    text += /[([]$/.test(text) ? lines[i] : ` ${lines[i]}`;
  }
  return text;
}

/**
 * The summary text of a code cell, trimmed to 110 characters: its leading comment line (a `//`
 * line, or the first text line of a `/* … *\/` block); else, for a cell that opens with imports,
 * `import … (N modules)` and the first statement after them; else its first statement (the first
 * line, joined with the next ones while it ends with an opener, as in `await showPlot(`).
 */
export function codeSummary(source: string): string {
  const lines = sourceLines(source).map((l) => l.trim());
  const start = lines.findIndex((l) => l !== "");
  if (start < 0) return "";
  let text = lines[start];
  const block = text.match(/^\/\*+\s*(.*?)\s*(?:\*\/)?$/);
  const imports = leadingImports(lines, start);
  if (block && block[1] === "") {
    // `/**` alone on its line: the comment's first text line.
    const next = lines.slice(start + 1).find((l) => l.replace(/^\*+\/?\s*/, "") !== "");
    if (next !== undefined) text = `/* ${next.replace(/^\*+\s*/, "")}`;
  } else if (imports.count > 1 || (imports.count === 1 && imports.end > start + 1)) {
    const modules = `import … (${imports.count} module${imports.count === 1 ? "" : "s"})`;
    text = imports.end < lines.length
      ? `${modules}; ${firstStatement(lines, imports.end)}`
      : modules;
  } else if (!text.startsWith("//")) {
    text = firstStatement(lines, start);
  }
  return text.length > SUMMARY_CHARS ? `${text.slice(0, SUMMARY_CHARS - 1)}…` : text;
}

/** Whether a code cell is folded: more than `maxOpenLines` lines and not a parameters cell. */
export function isFolded(cell: NotebookCell, maxOpenLines: number = MAX_OPEN_LINES): boolean {
  if (cell.cell_type !== "code") return false;
  const tags = tagsOf(cell);
  if (tags.includes(PARAMETERS_TAG) || tags.includes(INJECTED_TAG)) return false;
  return sourceLines(cellSource(cell)).length > maxOpenLines;
}

/** Escapes text for HTML content. */
function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

const ENTITIES: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };

/** The text of escaped HTML: tags dropped, entities decoded in one pass. */
function htmlText(html: string): string {
  return html.replace(/<[^>]*>/g, "").replace(
    /&(#x[0-9a-f]+|#\d+|[a-z]+);/gi,
    (whole: string, e: string) => {
      if (e[0] === "#") {
        const code = e[1] === "x" || e[1] === "X" ? parseInt(e.slice(2), 16) : Number(e.slice(1));
        return String.fromCodePoint(code);
      }
      return ENTITIES[e.toLowerCase()] ?? whole;
    },
  );
}

/** Drops whitespace: Pygments may drop blank lines and trailing space, never other characters. */
function squeeze(text: string): string {
  return text.replace(/\s+/g, "");
}

/** A code cell's opening tag and its input wrapper's opening tag (nbconvert 6 and 7). */
const CODE_CELL =
  /<div class="jp-Cell jp-CodeCell[^"]*"[^>]*>\s*(<div class="jp-Cell-inputWrapper"[^>]*>)/g;

/** The end (index after its `</div>`) of the `<div>` opened at `start`, or -1. */
function divEnd(html: string, start: number): number {
  const tag = /<div\b|<\/div\s*>/gi;
  tag.lastIndex = start;
  let depth = 0;
  for (let m = tag.exec(html); m; m = tag.exec(html)) {
    depth += m[0][1] === "/" ? -1 : 1;
    if (depth === 0) return m.index + m[0].length;
  }
  return -1;
}

/** The page with the fold style added to its head. */
function withStyle(html: string): string {
  const head = html.indexOf("</head>");
  return head < 0 ? FOLD_CSS + html : html.slice(0, head) + FOLD_CSS + html.slice(head);
}

/**
 * Folds the long code cells of `html`, the page nbconvert wrote from `nb` (see the module doc).
 * A page that is already folded, or that does not match `nb`, comes back unchanged (`reason`
 * says why for the latter).
 */
export function foldCodeCells(html: string, nb: Notebook, opts: FoldOptions = {}): FoldResult {
  const max = opts.maxOpenLines ?? MAX_OPEN_LINES;
  const cells = nb.cells.filter((c) => c.cell_type === "code");
  const unchanged = (reason?: string): FoldResult => ({ html, folded: 0, open: 0, reason });
  if (html.includes('id="cen-fold-style"')) return unchanged();
  const found = [...html.matchAll(CODE_CELL)];
  if (found.length !== cells.length) {
    return unchanged(
      `the page has ${found.length} code cells with their code, the notebook ${cells.length}`,
    );
  }
  const parts: string[] = [];
  let at = 0;
  let folded = 0;
  for (let i = 0; i < cells.length; i++) {
    const m = found[i];
    const start = m.index + m[0].length - m[1].length;
    const end = divEnd(html, start);
    if (end < 0 || start < at) return unchanged(`code cell ${i + 1}: its input does not close`);
    const source = cellSource(cells[i]);
    if (squeeze(htmlText(html.slice(start, end))).indexOf(squeeze(source)) < 0) {
      return unchanged(`code cell ${i + 1} on the page is not the notebook's code cell ${i + 1}`);
    }
    if (!isFolded(cells[i], max)) continue;
    const lines = sourceLines(source).length;
    parts.push(
      html.slice(at, start),
      `<details class="${FOLD_CLASS}"><summary>` +
        `<code>${escapeHtml(codeSummary(source))}</code> ` +
        `<span class="cen-fold-lines">… (${lines} lines)</span></summary>\n`,
      html.slice(start, end),
      "\n</details>",
    );
    at = end;
    folded++;
  }
  parts.push(html.slice(at));
  return { html: withStyle(parts.join("")), folded, open: cells.length - folded };
}
