/**
 * Jupyter notebooks (nbformat 4) as data: read, write, strip outputs, inject parameters
 * papermill-style, and turn code cells into one TypeScript file for `deno check`.
 *
 * API:
 * - `readNotebook(path)` / `writeNotebook(path, nb)` / `formatNotebook(nb)`: nbformat's JSON
 *   layout (1-space indent, sorted keys, trailing newline), so rewrites give clean diffs.
 * - `stripOutputs(nb)`: a copy without outputs, execution counts or injected-parameter cells.
 * - `hasOutputs(nb)`: the cells that still carry outputs or execution counts.
 * - `declaredParameters(nb)`: `{name, keyword, literal}` of each `const|let|var` declared in the
 *   cell tagged `parameters`.
 * - `parseParameterArgs(args)`: `["--tau", "3", "--profile=real"]` → `{tau: "3", profile: "real"}`.
 * - `injectParameters(nb, raw)`: a copy with a cell tagged `injected-parameters` right after the
 *   `parameters` cell that redeclares each given name (values coerced to the default's type).
 * - `notebookToTypeScript(nb)`: the code cells joined into a module plus a line map back to
 *   (cell, line), used by `tools/check_notebooks.ts`.
 *
 * @module
 */
import { isRecord, readJsonChecked } from "../checked.ts";
import { ConfigError } from "../errors.ts";
import { writeTextAtomic } from "../fsutil.ts";

/** One output of a code cell (only the fields this project reads are typed). */
export interface NotebookOutput {
  output_type: "stream" | "display_data" | "execute_result" | "error";
  name?: string;
  text?: string | string[];
  data?: Record<string, unknown>;
  metadata?: Record<string, unknown>;
  execution_count?: number | null;
  ename?: string;
  evalue?: string;
  traceback?: string[];
}

/** One notebook cell. */
export interface NotebookCell {
  cell_type: "code" | "markdown" | "raw";
  source: string | string[];
  metadata: Record<string, unknown> & { tags?: string[] };
  outputs?: NotebookOutput[];
  execution_count?: number | null;
  id?: string;
  attachments?: Record<string, unknown>;
}

/** An nbformat-4 notebook. */
export interface Notebook {
  cells: NotebookCell[];
  metadata: Record<string, unknown>;
  nbformat: number;
  nbformat_minor: number;
}

/** A parameter declared in the `parameters` cell. */
export interface DeclaredParameter {
  name: string;
  keyword: "const" | "let" | "var";
  /** The initializer's source text, e.g. `2`, `"default"`, `[1, 2]`. */
  literal: string;
}

/** The tag marking the cell whose declarations are the notebook's parameters. */
export const PARAMETERS_TAG = "parameters";
/** The tag of the cell `injectParameters` adds. */
export const INJECTED_TAG = "injected-parameters";

/** A cell's source as one string. */
export function cellSource(cell: NotebookCell): string {
  return Array.isArray(cell.source) ? cell.source.join("") : cell.source;
}

function tags(cell: NotebookCell): string[] {
  return Array.isArray(cell.metadata?.tags) ? cell.metadata.tags : [];
}

/** Parses notebook JSON, with a clear error when it is not an nbformat-4 notebook. */
export function parseNotebook(text: string, where = "notebook"): Notebook {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new ConfigError("notebook", `${where} is not valid JSON: ${(e as Error).message}`);
  }
  const nb = value as Notebook;
  if (typeof nb !== "object" || nb === null || !Array.isArray(nb.cells) || nb.nbformat !== 4) {
    throw new ConfigError("notebook", `${where} is not an nbformat-4 notebook`);
  }
  return nb;
}

/** What to do about a damaged notebook file: a source one comes back from git, an executed one by running it. */
const NOTEBOOK_FIX = "restore it (git checkout -- notebooks/) or, for an executed copy under " +
  "results/, delete it and run the notebook again (deno task notebook <name>)";

/**
 * Reads a notebook file; one that is a folder, empty, cut short, not JSON or not an nbformat-4
 * notebook is a DamagedFileError naming it and the way out.
 */
export function readNotebook(path: string): Promise<Notebook> {
  return readJsonChecked<Notebook>(path, NOTEBOOK_FIX, (v) => {
    const nb = v as Notebook;
    return isRecord(v) && Array.isArray(nb.cells) && nb.nbformat === 4
      ? undefined
      : "not an nbformat-4 notebook";
  });
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) {
      out[k] = sortKeys((value as Record<string, unknown>)[k]);
    }
    return out;
  }
  return value;
}

/** Serializes like nbformat: sorted keys, 1-space indent, trailing newline. */
export function formatNotebook(nb: Notebook): string {
  return JSON.stringify(sortKeys(nb), null, 1) + "\n";
}

/** Writes a notebook file in nbformat's layout. */
export async function writeNotebook(path: string, nb: Notebook): Promise<void> {
  await writeTextAtomic(path, formatNotebook(nb)); // a killed writer leaves the old notebook whole
}

/** A copy with every output, execution count and injected-parameters cell removed. */
export function stripOutputs(nb: Notebook): Notebook {
  const copy = structuredClone(nb);
  copy.cells = copy.cells.filter((c) => !tags(c).includes(INJECTED_TAG));
  for (const cell of copy.cells) {
    if (cell.cell_type !== "code") continue;
    cell.outputs = [];
    cell.execution_count = null;
    const meta = cell.metadata as Record<string, unknown>;
    delete meta.execution;
    delete meta.collapsed;
    delete meta.scrolled;
  }
  return copy;
}

/** Indices (0-based) of cells that carry outputs or an execution count. */
export function hasOutputs(nb: Notebook): number[] {
  const found: number[] = [];
  nb.cells.forEach((cell, i) => {
    if (cell.cell_type !== "code") return;
    if ((cell.outputs?.length ?? 0) > 0 || (cell.execution_count ?? null) !== null) found.push(i);
  });
  return found;
}

