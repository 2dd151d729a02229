/**
 * The decoded cache: aligned crops decoded once into one uint8 file
 * (`pixels.bin`, `count × size × size × 3`, NHWC RGB) plus an index (`index.json`: sample paths,
 * ages, apparent-age mean/std, subjects, splits, pixel statistics, skipped inputs with reasons),
 * keyed by the source, the size and the alignment settings, so epochs never re-decode images.
 *
 * Building is resumable: rows are appended chunk by chunk and `progress.json` (written
 * atomically after each chunk) says how much of the files is valid; an interrupted build is
 * detected (no `index.json`) and completed from there, never used as if whole. The index is
 * written last, by atomic rename. A damaged entry (its index cut short, emptied, garbage or a folder,
 * its pixel file of the wrong length, a partial build's files shorter than its progress says) is
 * reported in one line and built again. One process builds a given cache at a time (`build.lock`, see
 * lib/lock.ts: others wait for it, on this host or on another sharing the folder, and a dead
 * builder's lock is taken over). The key covers the sample list (paths, labels), each file's size
 * and modification time, and the settings: an image replaced in place under the same name gives a
 * new cache.
 *
 * @module
 */
import { join } from "node:path";
import { lengthProblem } from "../checked.ts";
import { DamagedFileError, DataError } from "../errors.ts";
import { exists, jsonProblem, readJsonIfExists, writeJsonAtomic } from "../fsutil.ts";
import { acquireLock } from "../lock.ts";
import { displayPath } from "../paths.ts";
import type { SkipRecord } from "./skips.ts";
import type { AgeSample } from "./types.ts";

/** Format version of the cache files; part of the key. */
export const CACHE_VERSION = 2;

/** What one input image became: a crop, or a reason to skip it. */
export type Prepared =
  | { ok: true; rgb: Uint8Array }
  | { ok: false; reason: string; detail?: string };

/** Turns one sample into a `size × size × 3` crop (decode, align or resize). */
export type Preparer = (sample: AgeSample) => Promise<Prepared>;

/** What identifies a cache: the inputs and every setting that changes the pixels. */
export interface CacheSettings {
  /** Dataset name (for the folder name and logs). */
  dataset: string;
  /** Side of the stored crops. */
  size: number;
  /** Alignment settings, e.g. `{mode: "resize"}` or `{mode: "detect", template: …}`. */
  align: Record<string, string | number | boolean>;
}

/** The index of a finished cache. */
export interface CacheIndex {
  version: number;
  key: string;
  dataset: string;
  size: number;
  align: Record<string, string | number | boolean>;
  /** Number of stored images (rows of `pixels.bin`). */
  count: number;
  /** Number of input samples. */
  inputs: number;
  paths: string[];
  ages: number[];
  /** Apparent-age mean and std per row (ChaLearn), or absent. */
  mean?: (number | null)[];
  std?: (number | null)[];
  subjects?: (string | null)[];
  splits?: (string | null)[];
  /** Size in bytes of each row's image file when the cache was built (null: not a file). */
  bytes: (number | null)[];
  /** Per-channel pixel mean and std (0–255) over the stored images. */
  pixelMean: [number, number, number];
  pixelStd: [number, number, number];
  skipped: SkipRecord[];
}

/** A finished cache, open for reading. */
export interface Cache {
  dir: string;
  index: CacheIndex;
  /** Bytes per image. */
  readonly rowBytes: number;
  /** Copies the rows `rows` into `dst` (packed in order). */
  readRows(rows: ArrayLike<number>, dst: Uint8Array): Promise<void>;
  /** Releases the file handle (if the pixels were not loaded into memory). */
  close(): void;
}

interface Progress {
  key: string;
  inputs: number;
  /** Inputs processed (accepted or skipped). */
  done: number;
  /** Rows in pixels.bin. */
  rows: number;
  /** Valid bytes of rows.jsonl and skipped.jsonl. */
  rowsLogBytes: number;
  skipLogBytes: number;
  sum: number[];
  sumSq: number[];
}

interface RowRecord {
  path: string;
  age: number;
  mean?: number;
  std?: number;
  subject?: string;
  split?: string;
  bytes: number | null;
}

