/**
 * The report pipeline behind `deno task report`: execute notebooks in order, export each executed
 * copy to static HTML with the project's nbconvert template (`jupyter/nbconvert/templates/cen`:
 * JupyterLab's layout without require.js), fold each page's long code cells behind a one-line
 * summary (`fold.ts`), and write `index.html` with each notebook's summary.
 *
 * API:
 * - `listNotebooks(dir, names?)`: `dir/NN-*.ipynb` in order (`_`-prefixed ones never), filtered by
 *   names (`06-ablations`, `06-ablations.ipynb`, or a prefix like `06`).
 * - `notebookToHtml(executed, htmlDir, opts?)`: runs nbconvert and folds the page's long code
 *   cells (unless `fold: false`); resolves to the page's path. The executed notebook is only read.
 * - `buildReport(opts)`: the whole pipeline; resolves to `{ entries, indexPath, ok }`.
 *
 * Profiles reach notebooks as the `profile` parameter: when a notebook's `parameters` cell
 * declares `profile`, the report injects `profile = "<name>"`.
 *
 * @module
 */
import { basename, join, relative } from "node:path";
import { NotFoundError } from "../errors.ts";
import { executeNotebook, findJupyter, jupyterEnv } from "./execute.ts";
import { declaredParameters, readNotebook } from "./ipynb.ts";
import { foldCodeCells } from "./fold.ts";
import { type IndexEntry, indexHtml } from "./index_page.ts";
import { readSummary, summaryPath } from "../report/summary.ts";

/** Where the offline MathJax of Debian's `libjs-mathjax` lives, when installed. */
const LOCAL_MATHJAX = "/usr/share/javascript/mathjax/MathJax.js";

/** Options of `buildReport`. */
export interface ReportOptions {
  /** Notebook paths, in order. */
  notebooks: string[];
  /** Where executed copies go (`results/executed`). */
  executedDir: string;
  /** Where HTML pages and index.html go (`results/html`). */
  htmlDir: string;
  /** Profile name, injected as the `profile` parameter where declared. */
  profile: string;
  /** Extra parameters for every notebook that declares them. */
  params?: Record<string, string>;
  /** Per-cell timeout, seconds. */
  timeoutS?: number;
  /** Stop at the first failing notebook. */
  failFast?: boolean;
  /** Do not stream cell output. */
  quiet?: boolean;
  /** Index page title. */
  title?: string;
}

/** The notebooks of the report: `NN-*.ipynb` in `dir`, sorted, optionally filtered. */
export async function listNotebooks(dir: string, names: readonly string[] = []): Promise<string[]> {
  const all: string[] = [];
  for await (const e of Deno.readDir(dir)) {
    if (e.isFile && /^\d\d-.*\.ipynb$/.test(e.name)) all.push(e.name);
  }
  all.sort();
  if (names.length === 0) return all.map((n) => join(dir, n));
  const picked: string[] = [];
  for (const name of names) {
    const stem = name.replace(/\.ipynb$/, "");
    const hits = all.filter((n) => n === `${stem}.ipynb` || n.startsWith(`${stem}-`));
    if (hits.length === 0) {
      throw new NotFoundError(`no notebook matches ${name} in ${dir} (have: ${all.join(", ")})`);
    }
    for (const h of hits) if (!picked.includes(h)) picked.push(h);
  }
  return picked.sort().map((n) => join(dir, n));
}

/** Options of `notebookToHtml`. */
export interface HtmlOptions {
  /** Fold long code cells behind a summary line (default true; see `fold.ts`). */
  fold?: boolean;
}

/**
 * Exports an executed notebook to `htmlDir/<name>.html` and folds its long code cells; throws
 * with nbconvert's log on failure. A page that cannot be folded is kept as nbconvert wrote it,
 * with a warning on stderr.
 */
