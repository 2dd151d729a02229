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
import { type CommandSpec, runCli } from "../lib/cli.ts";
import { NotFoundError, UsageError } from "../lib/errors.ts";
import { executeNotebook, findJupyter, projectRoot } from "../lib/publish/execute.ts";
import {
  formatNotebook,
  injectParameters,
  readNotebook,
  stripOutputs,
} from "../lib/publish/ipynb.ts";

/** The command line of `deno task notebook`. */
export const NOTEBOOK_CLI = {
  name: "notebook",
  usage: [
    "deno task notebook <name|path.ipynb> [--param value ...] [--timeout S] [--quiet] [--out PATH]",
    "deno task notebook --strip [paths...]",
  ],
  summary: "Executes one notebook with the project's Deno kernel and writes the executed copy " +
    "to results/executed/<name>.ipynb; --strip removes outputs from committed notebooks.",
  options: {
    timeout: {
      type: "number",
      value: "<seconds>",
      help: "per-cell limit in seconds (default 3600, 0 = none)",
    },
    out: { type: "string", value: "<path>", help: "write the executed copy here" },
    quiet: { type: "boolean", help: "do not stream cell output" },
    strip: { type: "boolean", help: "strip outputs of the given (default: all) notebooks" },
  },
  positionals: [0, Infinity],
  extra: {
    help: "parameters: --<name> value sets a variable of the notebook's cell tagged " +
      '"parameters" (e.g. --tau 3); a name the notebook does not declare is refused.',
  },
} as const satisfies CommandSpec;

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
  throw new NotFoundError(`notebook not found: ${arg} (looked at ${candidates.join(", ")})`);
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

/** Raw parameter values (a flag given without a value is refused). */
function parameters(extra: Record<string, string | true>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(extra)) {
    if (value === true) throw new UsageError(`--${name} needs a value`);
    out[name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())] = value;
  }
  return out;
}

if (import.meta.main) {
  await runCli(NOTEBOOK_CLI, async ({ options, positionals, extra }) => {
    if (options.strip) {
      await strip(positionals);
      return 0;
    }
    if (positionals.length !== 1) {
      throw new UsageError(
        positionals.length ? "one notebook at a time" : "which notebook? (e.g. 06-ablations)",
      );
    }
    const timeoutS = options.timeout ?? 3600;
    if (timeoutS < 0) throw new UsageError("--timeout must be ≥ 0 seconds");
    const input = await resolveNotebook(positionals[0]);
    const params = parameters(extra);
    injectParameters(await readNotebook(input), params); // refuses unknown names before any work
    const probe = await findJupyter();
    if (!probe.python) {
      console.error(`notebook: ${probe.reason}`);
      return 2;
    }
    const name = basename(input).replace(/\.ipynb$/, "");
    const output = options.out ?? join(projectRoot(), "results", "executed", `${name}.ipynb`);
    const quiet = !!options.quiet;
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
  });
}