/** Size and modification time (ms) of each sample's file, or null where it cannot be read. */
export type FileStat = [number, number] | null;

/** Stats every sample's file (what the cache key adds to the labels). */
export async function statSamples(samples: AgeSample[]): Promise<FileStat[]> {
  return await Promise.all(samples.map(async (s): Promise<FileStat> => {
    try {
      const info = await Deno.stat(s.path);
      return info.isFile ? [info.size, info.mtime?.getTime() ?? 0] : null;
    } catch {
      return null;
    }
  }));
}

/** Canonical JSON of the inputs and settings, hashed into the key. */
async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * The cache key: 12 hex digits of SHA-256 over the format version, the settings and every
 * sample's label record and file size and time (so a changed label, file list or image gives a
 * new cache).
 */
export async function cacheKey(
  samples: AgeSample[],
  settings: CacheSettings,
  stats?: FileStat[],
): Promise<string> {
  const files = stats ?? await statSamples(samples);
  const alignKeys = Object.keys(settings.align).sort();
  const head = JSON.stringify([
    CACHE_VERSION,
    settings.dataset,
    settings.size,
    alignKeys.map((k) => [k, settings.align[k]]),
  ]);
  const lines = samples.map((s, i) =>
    JSON.stringify([
      s.path,
      s.age,
      s.mean ?? null,
      s.std ?? null,
      s.subject ?? null,
      s.split ?? null,
      files[i],
    ])
  );
  return (await sha256Hex(head + "\n" + lines.join("\n"))).slice(0, 12);
}

/** The folder name of a cache: `<dataset>-<size>-<mode>-<key>`. */
export function cacheDirName(settings: CacheSettings, key: string): string {
  const mode = String(settings.align.mode ?? "custom");
  const safe = settings.dataset.replace(/[^A-Za-z0-9_.-]/g, "_");
  return `${safe}-${settings.size}-${mode}-${key}`;
}

/** Options of {@link buildCache}. */
export interface BuildOptions {
  /** Folder that holds caches (a subfolder per key is made). */
  root: string;
  settings: CacheSettings;
  prepare: Preparer;
  /** Inputs prepared per chunk (one progress write per chunk). Default 256. */
  chunk?: number;
  /** Prepared in parallel within a chunk. Default 4. */
  concurrency?: number;
  log?: (line: string) => void;
  /** Test hook: stop (throwing) after this many chunks, as if interrupted. */
  stopAfterChunks?: number;
  /** Keep pixels in memory when the file is at most this big. Default 2 GiB. */
  memoryLimitBytes?: number;
}

/** Thrown by the `stopAfterChunks` test hook. */
export class CacheInterrupted extends Error {
  constructor() {
    super("cache build interrupted (test hook)");
    this.name = "CacheInterrupted";
  }
}

async function truncateTo(path: string, bytes: number): Promise<void> {
  const f = await Deno.open(path, { create: true, write: true });
  try {
    await f.truncate(bytes);
  } finally {
    f.close();
  }
}

async function appendBytes(path: string, data: Uint8Array): Promise<void> {
  const f = await Deno.open(path, { create: true, append: true });
  try {
    let off = 0;
    while (off < data.length) off += await f.write(data.subarray(off));
    await f.syncData();
  } finally {
    f.close();
  }
}

async function readLines<T>(path: string): Promise<T[]> {
  if (!(await exists(path))) return [];
  const text = await Deno.readTextFile(path);
  return text.split("\n").filter((l) => l.length > 0).map((l, i) => {
    const problem = jsonProblem(l);
    if (problem) {
      throw new DamagedFileError(displayPath(path), `line ${i + 1} is ${problem}`, "");
    }
    return JSON.parse(l) as T;
  });
}

/**
 * Opens the cache for `samples` under `settings`, building it (or completing a partial build)
 * first. Never returns a partial cache.
 */
