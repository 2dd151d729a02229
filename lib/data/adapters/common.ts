/**
 * What the dataset adapters share: skip-reason keys, label parsing that never guesses, a result
 * collector, small text/CSV readers and a cached file-existence check.
 *
 * @module
 */
import { basename, dirname, isAbsolute, join } from "node:path";
import { DataError } from "../../errors.ts";
import type { AgeSample } from "../types.ts";
import type { AdapterResult, SkipRecord } from "../skips.ts";

/** Stable reason keys used by the adapters (the data report counts by these). */
export const REASON = {
  /** The age field is not an integer (or, for apparent ages, not a number). */
  noIntegerAge: "no-integer-age",
  /** The age is outside the adapter's accepted range. */
  ageOutOfRange: "age-out-of-range",
  /** A second row for an image already listed. */
  duplicateRow: "duplicate-row",
  /** A row with the wrong number of fields, an empty path, a bad std, … */
  malformedRow: "malformed-row",
  /** The image file named by a label row does not exist. */
  missingFile: "missing-file",
  /** A directory or other non-file where an image is expected. */
  notAFile: "not-a-file",
  /** Used with a warning: a file name whose fields after the age are malformed. */
  malformedName: "malformed-name",
} as const;

/** Inclusive age bounds. */
export interface AgeRange {
  minAge: number;
  maxAge: number;
}

/** Parses a whole decimal integer ("42", " 7 "); anything else (3.5, "4x", "") is undefined. */
export function parseIntegerAge(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const t = text.trim();
  if (!/^[+]?\d+$/.test(t)) return undefined;
  const n = Number(t);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** Parses a finite decimal number ("25.37", "1e1"); anything else is undefined. */
export function parseFiniteNumber(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const t = text.trim();
  if (t === "" || !/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) return undefined;
  const n = Number(t);
  return Number.isFinite(n) ? n : undefined;
}

/** Collects samples, skips and warnings, and catches duplicate keys. */
export class ResultBuilder {
  readonly samples: AgeSample[] = [];
  readonly skipped: SkipRecord[] = [];
  readonly warnings: SkipRecord[] = [];
  readonly #seen = new Set<string>();
  constructor(readonly dataset: string) {}
  skip(path: string, reason: string, detail?: string): void {
    this.skipped.push(detail === undefined ? { path, reason } : { path, reason, detail });
  }
  warn(path: string, reason: string, detail?: string): void {
    this.warnings.push(detail === undefined ? { path, reason } : { path, reason, detail });
  }
  /** True the first time `key` is seen; false (a duplicate) afterwards. */
  firstTime(key: string): boolean {
    if (this.#seen.has(key)) return false;
    this.#seen.add(key);
    return true;
  }
  result(): AdapterResult {
    return {
      dataset: this.dataset,
      samples: this.samples,
      skipped: this.skipped,
      warnings: this.warnings,
    };
  }
}

/**
 * Checks an age against a range; returns true when usable, otherwise records the skip.
 */
export function checkAge(
  b: ResultBuilder,
  where: string,
  age: number,
  range: AgeRange,
): boolean {
  if (age < range.minAge || age > range.maxAge) {
    b.skip(where, REASON.ageOutOfRange, `age ${age} outside ${range.minAge}–${range.maxAge}`);
    return false;
  }
  return true;
}

/** Reads option `key` as an integer (or its default), with a clear error. */
export function intOption(
  options: Record<string, unknown>,
  key: string,
  fallback: number,
): number {
  const v = options[key] ?? fallback;
  if (typeof v !== "number" || !Number.isInteger(v)) {
    throw new DataError(`option ${key} must be an integer, got ${JSON.stringify(v)}`);
  }
  return v;
}

/** Reads option `key` as a number (or its default). */
export function numberOption(
  options: Record<string, unknown>,
  key: string,
  fallback: number,
): number {
  const v = options[key] ?? fallback;
  if (typeof v !== "number" || Number.isNaN(v)) {
    throw new DataError(`option ${key} must be a number, got ${JSON.stringify(v)}`);
  }
  return v;
}

/** Reads option `key` as a boolean (or its default). */
export function boolOption(
  options: Record<string, unknown>,
  key: string,
  fallback: boolean,
): boolean {
  const v = options[key] ?? fallback;
  if (typeof v !== "boolean") {
    throw new DataError(`option ${key} must be true or false, got ${JSON.stringify(v)}`);
  }
  return v;
}

/** Reads option `key` as one of `choices` (or its default). */
export function choiceOption<T extends string>(
  options: Record<string, unknown>,
  key: string,
  choices: readonly T[],
  fallback: T,
): T {
  const v = options[key] ?? fallback;
  if (typeof v !== "string" || !(choices as readonly string[]).includes(v)) {
    throw new DataError(
      `option ${key} must be one of ${choices.join(", ")}, got ${JSON.stringify(v)}`,
    );
  }
  return v as T;
}

/** Reads option `key` as a string, or undefined when absent. */
export function stringOption(options: Record<string, unknown>, key: string): string | undefined {
  const v = options[key];
  if (v === undefined) return undefined;
  if (typeof v !== "string" || v === "") {
    throw new DataError(`option ${key} must be a non-empty string, got ${JSON.stringify(v)}`);
  }
  return v;
}

/** The age range options (`minAge`, `maxAge`) with per-dataset defaults. */
export function ageRangeOption(options: Record<string, unknown>, fallback: AgeRange): AgeRange {
  const minAge = intOption(options, "minAge", fallback.minAge);
  const maxAge = intOption(options, "maxAge", fallback.maxAge);
  if (minAge > maxAge) throw new DataError(`option minAge (${minAge}) > maxAge (${maxAge})`);
  return { minAge, maxAge };
}

/** Throws a DataError unless `root` is an existing directory. */
export async function requireDir(root: string, dataset: string): Promise<void> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(root);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new DataError(`${dataset}: dataset folder not found: ${root}`);
    }
    throw e;
  }
  if (!info.isDirectory) throw new DataError(`${dataset}: not a folder: ${root}`);
}

