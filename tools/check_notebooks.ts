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
import { projectRoot } from "../lib/report/execute.ts";
import { notebookToTypeScript, readNotebook } from "../lib/report/ipynb.ts";

/** Result of checking one notebook. */
export interface NotebookCheck {
  path: string;
  ok: boolean;
  /** deno check's output with locations mapped to cells. */
  output: string;
}

/** Checks one notebook's code cells. */
export async function checkNotebook(path: string): Promise<NotebookCheck> {
  const nb = await readNotebook(path);
  const mod = notebookToTypeScript(nb);
  const name = basename(path).replace(/\.ipynb$/, "");
  const tmp = join(dirname(path), `.check-${name}.${Deno.pid}.ts`);
  await Deno.writeTextFile(tmp, mod.code);
  try {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["check", "--quiet", tmp],
      cwd: projectRoot(),
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const dec = new TextDecoder();
    const text = dec.decode(out.stdout) + dec.decode(out.stderr);
    const tmpName = basename(tmp).replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    const mapped = text.replace(
      new RegExp(`(?:file://)?[^\\s]*${tmpName}:(\\d+):(\\d+)`, "g"),
      (_m, line: string, col: string) => {
        const origin = mod.lines[Number(line) - 1];
        return origin
          ? `${path} cell ${origin.cell} line ${origin.line}:${col}`
          : `${path} (generated line ${line}:${col})`;
      },
    );
    return { path, ok: out.success, output: mapped.trim() };
  } finally {
    await Deno.remove(tmp).catch(() => {});
  }
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
  for (const p of paths) {
    const r = await checkNotebook(p);
    console.log(`${r.ok ? "ok  " : "FAIL"} ${p}`);
    if (!r.ok) {
      failed++;
      console.log(r.output);
    }
  }
  console.log(`${paths.length - failed}/${paths.length} notebooks type-check`);
  return failed ? 1 : 0;
}

if (import.meta.main) await runCli(CHECK_NOTEBOOKS_CLI, ({ positionals }) => main(positionals));