export async function buildCache(samples: AgeSample[], options: BuildOptions): Promise<Cache> {
  const { settings } = options;
  const log = options.log ?? (() => {});
  const stats = await statSamples(samples);
  const key = await cacheKey(samples, settings, stats);
  const dir = join(options.root, cacheDirName(settings, key));
  const ready = await openCache(dir, options.memoryLimitBytes);
  if (ready) {
    if (ready.index.key !== key) throw new DataError(`cache ${dir}: index key mismatch`);
    return ready;
  }
  await Deno.mkdir(dir, { recursive: true });
  const lock = await acquireLock(join(dir, "build.lock"), {
    log,
    what: `building ${displayPath(dir)}`,
  });
  try {
    const found = await inspectCache(dir);
    if (found.kind === "ready") {
      // another process finished it while we waited
      return (await openCache(dir, options.memoryLimitBytes))!;
    }
    if (found.kind === "damaged") {
      log(`cache ${displayPath(dir)}: ${found.problem}: rebuilding it`);
      await clearCache(dir);
    }
    try {
      return await build(samples, stats, options, key, dir);
    } catch (e) {
      if (!(e instanceof DamagedFileError)) throw e;
      // A partial build's own files were damaged (cut short, garbage): start it over, once.
      log(`cache ${displayPath(dir)}: ${e.message}: building it again from the start`);
      await clearCache(dir);
      return await build(samples, stats, options, key, dir);
    }
  } finally {
    await lock.release();
  }
}

/** The files of a cache entry, finished or partial (not its lock). */
const CACHE_FILES = ["index.json", "pixels.bin", "progress.json", "rows.jsonl", "skipped.jsonl"];

/** Removes a cache entry's files (whatever they are: a folder in a file's place too). */
async function clearCache(dir: string): Promise<void> {
  for (const f of CACHE_FILES) {
    await Deno.remove(join(dir, f), { recursive: true }).catch((e) => {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    });
  }
}

/**
 * Why the partial build's files in `dir` cannot be resumed at `progress`, or undefined: one is a
 * folder, or shorter than the progress file says was written (appending after it would put rows
 * in the wrong place), or what it holds up to there is not what was written: the pixels' channel
 * sums differ from the progress file's, or a row or skip record does not parse.
 */
async function partialProblem(
  dir: string,
  progress: Progress,
  per: number,
): Promise<string | undefined> {
  const want: [string, number][] = [
    ["pixels.bin", progress.rows * per],
    ["rows.jsonl", progress.rowsLogBytes],
    ["skipped.jsonl", progress.skipLogBytes],
  ];
  for (const [name, bytes] of want) {
    const info = await Deno.stat(join(dir, name)).catch(() => undefined);
    const shown = displayPath(join(dir, name));
    if (info?.isDirectory) return `${shown}: a folder, not a file`;
    const size = info?.size ?? 0;
    if (size < bytes) return `${shown}: ${lengthProblem(size, bytes, "progress.json")}`;
  }
  const sums = await channelSums(join(dir, "pixels.bin"), progress.rows * per);
  if (sums.some((v, c) => v !== progress.sum[c])) {
    const shown = displayPath(join(dir, "pixels.bin"));
    return `${shown}: its first ${progress.rows} rows are not the ones progress.json recorded`;
  }
  for (const [name, bytes] of want.slice(1)) {
    const text = await readPrefix(join(dir, name), bytes);
    const lines = text.split("\n").filter((l) => l.length > 0);
    const bad = lines.findIndex((l) => jsonProblem(l) !== undefined);
    if (bad >= 0) {
      return `${displayPath(join(dir, name))}: line ${bad + 1} is ${jsonProblem(lines[bad])}`;
    }
    if (name === "rows.jsonl" && lines.length !== progress.rows) {
      return `${
        displayPath(join(dir, name))
      }: ${lines.length} rows where progress.json has ${progress.rows}`;
    }
  }
  return undefined;
}

/** The first `bytes` bytes of the file at `path`, as text. */
async function readPrefix(path: string, bytes: number): Promise<string> {
  if (bytes === 0) return "";
  const f = await Deno.open(path, { read: true });
  try {
    const buf = new Uint8Array(bytes);
    let off = 0;
    while (off < bytes) {
      const got = await f.read(buf.subarray(off));
      if (got === null) break;
      off += got;
    }
    return new TextDecoder().decode(buf.subarray(0, off));
  } finally {
    f.close();
  }
}

