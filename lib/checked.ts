/**
 * Reading back the files the program wrote itself (models, checkpoints, cache entries, ancestor
 * stores), so that a damaged one is one line that names it, says what is wrong and how to get out:
 * a {@link DamagedFileError}. A file is damaged when it is missing from its folder, a folder in its
 * place, empty, of the wrong length (cut short, or with bytes after its end), or JSON that does not
 * parse or lacks what its reader needs.
 *
 * @module
 */
import { DamagedFileError } from "./errors.ts";
import { jsonProblem } from "./fsutil.ts";
import { displayPath } from "./paths.ts";

/** What {@link readChecked} should find: a length in bytes, and what the file is, for messages. */
export interface Expect {
  /** The exact length the file must have (bytes). */
  bytes?: number;
  /** Where the expected length comes from, e.g. "the manifest in model.json". */
  lengthFrom?: string;
}

/** "1,234 bytes". */
function bytesText(n: number): string {
  return `${n.toLocaleString("en-US")} bytes`;
}

/** Why a file of `got` bytes is not one of `want` bytes, in words. */
export function lengthProblem(got: number, want: number, from?: string): string | undefined {
  if (got === want) return undefined;
  const by = from ? `, ${from} needs ${bytesText(want)}` : `, want ${bytesText(want)}`;
  if (got === 0) return `empty (0 bytes${by})`;
  return got < want ? `cut short (${bytesText(got)}${by})` : `too long (${bytesText(got)}${by})`;
}

/**
 * The bytes of `path`, or a {@link DamagedFileError} (with `fix` as its way out) when the file is
 * missing, a folder, empty, or not `expect.bytes` long.
 */
export async function readChecked(
  path: string,
  fix: string,
  expect: Expect = {},
): Promise<Uint8Array> {
  let bytes: Uint8Array;
  try {
    const info = await Deno.stat(path);
    if (info.isDirectory) {
      throw new DamagedFileError(displayPath(path), "a folder, not a file", fix);
    }
    bytes = await Deno.readFile(path);
  } catch (e) {
    if (e instanceof DamagedFileError) throw e;
    if (e instanceof Deno.errors.NotFound) {
      throw new DamagedFileError(displayPath(path), "missing", fix);
    }
    const why = e instanceof Error ? e.message : String(e);
    throw new DamagedFileError(displayPath(path), `cannot be read (${why})`, fix);
  }
  const want = expect.bytes;
  const problem = want === undefined
    ? (bytes.length === 0 ? "empty (0 bytes)" : undefined)
    : lengthProblem(bytes.length, want, expect.lengthFrom);
  if (problem) throw new DamagedFileError(displayPath(path), problem, fix);
  return bytes;
}

/**
 * The JSON value in `path`, checked by `shape` (which returns what is missing or wrong, in words,
 * or undefined when the value will do); a {@link DamagedFileError} otherwise.
 */
export async function readJsonChecked<T>(
  path: string,
  fix: string,
  shape: (value: unknown) => string | undefined = () => undefined,
): Promise<T> {
  const text = new TextDecoder().decode(await readChecked(path, fix));
  const problem = jsonProblem(text);
  if (problem) throw new DamagedFileError(displayPath(path), problem, fix);
  const value = JSON.parse(text);
  const wrong = shape(value);
  if (wrong) throw new DamagedFileError(displayPath(path), wrong, fix);
  return value as T;
}

/** True for a plain object (not null, not an array). */
export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
