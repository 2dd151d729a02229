/**
 * Train/test splits: the seeded age-stratified split, and fixed, documented split
 * files, committed. A split file names images by file name only
 * (no folder, no pixels), so the same file applies to any copy of the dataset:
 *
 * ```json
 * { "dataset": "utkface-part1", "seed": 0, "rule": "80/20 stratified by age decade",
 *   "testFraction": 0.2, "train": ["1_0_0_2016….jpg.chip.jpg", …], "test": […] }
 * ```
 *
 * `train` may be left out (then every other image of the folder is a training image).
 * `data/splits/utkface-part1.json` is made by `deno task data split utkface <folder>`.
 *
 * @module
 */
import { basename } from "node:path";
import { DataError } from "../errors.ts";
import { writeTextAtomic } from "../fsutil.ts";
import { repoPath } from "../paths.ts";
import { createRng, mixSeed } from "../rng.ts";

/** The rule written into split files made by {@link makeDecadeSplit}. */
export const DECADE_RULE = "80/20 stratified by age decade";

/** A fixed split, as stored in a split file. */
export interface SplitFile {
  /** The folder it was made from, e.g. "utkface-part1". */
  dataset: string;
  seed: number;
  /** How it was made, in words. */
  rule: string;
  testFraction?: number;
  /** Training image names; absent: every image of the folder not in `test`. */
  train?: string[];
  /** Test image names. */
  test: string[];
}

/** The committed split of UTKFace part 1 (`data/splits/utkface-part1.json` in this checkout). */
export function defaultUtkfaceSplitPath(): string {
  return repoPath("data", "splits", "utkface-part1.json");
}

/**
 * A seeded split stratified by age: rows are ordered by age (ties in random order) and every
 * ⌈1/f⌉-th position (exactly: where ⌊(i+1)f + φ⌋ > ⌊if + φ⌋, φ a random phase) goes to the
 * test part, so each age keeps the test fraction `f` up to ±1 image. Returns a boolean per row
 * (true = test).
 */
export function stratifiedSplit(
  ages: ArrayLike<number>,
  testFraction: number,
  seed: number,
): boolean[] {
  if (!(testFraction > 0 && testFraction < 1)) {
    throw new DataError(`testFraction must be in (0, 1), got ${testFraction}`);
  }
  const rng = createRng(mixSeed(seed, 0x5b17));
  const keys = Array.from(ages, (a, i) => ({ i, a, r: rng.next() }));
  keys.sort((p, q) => p.a - q.a || p.r - q.r);
  const test = new Array<boolean>(ages.length).fill(false);
  // A random phase so that the first row of the youngest age is not always in the test part.
  const phase = rng.next();
  keys.forEach((k, pos) => {
    test[k.i] =
      Math.floor((pos + 1) * testFraction + phase) > Math.floor(pos * testFraction + phase);
  });
  return test;
}

/** The age decade of the stratified split: 0–9 → 0, …, 80–89 → 8, 90 and older → 9. */
export function ageDecade(age: number): number {
  return Math.min(9, Math.floor(age / 10));
}

/**
 * A split of `names` (with their `ages`) stratified by age decade: names are sorted first, so
 * the result depends only on the set of (name, age) pairs and the seed; then
 * {@link stratifiedSplit} runs on the decades, so each decade keeps `testFraction` ± 1 image.
 */
