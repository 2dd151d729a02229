/**
 * The repository's folders, worked out once from this module's place in the checkout, so that
 * notebooks (which run in `notebooks/`), tools and tests agree whatever the working directory.
 * Environment variables override the run and record folders (a cluster's shared filesystem).
 *
 * @module
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** Absolute path of the repository root. */
export const REPO_ROOT: string = fileURLToPath(new URL("..", import.meta.url)).replace(/\/$/, "");

/** A path inside the repository. */
export function repoPath(...parts: string[]): string {
  return join(REPO_ROOT, ...parts);
}

/** Run outputs, caches, reports (not committed). */
export const RESULTS_DIR: string = repoPath("results");

/** Root of all run folders: `results/runs`, or `CEN_RUNS_DIR`. */
export const RUNS_DIR: string = Deno.env.get("CEN_RUNS_DIR") ?? repoPath("results", "runs");

/** Committed run records: `records/runs`, or `CEN_RECORDS_DIR`. */
export const RECORDS_DIR: string = Deno.env.get("CEN_RECORDS_DIR") ?? repoPath("records", "runs");

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