/** Reads a text file's lines (BOM stripped, CRLF accepted); a DataError names a missing file. */
export async function readLines(path: string, dataset: string): Promise<string[]> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new DataError(`${dataset}: label file not found: ${path}`);
    }
    const why = e instanceof Deno.errors.IsADirectory || (e as Error).message?.includes("directory")
      ? "a folder, not a file"
      : `cannot be read (${(e as Error).message})`;
    throw new DataError(
      `${dataset}: label file ${path}: ${why}: restore it from the dataset's download`,
    );
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const lines = text.split(/\r?\n/);
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  return lines;
}

/** The delimiter of a CSV line: ";" or "\t" when it has those and no comma, else ",". */
export function detectDelimiter(line: string): string {
  if (line.includes(",")) return ",";
  if (line.includes(";")) return ";";
  if (line.includes("\t")) return "\t";
  return ",";
}

/**
 * Splits one CSV line on `delim`, honouring double quotes ("a, b" and "" escapes). Returns
 * undefined for an unterminated quote (a malformed row).
 */
export function splitCsvLine(line: string, delim = ","): string[] | undefined {
  const out: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field.trim() === "") {
      quoted = true;
      field = "";
    } else if (c === delim) {
      out.push(field.trim());
      field = "";
    } else field += c;
  }
  if (quoted) return undefined;
  out.push(field.trim());
  return out;
}

/**
 * Checks files for existence by listing each folder once (much cheaper than one stat per image
 * on big datasets). Entries that are folders count as present: decoding reports them.
 */
export class FileIndex {
  readonly #dirs = new Map<string, Set<string>>();
  async has(path: string): Promise<boolean> {
    const dir = dirname(path);
    let names = this.#dirs.get(dir);
    if (names === undefined) {
      names = new Set();
      try {
        for await (const e of Deno.readDir(dir)) names.add(e.name);
      } catch (e) {
        if (!(e instanceof Deno.errors.NotFound || e instanceof Deno.errors.NotADirectory)) throw e;
      }
      this.#dirs.set(dir, names);
    }
    return names.has(basename(path));
  }
}

/** `file:line` (1-based) for a label row. */
export function rowRef(file: string, index: number): string {
  return `${file}:${index + 1}`;
}

/** A path option: absolute as given, or relative to the dataset folder `root`. */
export function underRoot(root: string, path: string): string {
  return isAbsolute(path) ? path : join(root, path);
}
