/**
 * Run records: the small outputs of a run (config, inputs, each finished generation's metrics and
 * epoch log; no weights) kept in `records/runs/<id>.json`, a folder meant to be committed. A study
 * that outlives a session resumes from them on any machine: a run whose record is complete for the
 * same inputs is not trained again, and the tables and verdicts read their numbers from it.
 *
 * @module
 */
import { join } from "node:path";
import { canonicalJson, type CenConfig } from "../config.ts";
import { readJsonIfExists, writeTextAtomic } from "../fsutil.ts";
import { RECORDS_DIR } from "../paths.ts";
import type { RunInputs } from "./inputs.ts";
import type { GenerationResult } from "./run.ts";

/** `records/runs` of this checkout; `CEN_RECORDS_DIR` overrides it. */
export const DEFAULT_RECORDS_ROOT: string = RECORDS_DIR;

/**
 * The records folder a run uses: the one given (null: none), else {@link DEFAULT_RECORDS_ROOT}
 * for runs in the default runs folder and none for runs elsewhere (tests' scratch folders).
 */
export function recordsRootFor(
  runsRoot: string | undefined,
  recordsRoot: string | null | undefined,
): string | null {
  if (recordsRoot !== undefined) return recordsRoot;
  return runsRoot === undefined ? DEFAULT_RECORDS_ROOT : null;
}

/** What a run's record holds. */
export interface RunRecord {
  id: string;
  config: CenConfig;
  inputs: RunInputs;
  /** The backend it trained on (numbers may differ in the last digits across backends). */
  backend: string;
  /** Finished generations, in order, with their metrics and epoch logs. */
  generations: GenerationResult[];
}

/** The record file of run `id`. */
export function recordPath(root: string, id: string): string {
  return join(root, `${id}.json`);
}

/** Reads run `id`'s record, or undefined. */
export function readRecord(root: string, id: string): Promise<RunRecord | undefined> {
  return readJsonIfExists<RunRecord>(recordPath(root, id));
}

/** Writes (replaces) a run's record, one generation per line block for readable diffs. */
export async function writeRecord(root: string, record: RunRecord): Promise<void> {
  await Deno.mkdir(root, { recursive: true });
  await writeTextAtomic(recordPath(root, record.id), JSON.stringify(record, null, 1) + "\n");
}

/** True when `record` holds every generation of `config` for these inputs. */
export function recordServes(
  record: RunRecord | undefined,
  config: CenConfig,
  inputs: RunInputs,
): record is RunRecord {
  return record !== undefined &&
    record.generations.length === config.generations &&
    canonicalJson(record.inputs) === canonicalJson(inputs);
}