/** The R, G, B sums of the first `bytes` bytes of an RGB pixel file, read 64 MiB at a time. */
async function channelSums(path: string, bytes: number): Promise<number[]> {
  const sums = [0, 0, 0];
  if (bytes === 0) return sums;
  const f = await Deno.open(path, { read: true });
  try {
    const buf = new Uint8Array(
      Math.min(bytes, 64 * 1024 * 1024) - (Math.min(bytes, 64 * 1024 * 1024) % 3),
    );
    let done = 0;
    while (done < bytes) {
      const want = Math.min(buf.length, bytes - done);
      let off = 0;
      while (off < want) {
        const got = await f.read(buf.subarray(off, want));
        if (got === null) return sums.map(() => NaN);
        off += got;
      }
      for (let i = 0; i < want; i += 3) {
        sums[0] += buf[i];
        sums[1] += buf[i + 1];
        sums[2] += buf[i + 2];
      }
      done += want;
    }
  } finally {
    f.close();
  }
  return sums;
}

async function build(
  samples: AgeSample[],
  stats: FileStat[],
  options: BuildOptions,
  key: string,
  dir: string,
): Promise<Cache> {
  const { settings } = options;
  const log = options.log ?? (() => {});
  const per = settings.size * settings.size * 3;
  const pixelsPath = join(dir, "pixels.bin");
  const rowsPath = join(dir, "rows.jsonl"), skipPath = join(dir, "skipped.jsonl");
  const progressPath = join(dir, "progress.json");
  let progress = await readJsonIfExists<Progress>(progressPath).catch((e) => {
    if (!(e instanceof DataError)) throw e;
    log(`cache ${displayPath(dir)}: ${e.message}: starting the build over`);
    return undefined;
  });
  const problem = progress && await partialProblem(dir, progress, per);
  if (problem) log(`cache ${displayPath(dir)}: ${problem}: starting the build over`);
  if (problem || !progress || progress.key !== key || progress.inputs !== samples.length) {
    await clearCache(dir);
    progress = {
      key,
      inputs: samples.length,
      done: 0,
      rows: 0,
      rowsLogBytes: 0,
      skipLogBytes: 0,
      sum: [0, 0, 0],
      sumSq: [0, 0, 0],
    };
  } else {
    log(
      `cache ${displayPath(dir)}: resuming a partial build at ${progress.done}/${samples.length}`,
    );
  }
  // Drop whatever an interrupted chunk appended after the last progress write.
  await truncateTo(pixelsPath, progress.rows * per);
  await truncateTo(rowsPath, progress.rowsLogBytes);
  await truncateTo(skipPath, progress.skipLogBytes);

  const chunk = options.chunk ?? 256, concurrency = options.concurrency ?? 4;
  const enc = new TextEncoder();
  const t0 = performance.now();
  let chunks = 0, lastLog = 0;
  while (progress.done < samples.length) {
    const end = Math.min(samples.length, progress.done + chunk);
    const results: Prepared[] = new Array(end - progress.done);
    let next = progress.done;
    const start = progress.done;
    const worker = async () => {
      while (next < end) {
        const i = next++;
        try {
          results[i - start] = await options.prepare(samples[i]);
        } catch (e) {
          results[i - start] = { ok: false, reason: "prepare-failed", detail: String(e) };
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, end - start) }, worker));
    const accepted = results.filter((r) => r.ok).length;
    const pixels = new Uint8Array(accepted * per);
    let rowLines = "", skipLines = "", row = 0;
    for (let j = 0; j < results.length; j++) {
      const r = results[j], s = samples[start + j];
      if (r.ok) {
        if (r.rgb.length !== per) {
          throw new DataError(`prepare returned ${r.rgb.length} bytes for ${s.path}, want ${per}`);
        }
        pixels.set(r.rgb, row * per);
        for (let p = 0; p < per; p += 3) {
          for (let c = 0; c < 3; c++) {
            const v = r.rgb[p + c];
            progress.sum[c] += v;
            progress.sumSq[c] += v * v;
          }
        }
        row++;
        const rec: RowRecord = { path: s.path, age: s.age, bytes: stats[start + j]?.[0] ?? null };
        if (s.mean !== undefined) rec.mean = s.mean;
        if (s.std !== undefined) rec.std = s.std;
        if (s.subject !== undefined) rec.subject = s.subject;
        if (s.split !== undefined) rec.split = s.split;
        rowLines += JSON.stringify(rec) + "\n";
      } else {
        const skip: SkipRecord = { path: s.path, reason: r.reason };
        if (r.detail) skip.detail = r.detail;
        skipLines += JSON.stringify(skip) + "\n";
      }
    }
    const rowBytes = enc.encode(rowLines), skipBytes = enc.encode(skipLines);
    await appendBytes(pixelsPath, pixels);
    await appendBytes(rowsPath, rowBytes);
    await appendBytes(skipPath, skipBytes);
    progress.done = end;
    progress.rows += accepted;
    progress.rowsLogBytes += rowBytes.length;
    progress.skipLogBytes += skipBytes.length;
    await writeJsonAtomic(progressPath, progress);
    chunks++;
    const now = performance.now();
    if (now - lastLog > 2000 || end === samples.length) {
      lastLog = now;
      log(
        `cache ${settings.dataset} ${settings.size}px: ${end}/${samples.length} images, ${
          end - progress.rows
        } skipped, ${((now - t0) / 1000).toFixed(1)} s`,
      );
    }
    if (options.stopAfterChunks !== undefined && chunks >= options.stopAfterChunks) {
      throw new CacheInterrupted();
    }
  }

  const rows = await readLines<RowRecord>(rowsPath);
  const skipped = await readLines<SkipRecord>(skipPath);
  if (rows.length !== progress.rows) {
    throw new DataError(`cache ${dir}: ${rows.length} row records for ${progress.rows} rows`);
  }
  const n = Math.max(1, progress.rows * settings.size * settings.size);
  const pixelMean = progress.sum.map((s) => s / n) as [number, number, number];
  const pixelStd = progress.sumSq.map((s, c) =>
    Math.sqrt(Math.max(0, s / n - pixelMean[c] ** 2))
  ) as [number, number, number];
  const index: CacheIndex = {
    version: CACHE_VERSION,
    key,
    dataset: settings.dataset,
    size: settings.size,
    align: settings.align,
    count: rows.length,
    inputs: samples.length,
    paths: rows.map((r) => r.path),
    ages: rows.map((r) => r.age),
    bytes: rows.map((r) => r.bytes),
    pixelMean,
    pixelStd,
    skipped,
  };
  if (rows.some((r) => r.mean !== undefined)) index.mean = rows.map((r) => r.mean ?? null);
  if (rows.some((r) => r.std !== undefined)) index.std = rows.map((r) => r.std ?? null);
  if (rows.some((r) => r.subject !== undefined)) {
    index.subjects = rows.map((r) => r.subject ?? null);
  }
  if (rows.some((r) => r.split !== undefined)) index.splits = rows.map((r) => r.split ?? null);
  await writeJsonAtomic(join(dir, "index.json"), index);
  for (const p of [progressPath, rowsPath, skipPath]) await Deno.remove(p).catch(() => {});
  log(
    `cache ${settings.dataset} ${settings.size}px: done, ${index.count} images, ${skipped.length} skipped (${
      displayPath(dir)
    })`,
  );
  const done = await openCache(dir, options.memoryLimitBytes);
  if (!done) throw new DataError(`cache ${dir}: just written but cannot be opened`);
  return done;
}

