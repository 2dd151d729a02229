/**
 * Runs a notebook through `execute_notebook.py`, the Python file next to this module (jupyter_client
 * with the settle guard against the Deno kernel's early `idle`), with the project-local kernelspec
 * on `JUPYTER_PATH`.
 *
 * API:
 * - `projectRoot()`: absolute path of the repository root (from this module's location).
 * - `jupyterEnv()`: the environment additions (`JUPYTER_PATH=<root>/jupyter:…`).
 * - `findJupyter()`: `{ python }` of a Python that imports jupyter_client + nbformat (+ nbconvert),
 *   or `{ reason }` saying what is missing; `CEN_PYTHON` overrides the search.
 * - `executeNotebook(opts)`: injects parameters, executes, writes the executed copy; resolves to
 *   `{ code, stats, stderr? }` (stderr only when `capture` is set). Never throws on a cell error:
 *   the exit code and `stats.error` say which cell failed.
 *
 * @module
 */
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { envSetting, REPO_ROOT } from "../paths.ts";
import { injectParameters, readNotebook, writeNotebook } from "./ipynb.ts";

/** The Python executor this module launches: it lives next to this file. */
const EXECUTOR: string = fileURLToPath(new URL("./execute_notebook.py", import.meta.url));

/** Statistics the executor writes (see `execute_notebook.py`). */
export interface ExecuteStats {
  notebook: string;
  cells: number;
  executed: number;
  seconds: number;
  /** Outputs that arrived after their cell's `idle` (kept by the settle guard). */
  late_outputs: number;
  /** Outputs that arrived after their cell's settle window (kept by routing on msg_id). */
  outputs_after_settle: number;
  /** Stray `Promise { undefined }` results dropped. */
  dropped_promises: number;
  cell_seconds: number[];
  error: { cell: number | null; ename: string; evalue: string } | null;
  settle: number;
}

/** Options of `executeNotebook`. */
export interface ExecuteOptions {
  /** The source notebook. */
  input: string;
  /** Where the executed copy goes. */
  output: string;
  /** Raw `--name value` parameters, injected papermill-style. */
  params?: Record<string, string>;
  /** Kernel working directory; default: the input notebook's folder. */
  cwd?: string;
  /** Per-cell timeout in seconds (0 = none); default 3600. */
  timeoutS?: number;
  /** Settle period after a cell's idle, seconds; default the executor's (0.1). */
  settleS?: number;
  /** Quiet period before the kernel is shut down after the last cell, seconds; default 1. */
  finalSettleS?: number;
  /** Do not stream cell output to the terminal. */
  quiet?: boolean;
  /** Capture the executor's stderr (for tests) instead of passing it through. */
  capture?: boolean;
  /** Extra environment for the kernel. */
  env?: Record<string, string>;
  /** Aborting it kills the executor (and with it the kernel): a caller's overall time limit. */
  signal?: AbortSignal;
}

/** Result of one execution. */
export interface ExecuteResult {
  code: number;
  stats: ExecuteStats | undefined;
  stderr?: string;
}

/** Absolute path of the repository root ({@link REPO_ROOT}). */
export function projectRoot(): string {
  return REPO_ROOT;
}

/** Environment additions that make Jupyter find the project's kernelspec and template. */
export function jupyterEnv(): Record<string, string> {
  const own = join(projectRoot(), "jupyter");
  const prev = envSetting("JUPYTER_PATH");
  return {
    JUPYTER_PATH: prev ? `${own}:${prev}` : own,
    PYDEVD_DISABLE_FILE_VALIDATION: "1",
  };
}

/** Where Jupyter was found, or why not. */
export type JupyterProbe = { python: string; reason?: undefined } | {
  python?: undefined;
  reason: string;
};

let probed: Promise<JupyterProbe> | undefined;

async function importsOk(python: string, modules: string): Promise<boolean> {
  try {
    const out = await new Deno.Command(python, {
      args: ["-c", `import ${modules}`],
      stdout: "null",
      stderr: "null",
    }).output();
    return out.success;
  } catch {
    return false;
  }
}

/**
 * Finds a Python with jupyter_client, nbformat and nbconvert (Debian's live in /usr/bin/python3,
 * which a pyenv shim on PATH may hide). Cached per process.
 */
export function findJupyter(): Promise<JupyterProbe> {
  probed ??= (async () => {
    const override = envSetting("CEN_PYTHON");
    const candidates = override ? [override] : ["/usr/bin/python3", "python3"];
    for (const python of candidates) {
      if (await importsOk(python, "jupyter_client, nbformat, nbconvert")) return { python };
    }
    return {
      reason: `no Python with jupyter_client, nbformat and nbconvert among ${
        candidates.join(", ")
      } (run: bash tools/setup-system.sh)`,
    };
  })();
  return probed;
}

/**
 * Executes `opts.input` (after parameter injection) and writes `opts.output`. Resolves with the
 * executor's exit code (0 ok, 1 a cell failed / timed out, 2 no kernel) and its statistics.
 */
export async function executeNotebook(opts: ExecuteOptions): Promise<ExecuteResult> {
  const probe = await findJupyter();
  if (!probe.python) throw new Error(probe.reason);
  const root = projectRoot();
  const nb = injectParameters(await readNotebook(opts.input), opts.params ?? {});
  const tmpDir = join(root, "results", "tmp");
  await Deno.mkdir(tmpDir, { recursive: true });
  await Deno.mkdir(dirname(resolve(opts.output)), { recursive: true });
  const stem = basename(opts.input).replace(/\.ipynb$/, "");
  const tag = `${stem}.${Deno.pid}.${crypto.randomUUID().slice(0, 8)}`;
  const injected = join(tmpDir, `${tag}.ipynb`);
  const statsPath = join(tmpDir, `${tag}.stats.json`);
  await writeNotebook(injected, nb);
  const args = [
    EXECUTOR,
    injected,
    resolve(opts.output),
    "--cwd",
    resolve(opts.cwd ?? dirname(resolve(opts.input))),
    "--stats",
    statsPath,
    "--label",
    stem,
    "--timeout",
    String(opts.timeoutS ?? 3600),
  ];
  if (opts.settleS !== undefined) args.push("--settle", String(opts.settleS));
  if (opts.finalSettleS !== undefined) args.push("--final-settle", String(opts.finalSettleS));
  if (opts.quiet) args.push("--quiet");
  try {
    const child = new Deno.Command(probe.python, {
      args,
      env: { ...jupyterEnv(), ...(opts.env ?? {}) },
      signal: opts.signal,
      stdin: "null",
      stdout: opts.capture ? "piped" : "inherit",
      stderr: opts.capture ? "piped" : "inherit",
    }).spawn();
    const out = await child.output();
    let stats: ExecuteStats | undefined;
    try {
      stats = JSON.parse(await Deno.readTextFile(statsPath)) as ExecuteStats;
    } catch {
      stats = undefined;
    }
    const dec = new TextDecoder();
    return {
      code: out.code,
      stats,
      ...(opts.capture
        ? { stderr: dec.decode(out.stderr) + (out.stdout.length ? dec.decode(out.stdout) : "") }
        : {}),
    };
  } finally {
    await Deno.remove(injected).catch(() => {});
    await Deno.remove(statsPath).catch(() => {});
  }
}
