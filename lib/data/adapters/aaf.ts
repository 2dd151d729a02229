/**
 * All-Age-Faces (AAF): labels in the file names, `NNNNNAaa.jpg` (a 5-digit face id, the letter
 * `A`, the age), and the dataset's official split lists `splits/train.txt` and `splits/val.txt`
 * (one file name per line) naming images in `images/`.
 *
 * The rule, as for UTKFace: the age after the `A` is the only label we train on, so a name with
 * an integer age in range is used, and anything odd about the rest of it (an id that is not 5
 * digits, an age that is not 2, an extension other than `.jpg`) is a "malformed-name" warning; a
 * name with no age is skipped ("no-integer-age"). List lines that are not one bare file name are
 * "malformed-row", a name listed again (in either list) is "duplicate-row" (the first listing
 * wins), a listed file that is not there is "missing-file". With `splits: "all"` every file of
 * `images/` is accounted for: one that no list names is skipped as "not-in-split".
 *
 * @module
 */
import { dirname, join } from "node:path";
import type { AdapterResult } from "../skips.ts";
import {
  ageRangeOption,
  boolOption,
  checkAge,
  choiceOption,
  FileIndex,
  parseIntegerAge,
  readLines,
  REASON,
  requireDir,
  ResultBuilder,
  rowRef,
} from "./common.ts";

/** Options of {@link loadAaf}. */
export interface AafOptions {
  /** "train", "val" or "all" (default): which official lists to read. */
  splits?: "train" | "val" | "all";
  /** Accepted ages (default 2–80, the dataset's range). */
  minAge?: number;
  maxAge?: number;
  /** Check that each listed image exists (default true). */
  checkFiles?: boolean;
}

/** What an AAF file name says. */
export interface AafName {
  /** Integer age, or undefined when the name has none. */
  age?: number;
  /** Problems besides the age (empty for a well-formed name). */
  problems: string[];
}

/** The skip reason of an image in `images/` that no split list names (splits "all"). */
export const NOT_IN_SPLIT = "not-in-split";

const SPLIT_CHOICES = ["train", "val", "all"] as const;

/**
 * Parses an AAF file name `NNNNNAaa.jpg`: the age is the run of digits after the first `A` that
 * follows the leading digits. The id must be 5 digits, the age 2, the extension `.jpg`.
 */
export function parseAafName(name: string): AafName {
  const m = name.match(/^(\d+)A(\d+)(\..*)?$/);
  if (!m) return { problems: [] };
  const [, id, ageText, ext] = m;
  const problems: string[] = [];
  if (id.length !== 5) problems.push(`face id "${id}" is not 5 digits`);
  if (ageText.length !== 2) problems.push(`age "${ageText}" is not 2 digits`);
  if (ext !== ".jpg") problems.push(`extension "${ext ?? ""}" is not .jpg`);
  return { age: parseIntegerAge(ageText), problems };
}

/**
 * Where the images and the split lists are: `root` holds `images/` and `splits/`, or `root` is
 * the `images/` folder itself with the lists in `../splits`.
 */
export async function aafLayout(root: string): Promise<{ images: string; splits: string }> {
  await requireDir(root, "aaf");
  const images = join(root, "images");
  const isDir = await Deno.stat(images).then((i) => i.isDirectory, () => false);
  if (isDir) return { images, splits: join(root, "splits") };
  return { images: root, splits: join(dirname(root), "splits") };
}

/** The file names in `dir`, sorted (every entry: files, folders, links). */
async function listNames(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const e of Deno.readDir(dir)) names.push(e.name);
  return names.sort();
}

/** Loads AAF from `root` (the folder holding `images/` and `splits/`, or `images/` itself). */
export async function loadAaf(root: string, options: AafOptions = {}): Promise<AdapterResult> {
  const o = options as Record<string, unknown>;
  const range = ageRangeOption(o, { minAge: 2, maxAge: 80 });
  const which = choiceOption(o, "splits", SPLIT_CHOICES, "all");
  const checkFiles = boolOption(o, "checkFiles", true);
  const dirs = await aafLayout(root);
  const splits: ("train" | "val")[] = which === "all" ? ["train", "val"] : [which];

  const b = new ResultBuilder("aaf");
  const files = new FileIndex();
  for (const split of splits) {
    const listFile = join(dirs.splits, `${split}.txt`);
    const lines = await readLines(listFile, "aaf");
    for (const [i, line] of lines.entries()) {
      const ref = rowRef(listFile, i);
      const name = line.trim();
      if (name === "") continue;
      if (/[\s/\\]/.test(name) || name === "." || name === "..") {
        b.skip(ref, REASON.malformedRow, `not one file name: "${line}"`);
        continue;
      }
      const path = join(dirs.images, name);
      if (!b.firstTime(name)) {
        b.skip(ref, REASON.duplicateRow, `${name} listed again`);
        continue;
      }
      const parsed = parseAafName(name);
      if (parsed.age === undefined) {
        b.skip(path, REASON.noIntegerAge, `no age in the name (want NNNNNAaa.jpg), at ${ref}`);
        continue;
      }
      if (!checkAge(b, path, parsed.age, range)) continue;
      if (checkFiles && !(await files.has(path))) {
        b.skip(path, REASON.missingFile, `listed at ${ref}`);
        continue;
      }
      if (parsed.problems.length > 0) {
        b.warn(path, REASON.malformedName, parsed.problems.join("; "));
      }
      b.samples.push({ path, age: parsed.age, split });
    }
  }
  if (which === "all" && checkFiles) {
    for (const name of await listNames(dirs.images)) {
      if (b.firstTime(name)) {
        b.skip(join(dirs.images, name), NOT_IN_SPLIT, "named in neither train.txt nor val.txt");
      }
    }
  }
  return b.result();
}