/** What is in a cache folder: a finished cache, nothing usable yet, or a damaged finished one. */
type Inspection =
  | { kind: "ready"; index: CacheIndex }
  | { kind: "absent" }
  | { kind: "damaged"; problem: string };

/** What a finished cache's `index.json` must hold, in words; undefined when it does. */
function indexShape(v: CacheIndex): string | undefined {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return "not a cache index";
  if (!Number.isInteger(v.count) || v.count < 0) return "not a cache index (no count)";
  if (!Number.isInteger(v.size) || v.size <= 0) return "not a cache index (no size)";
  for (const key of ["paths", "ages", "bytes"] as const) {
    if (!Array.isArray(v[key]) || v[key].length !== v.count) {
      return `not a cache index (${key} does not list its ${v.count} rows)`;
    }
  }
  if (!Array.isArray(v.skipped) || !Array.isArray(v.pixelMean) || !Array.isArray(v.pixelStd)) {
    return "not a cache index (no skips or pixel statistics)";
  }
  return undefined;
}

/**
 * What `dir` holds: a finished cache (its index parses and fits, its pixel file is exactly as
 * long as the index says), none (no index, an index of another format version: a partial build
 * or nothing), or a finished one that is damaged (the index cut short, emptied, garbage or a
 * folder; the pixel file missing, a folder, or of the wrong length).
 */
