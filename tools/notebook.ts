/**
 * `deno task notebook <name|path> [--param value ...] [options]`: executes one notebook with the
 * project's Deno kernel and writes the executed copy to `results/executed/<name>.ipynb`.
 *
 *   deno task notebook 06-ablations --tau 3      # papermill-style: a cell after the cell tagged
 *                                                # "parameters" redeclares `tau = 3`
 *   deno task notebook --strip [paths...]        # remove outputs from committed notebooks
 *                                                # (default: every notebooks/*.ipynb)
 *
 * Options (before or after the parameters): `--timeout S` per-cell limit (default 3600, 0 = none),
 * `--quiet` (do not stream cell output), `--out PATH` (executed copy elsewhere).
 * Cell output streams to the terminal as it arrives; a failing cell is named with its traceback
 * and the exit status is 1.
 * @module
 */
import { basename, join } from "node:path";
import { executeNotebook, findJupyter, projectRoot } from "../lib/report/execute.ts";
import {
  formatNotebook,
  parseParameterArgs,
  readNotebook,
  stripOutputs,
} from "../lib/report/ipynb.ts";

const OWN_FLAGS = new Set(["--timeout", "--out", "--quiet", "--strip", "--help"]);

function usage(): never {
  console.error(
    "usage: deno task notebook <name|path.ipynb> [--param value ...] [--timeout S] [--quiet] " +
      "[--out PATH]\n       deno task notebook --strip [paths...]",
  );
  Deno.exit(2);
}

/** Resolves `06-ablations`, `06-ablations.ipynb` or a path to a notebook file. */
async function resolveNotebook(arg: string): Promise<string> {
  const root = projectRoot();
  const candidates = arg.endsWith(".ipynb")
    ? [arg, join(root, "notebooks", arg)]
    : [join(root, "notebooks", `${arg}.ipynb`)];
  for (const c of candidates) {
    try {
      if ((await Deno.stat(c)).isFile) return c;
    } catch { /* try the next */ }
  }
  throw new Error(`notebook not found: ${arg} (looked at ${candidates.join(", ")})`);
}

async function strip(paths: string[]): Promise<void> {
  if (paths.length === 0) {
    const dir = join(projectRoot(), "notebooks");
    for await (const e of Deno.readDir(dir)) {
      if (e.isFile && e.name.endsWith(".ipynb")) paths.push(join(dir, e.name));
    }
  }
  for (const p of paths.sort()) {
    const before = await Deno.readTextFile(p);
    const after = formatNotebook(stripOutputs(await readNotebook(p)));
    if (after !== before) {
      await Deno.writeTextFile(p, after);
      console.log(`stripped ${p}`);
    }
  }
}

async function main(args: string[]): Promise<number> {
  if (args.includes("--help") || args.length === 0) usage();
  if (args[0] === "--strip") {
    await strip(args.slice(1));
    return 0;
  }
  const [target, ...rest] = args;
  let timeoutS = 3600;
  let out: string | undefined;
  let quiet = false;
  const paramArgs: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    if (a === "--quiet") quiet = true;
    else if (a === "--timeout" || a.startsWith("--timeout=")) {
      const v = a.includes("=") ? a.slice(a.indexOf("=") + 1) : rest[++i];
      timeoutS = Number(v);
      if (!Number.isFinite(timeoutS) || timeoutS < 0) throw new Error(`bad --timeout ${v}`);
    } else if (a === "--out" || a.startsWith("--out=")) {
      out = a.includes("=") ? a.slice(a.indexOf("=") + 1) : rest[++i];
    } else if (OWN_FLAGS.has(a)) usage();
    else paramArgs.push(a);
  }
  const probe = await findJupyter();
  if (!probe.python) {
    console.error(`notebook: ${probe.reason}`);
    return 2;
  }
  const input = await resolveNotebook(target);
  const name = basename(input).replace(/\.ipynb$/, "");
  const output = out ?? join(projectRoot(), "results", "executed", `${name}.ipynb`);
  const params = parseParameterArgs(paramArgs);
  const run = await executeNotebook({ input, output, params, timeoutS, quiet });
  const s = run.stats;
  if (s) {
    const extra = [
      s.late_outputs ? `${s.late_outputs} late outputs kept` : "",
      s.dropped_promises ? `${s.dropped_promises} stray Promise results dropped` : "",
    ].filter(Boolean).join(", ");
    console.error(
      `notebook: ${name}: ${s.executed}/${s.cells} cells in ${s.seconds.toFixed(1)} s` +
        `${extra ? ` (${extra})` : ""} → ${output}`,
    );
  }
  if (run.code !== 0) console.error(`notebook: ${name} FAILED (exit ${run.code})`);
  return run.code;
}

if (import.meta.main) {
  try {
    Deno.exit(await main(Deno.args));
  } catch (e) {
    console.error(`notebook: ${(e as Error).message}`);
    Deno.exit(2);
  }
}
