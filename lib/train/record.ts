/**
 * Run records: the small outputs of a run (config, inputs, each finished generation's metrics and
 * epoch log; no weights) kept in `records/runs/<id>.json`, a folder meant to be committed. A study
 * that outlives a session resumes from them on any machine: a run whose record is complete for the
 * same inputs is not trained again, and the tables and verdicts read their numbers from it.
 *
 * @module
 */
import { basename, join } from "node:path";
import {
  canonicalJson,
  type CenConfig,
  configHash,
  LATER_FIELDS,
  validateConfig,
} from "../config.ts";
import { jsonProblem, writeTextAtomic } from "../fsutil.ts";
import { displayPath, RECORDS_DIR } from "../paths.ts";
import type { GenerationResult, RunInputs } from "./run.ts";

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

/** What {@link checkRecordText} makes of a record file: the record, or why it cannot be used. */
export type RecordCheck = { ok: true; record: RunRecord } | { ok: false; reason: string };

const METRIC_KEYS = ["mae", "maeLdl", "maeReg", "ca3", "ca5", "ca7", "n"] as const;

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v);

/** Why a record's parsed JSON does not have a record's shape; undefined when it does. */
function shapeProblem(r: Record<string, unknown>): string | undefined {
  if (typeof r.id !== "string") return "no run id";
  if (!isObject(r.config)) return "no config";
  const inputs = r.inputs;
  if (
    !isObject(inputs) || typeof inputs.trainer !== "number" || typeof inputs.train !== "string" ||
    typeof inputs.test !== "string" ||
    !(inputs.pretrained === null || typeof inputs.pretrained === "string")
  ) return "its inputs are missing or malformed (trainer, train, test, pretrained)";
  if (typeof r.backend !== "string") return "no backend";
  if (!Array.isArray(r.generations)) return "no generations list";
  for (const [i, g] of r.generations.entries()) {
    if (!isObject(g) || g.generation !== i + 1) {
      return `generation ${i + 1} is missing or out of order`;
    }
    if (!isObject(g.metrics)) return `generation ${i + 1} has no metrics`;
    for (const k of METRIC_KEYS) {
      const v = g.metrics[k];
      if (typeof v !== "number" || !Number.isFinite(v)) {
        return `generation ${i + 1}'s ${k} is ${
          v === undefined ? "missing" : "not a finite number"
        }`;
      }
    }
    if (!Array.isArray(g.epochs)) return `generation ${i + 1} has no epoch log`;
  }
  return undefined;
}

/**
 * Checks the text of the record file at `path`: JSON (not empty, not cut short, no merge-conflict
 * marker), a record's shape, finite metrics, generations 1, 2, … in order and no more than its
 * config asks for, a valid config whose hash is the record's id, and the file named by that id.
 */
export async function checkRecordText(text: string, path: string): Promise<RecordCheck> {
  const bad = (reason: string): RecordCheck => ({ ok: false, reason });
  const problem = jsonProblem(text);
  if (problem) return bad(problem);
  const parsed: unknown = JSON.parse(text);
  if (!isObject(parsed)) return bad("not a record (the JSON is not an object)");
  const shape = shapeProblem(parsed);
  if (shape) return bad(shape);
  // A field added to the config after the record was written takes its default (same hash).
  const record = {
    ...parsed,
    config: { ...LATER_FIELDS, ...(parsed.config as Record<string, unknown>) },
  } as unknown as RunRecord;
  try {
    validateConfig(record.config);
  } catch (e) {
    return bad(`its config is invalid (${(e as Error).message})`);
  }
  const hash = await configHash(record.config);
  if (hash !== record.id) return bad(`its id ${record.id} is not the hash of its config (${hash})`);
  if (basename(path) !== `${record.id}.json`) {
    return bad(`it holds run ${record.id}, not the run its file name says`);
  }
  if (record.generations.length > record.config.generations) {
    return bad(
      `${record.generations.length} generations, more than its config's ${record.config.generations}`,
    );
  }
  return { ok: true, record };
}

/** Problems already reported by this process, so each damaged record is named once. */
const reported = new Set<string>();

/**
 * Says once per process, on stderr, that the record at `path` is set aside and why. A damaged
 * record is treated as not recorded: its run is planned (and trained) again.
 */
export function reportDamagedRecord(path: string, reason: string): void {
  const line = `record ${displayPath(path)} set aside: ${reason}; ` +
    "its run counts as not recorded (restore it with git, or delete it and train the run again)";
  if (reported.has(line)) return;
  reported.add(line);
  console.warn(line);
}

/**
 * Reads run `id`'s record, or undefined when there is none. A damaged or inconsistent record
 * ({@link checkRecordText}) is reported once ({@link reportDamagedRecord}) and read as none.
 */
export async function readRecord(root: string, id: string): Promise<RunRecord | undefined> {
  const path = recordPath(root, id);
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    reportDamagedRecord(path, `cannot be read (${(e as Error).message})`);
    return undefined;
  }
  const check = await checkRecordText(text, path);
  if (check.ok) return check.record;
  reportDamagedRecord(path, check.reason);
  return undefined;
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

/**
 * Every readable record in `root` (none when the folder is missing); damaged ones are reported
 * ({@link reportDamagedRecord}) and left out.
 */
export async function readAllRecords(root: string): Promise<RunRecord[]> {
  const out: RunRecord[] = [];
  try {
    for await (const e of Deno.readDir(root)) {
      if (!e.name.endsWith(".json")) continue;
      const r = await readRecord(root, e.name.slice(0, -".json".length));
      if (r) out.push(r);
    }
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  return out.sort((a, b) => a.id.localeCompare(b.id));
}
