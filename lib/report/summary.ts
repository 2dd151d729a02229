/**
 * The summary convention: a notebook publishes its headline numbers by writing
 * `results/summary/<notebook name>.json`; `deno task report` shows them on `index.html` next to
 * the link to the notebook's page (and deletes the file before executing the notebook, so a
 * number on the index always comes from the run it sits next to).
 *
 * ```ts
 * import { writeSummary } from "../lib/report/summary.ts";
 * await writeSummary("05-coupled-training", {
 *   title: "Table 1 at smoke scale",
 *   numbers: { "MAE LDL+Reg": 5.21, "MAE Reg only": 5.87 },
 *   note: "synthetic set, 64 px",
 * });
 * ```
 *
 * API: `writeSummary(name, summary, dir?)`, `readSummary(name, dir?)`, `summaryPath(name, dir?)`,
 * `validateSummary(value)`; `dir` defaults to `<repo>/results/summary`.
 *
 * @module
 */
import { join } from "node:path";
import { ConfigError } from "../errors.ts";
import { readJsonIfExists, writeJsonAtomic } from "../fsutil.ts";
import { envSetting, SUMMARY_DIR } from "../paths.ts";

/** What a notebook publishes to the report index. */
export interface NotebookSummary {
  /** A short headline (default on the index: the notebook name). */
  title?: string;
  /** Label → value; numbers must be finite. Shown in insertion order. */
  numbers: Record<string, number | string>;
  /** One line of context (profile, scale, caveat). */
  note?: string;
}

/** Default folder of summaries: `<repo>/results/summary`. */
export { SUMMARY_DIR };

/** The folder summaries go to: `CEN_SUMMARY_DIR` (set by the report per profile) or {@link SUMMARY_DIR}. */
export function summaryDir(): string {
  return envSetting("CEN_SUMMARY_DIR") || SUMMARY_DIR;
}

const NAME = /^[\w][\w.-]*$/;

/** The file a notebook's summary lives in. */
export function summaryPath(name: string, dir: string = summaryDir()): string {
  if (!NAME.test(name)) throw new ConfigError("summary.name", `invalid notebook name ${name}`);
  return join(dir, `${name}.json`);
}

/** Checks the shape of a summary; throws a ConfigError naming the bad field. */
export function validateSummary(value: unknown): NotebookSummary {
  const s = value as NotebookSummary;
  if (typeof s !== "object" || s === null) throw new ConfigError("summary", "not an object");
  if (s.title !== undefined && typeof s.title !== "string") {
    throw new ConfigError("summary.title", "must be a string");
  }
  if (s.note !== undefined && typeof s.note !== "string") {
    throw new ConfigError("summary.note", "must be a string");
  }
  if (typeof s.numbers !== "object" || s.numbers === null || Array.isArray(s.numbers)) {
    throw new ConfigError("summary.numbers", "must be an object of label → number or string");
  }
  for (const [k, v] of Object.entries(s.numbers)) {
    if (typeof v === "number" ? !Number.isFinite(v) : typeof v !== "string") {
      throw new ConfigError(`summary.numbers.${k}`, `must be a finite number or a string`);
    }
  }
  return s;
}

/** Writes a notebook's summary (atomically). */
export async function writeSummary(
  name: string,
  summary: NotebookSummary,
  dir: string = summaryDir(),
): Promise<void> {
  await writeJsonAtomic(summaryPath(name, dir), validateSummary(summary));
}

/** Reads a notebook's summary, or undefined when it wrote none. */
export async function readSummary(
  name: string,
  dir: string = summaryDir(),
): Promise<NotebookSummary | undefined> {
  const value = await readJsonIfExists<unknown>(summaryPath(name, dir));
  return value === undefined ? undefined : validateSummary(value);
}