function parametersCellIndex(nb: Notebook): number {
  return nb.cells.findIndex((c) => c.cell_type === "code" && tags(c).includes(PARAMETERS_TAG));
}

/**
 * The declarations of the `parameters` cell: one `const|let|var name[: Type] = literal;` per line
 * (multi-line initializers are read up to the closing `;`). Empty when there is no such cell.
 */
export function declaredParameters(nb: Notebook): DeclaredParameter[] {
  const index = parametersCellIndex(nb);
  if (index < 0) return [];
  const source = cellSource(nb.cells[index]);
  const re =
    /^[ \t]*(?:export[ \t]+)?(const|let|var)[ \t]+([A-Za-z_$][\w$]*)[ \t]*(?::[^=\n]+)?=[ \t]*([^;]*);/gm;
  const out: DeclaredParameter[] = [];
  for (const m of source.matchAll(re)) {
    out.push({
      keyword: m[1] as DeclaredParameter["keyword"],
      name: m[2],
      literal: m[3].trim(),
    });
  }
  return out;
}

/**
 * Parses `--name value` and `--name=value` pairs. Names may use dashes (`--max-epochs`), mapped to
 * camelCase (`maxEpochs`). Throws on a stray value or a missing one.
 */
export function parseParameterArgs(args: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (!arg.startsWith("--") || arg.length < 3) {
      throw new ConfigError("parameters", `expected --name value, got ${JSON.stringify(arg)}`);
    }
    let name = arg.slice(2);
    let value: string | undefined;
    const eq = name.indexOf("=");
    if (eq >= 0) {
      value = name.slice(eq + 1);
      name = name.slice(0, eq);
    } else {
      value = args[i + 1];
      if (value === undefined) {
        throw new ConfigError("parameters", `--${name} needs a value`);
      }
      i++;
    }
    out[name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())] = value;
  }
  return out;
}

/** Coerces a raw command-line value to the kind of the declared default's literal. */
export function coerceParameter(param: DeclaredParameter, raw: string): unknown {
  const lit = param.literal;
  if (/^["'`]/.test(lit)) return raw;
  if (/^-?(\d|\.\d)/.test(lit)) {
    const n = Number(raw);
    if (raw.trim() === "" || !Number.isFinite(n)) {
      throw new ConfigError(`parameters.${param.name}`, `expected a number, got ${raw}`);
    }
    return n;
  }
  if (lit === "true" || lit === "false") {
    if (raw !== "true" && raw !== "false") {
      throw new ConfigError(`parameters.${param.name}`, `expected true or false, got ${raw}`);
    }
    return raw === "true";
  }
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

/**
 * Papermill-style injection: returns a copy of `nb` with a code cell tagged
 * `injected-parameters` right after the `parameters` cell, redeclaring each given parameter with
 * the keyword it was declared with (the Deno kernel allows redeclaring across cells). A previous
 * injected cell is replaced. Throws when a name is not declared, or parameters are given and the
 * notebook has no `parameters` cell.
 */
export function injectParameters(nb: Notebook, raw: Record<string, string>): Notebook {
  const names = Object.keys(raw);
  const copy = structuredClone(nb);
  copy.cells = copy.cells.filter((c) => !tags(c).includes(INJECTED_TAG));
  if (names.length === 0) return copy;
  const index = parametersCellIndex(copy);
  if (index < 0) {
    throw new ConfigError(
      "parameters",
      `the notebook has no cell tagged "${PARAMETERS_TAG}"; cannot set ${names.join(", ")}`,
    );
  }
  const declared = new Map(declaredParameters(copy).map((p) => [p.name, p]));
  const lines = ["// Parameters injected by tools/notebook.ts"];
  for (const name of names) {
    const param = declared.get(name);
    if (!param) {
      const known = [...declared.keys()].join(", ") || "none";
      throw new ConfigError(
        `parameters.${name}`,
        `not a parameter of this notebook (has: ${known})`,
      );
    }
    const value = coerceParameter(param, raw[name]);
    lines.push(`${param.keyword} ${name} = ${JSON.stringify(value)};`);
  }
  const cell: NotebookCell = {
    cell_type: "code",
    id: INJECTED_TAG,
    execution_count: null,
    metadata: { tags: [INJECTED_TAG] },
    outputs: [],
    source: lines.join("\n"),
  };
  copy.cells.splice(index + 1, 0, cell);
  return copy;
}

/** The code cells as one module, and where each of its lines came from. */
export interface NotebookModule {
  code: string;
  /** `lines[i]` = origin of module line i+1: 1-based cell number and line in it, or undefined. */
  lines: ({ cell: number; line: number } | undefined)[];
}

/**
 * Joins the code cells into one TypeScript module for `deno check` (cells separated by marker
 * comments; a cell's trailing expression is kept as a statement). Cells must not redeclare a name
 * another cell declares: the kernel allows it, a module does not.
 */
export function notebookToTypeScript(nb: Notebook): NotebookModule {
  const code: string[] = [];
  const lines: NotebookModule["lines"] = [];
  nb.cells.forEach((cell, i) => {
    if (cell.cell_type !== "code" || tags(cell).includes(INJECTED_TAG)) return;
    code.push(`// --- cell ${i + 1} ---`);
    lines.push(undefined);
    cellSource(cell).split("\n").forEach((text, j) => {
      code.push(text);
      lines.push({ cell: i + 1, line: j + 1 });
    });
    code.push(";");
    lines.push(undefined);
  });
  code.push("export {};");
  lines.push(undefined);
  return { code: code.join("\n") + "\n", lines };
}
