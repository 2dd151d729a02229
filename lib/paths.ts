/**
 * Locations and settings: the repository's folders, worked out once from this module's place in
 * the checkout, so that notebooks (which run in `notebooks/`), tools and tests agree whatever the
 * working directory; and the one place where the library reads the environment
 * ({@link envSetting}, {@link environment}). Environment variables override the run and record
 * folders (a cluster's shared filesystem) and name the datasets' folders. (The native loader,
 * `backend/onednn.ts`, also sets OpenMP's variables before oneDNN loads.)
 *
 * @module
 */
import { join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

/** The environment variables the library reads, and what each sets. */
export type EnvName =
  /** Run folders (default `results/runs`). */
  | "CEN_RUNS_DIR"
  /** Run records (default `records/runs`). */
  | "CEN_RECORDS_DIR"
  /** The study's session list (default `records/sessions.json`). */
  | "CEN_SESSIONS_FILE"
  /** Where notebooks write their summaries (set by `deno task report` per profile). */
  | "CEN_SUMMARY_DIR"
  /** The tfjs backend to prefer (`tensorflow`, `wasm`, `cpu`). */
  | "CEN_BACKEND"
  /** "0": no native (oneDNN) kernels. */
  | "CEN_NATIVE"
  /** oneDNN's threads per process. */
  | "CEN_THREADS"
  /** Lock heartbeat and staleness, seconds. */
  | "CEN_LOCK_HEARTBEAT_S"
  | "CEN_LOCK_STALE_S"
  /** A Chromium, a Python with Jupyter, and Jupyter's search path. */
  | "CEN_CHROMIUM"
  | "CEN_PYTHON"
  | "JUPYTER_PATH";

/** The process environment (empty where the program may not read it). */
export function environment(): Record<string, string> {
  try {
    return Deno.env.toObject();
  } catch {
    return {};
  }
}

/** One environment setting, or undefined where it is unset or cannot be read. */
export function envSetting(name: EnvName): string | undefined {
  return environment()[name];
}

/** Absolute path of the repository root. */
export const REPO_ROOT: string = fileURLToPath(new URL("..", import.meta.url)).replace(/\/$/, "");

/** A path inside the repository. */
export function repoPath(...parts: string[]): string {
  return join(REPO_ROOT, ...parts);
}

/** Run outputs, caches, reports (not committed). */
export const RESULTS_DIR: string = repoPath("results");

/** Root of all run folders: `results/runs`, or `CEN_RUNS_DIR`. */
export const RUNS_DIR: string = envSetting("CEN_RUNS_DIR") ?? repoPath("results", "runs");

/** Committed run records: `records/runs`, or `CEN_RECORDS_DIR`. */
export const RECORDS_DIR: string = envSetting("CEN_RECORDS_DIR") ?? repoPath("records", "runs");

/**
 * Records of runs trained with `--retrain` (`deno task main|report|study|train`), beside the run
 * folders (`results/runs/_retrained/records`): the committed records are ignored and left as they
 * are; these are compared with them afterwards.
 */
export const RETRAINED_RECORDS_DIR: string = join(RUNS_DIR, "_retrained", "records");

/** Run folders and records of `deno task study --verify N` (kept apart from `results/runs`). */
export const VERIFY_DIR: string = repoPath("results", "verify");

/** The study's working sessions (when each began), for its clock: `records/sessions.json`. */
export const SESSIONS_FILE: string = envSetting("CEN_SESSIONS_FILE") ??
  repoPath("records", "sessions.json");

/** The model `deno task export` writes and `deno task predict` prefers. */
export const EXPORT_DIR: string = repoPath("results", "model");

/** The model that ships in the repository. */
export const SHIPPED_MODEL_DIR: string = repoPath("model");

/** Decoded caches and generated sets. */
export const CACHE_DIR: string = repoPath("results", "cache");

/** Saved baseline scores (face-api). */
export const BASELINES_DIR: string = repoPath("results", "baselines");

/** Notebook summaries read by 07-summary. */
export const SUMMARY_DIR: string = repoPath("results", "summary");

/** A file of an installed npm package. */
export function nodeModulesPath(...parts: string[]): string {
  return repoPath("node_modules", ...parts);
}

/** True when `path` is `root` or lies under it (both absolute, normalized). */
function isUnder(path: string, root: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
}

/**
 * The folders a path may be shown relative to: the repository (name "") and every `CEN_*`
 * environment variable whose value is a path (`CEN_UTKFACE_DIR`, `CEN_RUNS_DIR`, …).
 */
function displayRoots(): { name: string; root: string }[] {
  const roots = [{ name: "", root: REPO_ROOT }];
  for (const [name, value] of Object.entries(environment())) {
    if (name.startsWith("CEN_") && value.includes("/")) roots.push({ name, root: resolve(value) });
  }
  return roots;
}

/**
 * A path as a log line or a published page shows it, the same on every machine: relative to the
 * repository when inside it (`results/runs/0c55ef1155c5`), else under the `CEN_*` environment
 * variable naming a folder (or file) that holds it (`$CEN_UTKFACE_DIR/images`), else as given.
 * The most specific of these wins (the longest folder).
 *
 * @example
 * ```ts
 * import { displayPath, repoPath } from "./paths.ts";
 * displayPath(repoPath("results", "runs", "0c55ef1155c5")); // "results/runs/0c55ef1155c5"
 * ```
 */
export function displayPath(path: string): string {
  const abs = resolve(path);
  let best: { name: string; root: string } | undefined;
  for (const r of displayRoots()) {
    if (isUnder(abs, r.root) && (!best || r.root.length > best.root.length)) best = r;
  }
  if (!best) return path;
  const rest = relative(best.root, abs);
  if (best.name === "") return rest || ".";
  return rest ? `$${best.name}/${rest}` : `$${best.name}`;
}
