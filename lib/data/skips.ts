/**
 * What a dataset adapter returns: the usable samples, and every input it skipped with a reason,
 * so that a data report accounts for each file and each label row.
 *
 * @module
 */
import type { AgeSample } from "./types.ts";

/** One skipped input (an image or a label row) and why. */
export interface SkipRecord {
  /** The file, or `file:line` for a label row. */
  path: string;
  /** A short, stable reason key, e.g. "corrupt-image", "no-integer-age", "duplicate-row". */
  reason: string;
  /** Optional detail for humans. */
  detail?: string;
}

/** An adapter's result. `warnings` are used inputs with something odd about them. */
export interface AdapterResult {
  dataset: string;
  samples: AgeSample[];
  skipped: SkipRecord[];
  warnings: SkipRecord[];
}

/** The JSON object printed by `deno task data check`. */
export interface DataReport {
  dataset: string;
  loaded: number;
  skipped: Record<string, number>;
  examples: Record<string, string[]>;
}

/** Summarises skips by reason, keeping up to `maxExamples` paths per reason. */
export function summarize(
  dataset: string,
  loaded: number,
  skipped: SkipRecord[],
  maxExamples = 5,
): DataReport {
  const counts: Record<string, number> = {};
  const examples: Record<string, string[]> = {};
  for (const s of skipped) {
    counts[s.reason] = (counts[s.reason] ?? 0) + 1;
    const list = examples[s.reason] ??= [];
    if (list.length < maxExamples) list.push(s.path);
  }
  return { dataset, loaded, skipped: counts, examples };
}
