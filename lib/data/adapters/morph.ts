/**
 * Morph II (academic release): one CSV row per image with a subject id and an age, images under
 * the dataset folder. The CSV is read by its header (see data/README.md for the layout):
 * subject from `id_num` / `subject_id` / `subject` / `id`, age from `age`, image from `photo` /
 * `file` / `filename` / `image` / `path`.
 *
 * Split (SPEC: "Morph: random 80/20 split"): "random" draws 80% of the images for training with
 * a seeded shuffle (a subject may appear on both sides, the classical protocol); "subject" draws
 * 80% of the subjects, so no subject is on both sides; "none" leaves `split` unset.
 *
 * @module
 */
import { basename, join } from "node:path";
import { DataError } from "../../errors.ts";
import { createRng, permutation } from "../../rng.ts";
import type { AdapterResult } from "../skips.ts";
import {
  ageRangeOption,
  boolOption,
  checkAge,
  choiceOption,
  detectDelimiter,
  FileIndex,
  intOption,
  numberOption,
  parseIntegerAge,
  readLines,
  REASON,
  requireDir,
  ResultBuilder,
  rowRef,
  splitCsvLine,
  stringOption,
  underRoot,
} from "./common.ts";
import type { AgeSample } from "../types.ts";

/** Options of {@link loadMorph}. */
export interface MorphOptions {
  /** The CSV, absolute or relative to the dataset folder (default: the only `*.csv` there). */
  csv?: string;
  /** "random" (default), "subject" (subject-exclusive) or "none". */
  split?: "random" | "subject" | "none";
  /** Seed of the split (default 0). */
  seed?: number;
  /** Fraction of images (or subjects) in the training part (default 0.8). */
  trainFraction?: number;
  /** Accepted ages (default 16–77, Morph's range). */
  minAge?: number;
  maxAge?: number;
  /** Check that each image file exists (default true). */
  checkFiles?: boolean;
}

const SPLITS = ["random", "subject", "none"] as const;
const COLUMNS = {
  subject: ["id_num", "subject_id", "subject", "id"],
  age: ["age"],
  path: ["photo", "file", "filename", "image", "path"],
};

async function findCsv(root: string): Promise<string> {
  const found: string[] = [];
  for await (const e of Deno.readDir(root)) {
    if (e.isFile && e.name.toLowerCase().endsWith(".csv")) found.push(e.name);
  }
  if (found.length !== 1) {
    throw new DataError(
      `morph: want exactly one .csv in ${root} (found ${found.length}: ${found.join(", ")}); ` +
        "set the csv option",
    );
  }
  return join(root, found[0]);
}

function column(header: string[], names: string[], csv: string, what: string): number {
  const lower = header.map((h) => h.toLowerCase());
  for (const n of names) {
    const i = lower.indexOf(n);
    if (i >= 0) return i;
  }
  throw new DataError(
    `morph: ${csv} has no ${what} column (one of ${names.join(", ")}; header: ${header.join(",")})`,
  );
}

/**
 * Assigns "train"/"test" to `samples` in place: a seeded shuffle of the images ("random") or of
 * the sorted subject ids ("subject"); the first round(fraction × count) go to training.
 */
export function assignMorphSplit(
  samples: AgeSample[],
  mode: "random" | "subject",
  seed: number,
  trainFraction: number,
): void {
  if (mode === "random") {
    const order = permutation(samples.length, createRng(seed));
    const nTrain = Math.round(trainFraction * samples.length);
    order.forEach((idx, rank) => (samples[idx].split = rank < nTrain ? "train" : "test"));
    return;
  }
  const subjects = [...new Set(samples.map((s) => s.subject ?? ""))].sort();
  const order = permutation(subjects.length, createRng(seed));
  const nTrain = Math.round(trainFraction * subjects.length);
  const train = new Set<string>();
  for (let rank = 0; rank < nTrain; rank++) train.add(subjects[order[rank]]);
  for (const s of samples) s.split = train.has(s.subject ?? "") ? "train" : "test";
}

/** Loads Morph II from `root` (the folder with the CSV and the images it names). */
export async function loadMorph(root: string, options: MorphOptions = {}): Promise<AdapterResult> {
  const o = options as Record<string, unknown>;
  const range = ageRangeOption(o, { minAge: 16, maxAge: 77 });
  const split = choiceOption(o, "split", SPLITS, "random");
  const seed = intOption(o, "seed", 0);
  const trainFraction = numberOption(o, "trainFraction", 0.8);
  if (!(trainFraction > 0 && trainFraction < 1)) {
    throw new DataError(`morph: option trainFraction must be in (0, 1), got ${trainFraction}`);
  }
  const checkFiles = boolOption(o, "checkFiles", true);
  await requireDir(root, "morph");
  const csv = underRoot(root, stringOption(o, "csv") ?? await findCsv(root));
  const lines = await readLines(csv, "morph");
  if (lines.length === 0) throw new DataError(`morph: ${csv} is empty`);
  const delim = detectDelimiter(lines[0]);
  const header = splitCsvLine(lines[0], delim) ?? [];
  const cSubject = column(header, COLUMNS.subject, csv, "subject id");
  const cAge = column(header, COLUMNS.age, csv, "age");
  const cPath = column(header, COLUMNS.path, csv, "image");
  const file = basename(csv);

  const b = new ResultBuilder("morph");
  const files = new FileIndex();
  for (let i = 1; i < lines.length; i++) {
    const ref = rowRef(file, i);
    if (lines[i].trim() === "") continue;
    const row = splitCsvLine(lines[i], delim);
    if (row === undefined || row.length !== header.length) {
      b.skip(
        ref,
        REASON.malformedRow,
        `${row?.length ?? "unbalanced quotes,"} fields, want ${header.length}`,
      );
      continue;
    }
    const rel = row[cPath];
    const subject = row[cSubject];
    if (rel === "" || subject === "") {
      b.skip(ref, REASON.malformedRow, "empty image path or subject id");
      continue;
    }
    if (!b.firstTime(rel)) {
      b.skip(ref, REASON.duplicateRow, `${rel} listed again`);
      continue;
    }
    const age = parseIntegerAge(row[cAge]);
    if (age === undefined) {
      b.skip(ref, REASON.noIntegerAge, `age "${row[cAge]}"`);
      continue;
    }
    const path = join(root, rel);
    if (!checkAge(b, path, age, range)) continue;
    if (checkFiles && !(await files.has(path))) {
      b.skip(path, REASON.missingFile, `listed at ${ref}`);
      continue;
    }
    b.samples.push({ path, age, subject });
  }
  if (split !== "none") assignMorphSplit(b.samples, split, seed, trainFraction);
  return b.result();
}