export function makeDecadeSplit(
  dataset: string,
  names: readonly string[],
  ages: ArrayLike<number>,
  seed: number,
  testFraction = 0.2,
): SplitFile {
  if (names.length !== ages.length) {
    throw new DataError(`${names.length} names but ${ages.length} ages`);
  }
  const order = names.map((_, i) => i).sort((a, b) => cmp(names[a], names[b]));
  for (let k = 1; k < order.length; k++) {
    if (names[order[k]] === names[order[k - 1]]) {
      throw new DataError(`image name "${names[order[k]]}" appears twice`);
    }
  }
  const isTest = stratifiedSplit(order.map((i) => ageDecade(ages[i])), testFraction, seed);
  const train: string[] = [], test: string[] = [];
  order.forEach((i, k) => (isTest[k] ? test : train).push(names[i]));
  const rule = testFraction === 0.2
    ? DECADE_RULE
    : `${Math.round(100 * (1 - testFraction))}/${
      Math.round(100 * testFraction)
    } stratified by age decade`;
  return { dataset, seed, rule, testFraction, train, test };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Writes a split file (pretty JSON, one name per line, as `deno fmt` keeps it). */
export function writeSplitFile(path: string, split: SplitFile): Promise<void> {
  return writeTextAtomic(path, JSON.stringify(split, null, 2) + "\n");
}

/** The way out of a damaged split file, for messages. */
const SPLIT_FIX = "restore it (git checkout -- data/splits/ for a committed one) or make it " +
  "again (deno task data split <dataset> <folder>)";

function isStringArray(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((s) => typeof s === "string" && s.length > 0);
}

/**
 * Reads and checks a split file. Throws a {@link DataError} naming the file when it is missing,
 * not JSON, lacks `test`, or lists a name twice or on both sides.
 */
export async function readSplitFile(path: string): Promise<SplitFile> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new DataError(`split file ${path} is missing`);
    }
    const why = e instanceof Deno.errors.IsADirectory || (e as Error).message?.includes("directory")
      ? "is a folder, not a file"
      : `cannot be read (${(e as Error).message})`;
    throw new DataError(`split file ${path} ${why}: ${SPLIT_FIX}`);
  }
  let v: Record<string, unknown>;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new DataError(
      `split file ${path} is not JSON (${(e as Error).message}): ${SPLIT_FIX}`,
    );
  }
  if (typeof v !== "object" || v === null || !isStringArray(v.test)) {
    throw new DataError(`split file ${path}: "test" must be a list of image names`);
  }
  if (v.train !== undefined && !isStringArray(v.train)) {
    throw new DataError(`split file ${path}: "train" must be a list of image names`);
  }
  const seen = new Set<string>();
  for (const name of [...(v.train as string[] | undefined ?? []), ...v.test]) {
    if (seen.has(name)) throw new DataError(`split file ${path}: "${name}" is listed twice`);
    seen.add(name);
  }
  return {
    dataset: String(v.dataset ?? basename(path)),
    seed: Number(v.seed ?? 0),
    rule: String(v.rule ?? ""),
    ...(typeof v.testFraction === "number" ? { testFraction: v.testFraction } : {}),
    ...(v.train ? { train: v.train as string[] } : {}),
    test: v.test,
  };
}

/** How a folder's images fall on a split file. */
export interface SplitMatch {
  /** Per image (in the order given): "train", "test" or "none" (not in the split file). */
  side: ("train" | "test" | "none")[];
  /** Names of the split file found neither among the images nor among `alsoPresent`. */
  missing: string[];
  /** How many names of the split file were found. */
  found: number;
}

/**
 * Places images (paths or names; matched by file name) on a split. `alsoPresent` are names the
 * folder has but that are not offered (skipped for a reason of their own): they are not missing.
 */
export function matchSplit(
  split: SplitFile,
  paths: readonly string[],
  alsoPresent: readonly string[] = [],
): SplitMatch {
  const test = new Set(split.test);
  const train = split.train ? new Set(split.train) : undefined;
  const names = paths.map((p) => basename(p));
  const side = names.map((n) =>
    test.has(n) ? "test" as const : !train || train.has(n) ? "train" as const : "none" as const
  );
  const present = new Set([...names, ...alsoPresent.map((p) => basename(p))]);
  const listed = [...(split.train ?? []), ...split.test];
  const missing = listed.filter((n) => !present.has(n));
  return { side, missing, found: listed.length - missing.length };
}