async function inspectCache(dir: string): Promise<Inspection> {
  const indexPath = join(dir, "index.json");
  let index: CacheIndex | undefined;
  try {
    index = await readJsonIfExists<CacheIndex>(indexPath);
  } catch (e) {
    if (e instanceof DataError) return { kind: "damaged", problem: e.message };
    throw e;
  }
  if (index === undefined) return { kind: "absent" };
  if (index?.version !== CACHE_VERSION && Number.isInteger(index?.version)) {
    return { kind: "absent" };
  }
  const wrong = indexShape(index);
  if (wrong) return { kind: "damaged", problem: `${displayPath(indexPath)}: ${wrong}` };
  const pixelsPath = join(dir, "pixels.bin");
  const shown = displayPath(pixelsPath);
  const stat = await Deno.stat(pixelsPath).catch(() => undefined);
  if (!stat) return { kind: "damaged", problem: `${shown}: missing` };
  if (stat.isDirectory) return { kind: "damaged", problem: `${shown}: a folder, not a file` };
  const per = index.size * index.size * 3;
  const problem = lengthProblem(stat.size, index.count * per, "index.json");
  if (problem) return { kind: "damaged", problem: `${shown}: ${problem}` };
  return { kind: "ready", index };
}

/**
 * Opens a finished cache, or returns `undefined` when `dir` holds none, only a partial build, or
 * a damaged one (see {@link inspectCache}; `buildCache` reports it and rebuilds it).
 */
export async function openCache(
  dir: string,
  memoryLimitBytes = 2 * 1024 ** 3,
): Promise<Cache | undefined> {
  const found = await inspectCache(dir);
  if (found.kind !== "ready") return undefined;
  const index = found.index;
  const per = index.size * index.size * 3;
  const pixelsPath = join(dir, "pixels.bin");
  const stat = await Deno.stat(pixelsPath);
  if (stat.size <= memoryLimitBytes) {
    const all = await Deno.readFile(pixelsPath);
    return {
      dir,
      index,
      rowBytes: per,
      readRows(rows, dst) {
        for (let i = 0; i < rows.length; i++) {
          const r = rows[i];
          dst.set(all.subarray(r * per, (r + 1) * per), i * per);
        }
        return Promise.resolve();
      },
      close() {},
    };
  }
  const file = await Deno.open(pixelsPath, { read: true });
  let queue: Promise<void> = Promise.resolve();
  return {
    dir,
    index,
    rowBytes: per,
    readRows(rows, dst) {
      // One reader at a time: seek + read must not interleave.
      const run = queue.then(() => readInto(rows, dst));
      queue = run.catch(() => {});
      return run;
    },
    close() {
      file.close();
    },
  };
  async function readInto(rows: ArrayLike<number>, dst: Uint8Array): Promise<void> {
    for (let i = 0; i < rows.length; i++) {
      await file.seek(rows[i] * per, Deno.SeekMode.Start);
      const target = dst.subarray(i * per, (i + 1) * per);
      let off = 0;
      while (off < per) {
        const got = await file.read(target.subarray(off));
        if (got === null) {
          throw new DamagedFileError(
            displayPath(pixelsPath),
            "ends early (cut short while in use)",
            `delete ${displayPath(dir)} and run again to rebuild it`,
          );
        }
        off += got;
      }
    }
  }
}
