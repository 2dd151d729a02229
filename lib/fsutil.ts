/**
 * File helpers: atomic writes (write to a temporary sibling, then rename over the target), JSON
 * reads, existence checks, and a recursive copy.
 *
 * @module
 */
import { dirname, join } from "node:path";
import { DamagedFileError, WriteError } from "./errors.ts";
import { displayPath } from "./paths.ts";

let counter = 0;
function tmpName(path: string): string {
  counter += 1;
  return `${path}.${Deno.pid}.${counter}.tmp`;
}

/** Writes a whole file (what {@link writeFileAtomic} writes its temporary file with). */
export type WriteFile = (path: string, data: Uint8Array) => Promise<void>;

const plainWrite: WriteFile = (path, data) => Deno.writeFile(path, data);
let writeTemp: WriteFile = plainWrite;

/**
 * Replaces how atomic writes write their temporary file (tests: a writer that fails midway, as a
 * full disk does); no argument restores the plain one.
 */
export function setTempWriter(write: WriteFile = plainWrite): void {
  writeTemp = write;
}

/**
 * Writes bytes to `path` atomically (a reader sees the old file or the new one, never a part). A
 * write that fails (disk full, a file where a folder should be, a folder in the file's place)
 * removes its temporary file, keeps the old file, and is a {@link WriteError} naming `path`.
 */
export async function writeFileAtomic(path: string, data: Uint8Array): Promise<void> {
  const tmp = tmpName(path);
  try {
    await Deno.mkdir(dirname(path), { recursive: true });
    await writeTemp(tmp, data);
    await Deno.rename(tmp, path);
  } catch (e) {
    await Deno.remove(tmp).catch(() => {});
    if (e instanceof WriteError) throw e;
    const why = e instanceof Error ? e.message : String(e);
    throw new WriteError(path, `cannot write ${displayPath(path)}: ${why} (the old file is kept)`);
  }
}

/** Writes text atomically. */
export function writeTextAtomic(path: string, text: string): Promise<void> {
  return writeFileAtomic(path, new TextEncoder().encode(text));
}

/** Writes `value` as pretty JSON atomically. */
export function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  return writeTextAtomic(path, JSON.stringify(value, null, 2) + "\n");
}

/**
 * Why `text` read from a JSON file does not parse, in words: empty, cut short (the parser ran off
 * its end), a merge-conflict marker, or not JSON (with the parser's message); undefined when it
 * parses.
 */
export function jsonProblem(text: string): string | undefined {
  if (text.trim() === "") return "empty";
  if (/^(<{7}|>{7})( |$)/m.test(text)) return "holds a merge-conflict marker (<<<<<<< or >>>>>>>)";
  try {
    JSON.parse(text);
    return undefined;
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    const at = /position (\d+)/.exec(msg);
    if (
      /end of JSON input|Unterminated/.test(msg) || (at && Number(at[1]) >= text.trimEnd().length)
    ) {
      return `cut short (${text.length} bytes, the JSON ends early)`;
    }
    return `not JSON (${msg})`;
  }
}

/**
 * Reads JSON, or returns `undefined` when the file does not exist. A file that is there but
 * unusable (a folder in its place, empty, cut short, not JSON) is a {@link DamagedFileError} that names
 * it and says what is wrong.
 */
export async function readJsonIfExists<T>(path: string): Promise<T | undefined> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    if (e instanceof Deno.errors.IsADirectory || (e as Error).message?.includes("directory")) {
      throw new DamagedFileError(displayPath(path), "a folder, not a JSON file", "");
    }
    throw e;
  }
  const problem = jsonProblem(text);
  if (problem) throw new DamagedFileError(displayPath(path), problem, "");
  return JSON.parse(text) as T;
}

/** True when `path` exists. */
export async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}

/**
 * Replaces directory `dir` atomically with the files written by `fill` into a fresh temporary
 * directory: the old directory stays whole until the new one is complete. When `fill` fails, the
 * temporary directory is removed and the old one is left as it was.
 */
export async function replaceDirAtomic(
  dir: string,
  fill: (tmpDir: string) => Promise<void>,
): Promise<void> {
  const tmp = tmpName(dir);
  try {
    await Deno.mkdir(tmp, { recursive: true });
    await fill(tmp);
  } catch (e) {
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
    throw e;
  }
  const old = `${tmp}.old`;
  let hadOld = false;
  try {
    await Deno.rename(dir, old);
    hadOld = true;
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  await Deno.rename(tmp, dir);
  if (hadOld) await Deno.remove(old, { recursive: true });
}

/** Copies a file, or a folder and everything under it, from `from` to `to`. */
export async function copyTree(from: string, to: string): Promise<void> {
  const info = await Deno.stat(from);
  if (info.isFile) return await Deno.copyFile(from, to);
  await Deno.mkdir(to, { recursive: true });
  for await (const e of Deno.readDir(from)) await copyTree(join(from, e.name), join(to, e.name));
}
