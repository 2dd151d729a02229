/**
 * Type-checks the code cells of notebooks (`deno check` and `deno lint` do not read `.ipynb`):
 * each notebook's code cells are joined into a temporary module next to it
 * (`notebooks/.check-<name>.ts`, so relative imports resolve), checked with `deno check`, and
 * error locations are mapped back to `notebook.ipynb cell N line L`.
 *
 *   deno run -A tools/check_notebooks.ts [paths...]     # default: every notebooks/*.ipynb
 *
 * Cells must not redeclare a name another cell declares (the kernel allows it; a module does not).
 * Exit status: 0 all clean, 1 type errors.
 * @module
 */
import { basename, dirname, join } from "node:path";
import { type CommandSpec, runCli } from "../lib/cli.ts";
import { projectRoot } from "../lib/publish/execute.ts";
import { notebookToTypeScript, readNotebook } from "../lib/publish/ipynb.ts";

/** Result of checking one notebook. */
export interface NotebookCheck {
  path: string;
  ok: boolean;
  /** deno check's output with locations mapped to cells. */
  output: string;
}

/** A notebook's code cells written as a temporary module beside it. */
interface TempModule {
  path: string;
  tmp: string;
  lines: ReturnType<typeof notebookToTypeScript>["lines"];
}

/** Writes the temporary module of the notebook at `path`. */
async function writeTempModule(path: string): Promise<TempModule> {
  const mod = notebookToTypeScript(await readNotebook(path));
  const name = basename(path).replace(/\.ipynb$/, "");
  const tmp = join(dirname(path), `.check-${name}.${Deno.pid}.ts`);
  await Deno.writeTextFile(tmp, mod.code);
  return { path, tmp, lines: mod.lines };
}

/** Rewrites the temporary module's locations in `text` as `notebook cell N line L:C`. */
function mapLocations(text: string, m: TempModule): string {
  const tmpName = basename(m.tmp).replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return text.replace(
    new RegExp(`(?:file://)?[^\\s]*${tmpName}:(\\d+):(\\d+)`, "g"),
    (_m, line: string, col: string) => {
      const origin = m.lines[Number(line) - 1];
      return origin
        ? `${m.path} cell ${origin.cell} line ${origin.line}:${col}`
        : `${m.path} (generated line ${line}:${col})`;
    },
  );
}

/**
 * Checks the code cells of several notebooks with one `deno check` (one type graph: much faster
 * than one run each). An error in a notebook's cells fails that notebook; an error elsewhere (a
 * library file they import) fails them all. Aborting `signal` kills `deno check`.
 */
export async function checkNotebooks(
  paths: readonly string[],
  signal?: AbortSignal,
): Promise<NotebookCheck[]> {
  const mods: TempModule[] = [];
  try {
    for (const p of paths) mods.push(await writeTempModule(p));
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["check", "--quiet", ...mods.map((m) => m.tmp)],
      cwd: projectRoot(),
      signal,
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const dec = new TextDecoder();
    const text = (dec.decode(out.stdout) + dec.decode(out.stderr)).trim();
    const blocks = text.split(/\n\s*\n/).filter((b) => /\bTS\d+|error/i.test(b));
    const own = (m: TempModule) => blocks.filter((b) => b.includes(basename(m.tmp)));
    const elsewhere = blocks.filter((b) => !mods.some((m) => b.includes(basename(m.tmp))));
    return mods.map((m) => {
      const mine = own(m).filter((b) => /\bTS\d+/.test(b));
      const ok = out.success || (mine.length === 0 && !elsewhere.some((b) => /\bTS\d+/.test(b)));
      const output = ok ? "" : [...mine, ...elsewhere].map((b) => mapLocations(b, m)).join("\n\n");
      return { path: m.path, ok, output };
    });
  } finally {
    for (const m of mods) await Deno.remove(m.tmp).catch(() => {});
  }
}

/** Checks one notebook's code cells. */
export async function checkNotebook(path: string, signal?: AbortSignal): Promise<NotebookCheck> {
  return (await checkNotebooks([path], signal))[0];
}

/** The command line of tools/check_notebooks.ts. */
export const CHECK_NOTEBOOKS_CLI = {
  name: "check_notebooks",
  usage: "deno run -A tools/check_notebooks.ts [paths...]",
  summary: "Type-checks the code cells of notebooks (default: every notebooks/*.ipynb); exit 1 " +
    "on a type error, located at its notebook cell and line.",
  options: {},
  positionals: [0, Infinity],
} as const satisfies CommandSpec;

/** Checks `args` (default: every committed notebook); returns the exit status. */
async function main(args: readonly string[]): Promise<number> {
  const paths = [...args];
  if (paths.length === 0) {
    const dir = join(projectRoot(), "notebooks");
    for await (const e of Deno.readDir(dir)) {
      if (e.isFile && e.name.endsWith(".ipynb")) paths.push(join(dir, e.name));
    }
    paths.sort();
  }
  let failed = 0;
  for (const r of await checkNotebooks(paths)) {
    console.log(`${r.ok ? "ok  " : "FAIL"} ${r.path}`);
    if (!r.ok) {
      failed++;
      console.log(r.output);
    }
  }
  console.log(`${paths.length - failed}/${paths.length} notebooks type-check`);
  return failed ? 1 : 0;
}

if (import.meta.main) await runCli(CHECK_NOTEBOOKS_CLI, ({ positionals }) => main(positionals));