export async function notebookToHtml(
  executed: string,
  htmlDir: string,
  opts: HtmlOptions = {},
): Promise<string> {
  const probe = await findJupyter();
  if (!probe.python) throw new Error(probe.reason);
  const name = basename(executed).replace(/\.ipynb$/, "");
  await Deno.mkdir(htmlDir, { recursive: true });
  let mathjax: string | undefined;
  try {
    await Deno.stat(LOCAL_MATHJAX);
    mathjax = `file://${LOCAL_MATHJAX}?config=TeX-AMS_HTML`;
  } catch {
    mathjax = undefined; // nbconvert's default (a CDN): equations render when online
  }
  const args = [
    "-m",
    "nbconvert",
    "--to",
    "html",
    "--template",
    "cen",
    "--output-dir",
    htmlDir,
    "--output",
    name,
    ...(mathjax ? [`--HTMLExporter.mathjax_url=${mathjax}`] : []),
    executed,
  ];
  const out = await new Deno.Command(probe.python, {
    args,
    env: jupyterEnv(),
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) {
    throw new Error(`nbconvert failed for ${executed}:\n${new TextDecoder().decode(out.stderr)}`);
  }
  const page = join(htmlDir, `${name}.html`);
  if (opts.fold ?? true) {
    const folded = foldCodeCells(await Deno.readTextFile(page), await readNotebook(executed));
    if (folded.reason) console.error(`report: ${name}: code left unfolded: ${folded.reason}`);
    else await Deno.writeTextFile(page, folded.html);
  }
  return page;
}

/** Executes the notebooks in order, renders each page and the index. */
export async function buildReport(
  opts: ReportOptions,
): Promise<{ entries: IndexEntry[]; indexPath: string; ok: boolean }> {
  const entries: IndexEntry[] = [];
  const t0 = performance.now();
  for (const path of opts.notebooks) {
    const name = basename(path).replace(/\.ipynb$/, "");
    const declared = new Set(declaredParameters(await readNotebook(path)).map((p) => p.name));
    const params: Record<string, string> = {};
    for (const [k, v] of Object.entries(opts.params ?? {})) if (declared.has(k)) params[k] = v;
    if (declared.has("profile")) params.profile = opts.profile;
    else if (opts.profile !== "default") {
      console.error(`report: ${name} declares no \`profile\` parameter; it runs as written`);
    }
    await Deno.remove(summaryPath(name)).catch(() => {}); // no stale numbers on the index
    console.error(`report: executing ${name}`);
    const executed = join(opts.executedDir, `${name}.ipynb`);
    const run = await executeNotebook({
      input: path,
      output: executed,
      params,
      timeoutS: opts.timeoutS,
      quiet: opts.quiet,
    });
    const seconds = run.stats?.seconds ?? 0;
    let href: string | undefined;
    try {
      await Deno.stat(executed);
      href = relative(opts.htmlDir, await notebookToHtml(executed, opts.htmlDir));
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
    const failed = run.code !== 0;
    const err = run.stats?.error;
    entries.push({
      name,
      href,
      status: failed ? "failed" : "ok",
      seconds,
      summary: failed ? undefined : await readSummary(name),
      error: failed
        ? (err ? `cell ${err.cell}: ${err.ename}: ${err.evalue}` : `executor exit ${run.code}`)
        : undefined,
    });
    console.error(`report: ${name} ${failed ? "FAILED" : "ok"} in ${seconds.toFixed(1)} s`);
    if (failed && opts.failFast) break;
  }
  const indexPath = join(opts.htmlDir, "index.html");
  await Deno.mkdir(opts.htmlDir, { recursive: true });
  await Deno.writeTextFile(
    indexPath,
    indexHtml(entries, {
      title: opts.title ?? "CEN reproduction — notebooks",
      profile: opts.profile,
      generatedAt: new Date().toISOString(),
      totalSeconds: (performance.now() - t0) / 1000,
    }),
  );
  return {
    entries,
    indexPath,
    ok: entries.length === opts.notebooks.length && entries.every((e) => e.status === "ok"),
  };
}
