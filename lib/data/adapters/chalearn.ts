/**
 * ChaLearn LAP 2015 apparent age: per split a CSV of `image, mean, std` (the mean and standard
 * deviation of the votes) and a folder of images. The paper trains on train and evaluates on
 * validation (SPEC: Data and protocols). The integer training age is the mean rounded to the
 * nearest year (halves up); `mean` and `std` are kept for the ε-error.
 *
 * Default layout (data/README.md): `train.csv` + `train/`, `valid.csv` + `valid/`, and
 * optionally `test.csv` + `test/`. A header row is allowed; "," ";" or tab separate fields.
 *
 * @module
 */
import { basename, join } from "node:path";
import { DataError } from "../../errors.ts";
import type { AgeSample } from "../types.ts";
import type { AdapterResult } from "../skips.ts";
import {
  ageRangeOption,
  boolOption,
  checkAge,
  choiceOption,
  detectDelimiter,
  FileIndex,
  parseFiniteNumber,
  readLines,
  REASON,
  requireDir,
  ResultBuilder,
  rowRef,
  splitCsvLine,
  stringOption,
  underRoot,
} from "./common.ts";

/** Options of {@link loadChalearn}. */
export interface ChalearnOptions {
  /** Which splits to load: "train", "val", "test", "train+val" (default) or "all". */
  splits?: "train" | "val" | "test" | "train+val" | "all";
  /** CSV and image folder of each split, relative to the dataset folder. */
  trainCsv?: string;
  trainDir?: string;
  valCsv?: string;
  valDir?: string;
  testCsv?: string;
  testDir?: string;
  /** Accepted (rounded) ages (default 0–100). */
  minAge?: number;
  maxAge?: number;
  /** Check that each image file exists (default true). */
  checkFiles?: boolean;
}

const SPLIT_CHOICES = ["train", "val", "test", "train+val", "all"] as const;
type Split = "train" | "val" | "test";
const DEFAULTS: Record<Split, { csv: string; dir: string }> = {
  train: { csv: "train.csv", dir: "train" },
  val: { csv: "valid.csv", dir: "valid" },
  test: { csv: "test.csv", dir: "test" },
};

/** Loads ChaLearn LAP 2015 from `root`. */
export async function loadChalearn(
  root: string,
  options: ChalearnOptions = {},
): Promise<AdapterResult> {
  const o = options as Record<string, unknown>;
  const range = ageRangeOption(o, { minAge: 0, maxAge: 100 });
  const which = choiceOption(o, "splits", SPLIT_CHOICES, "train+val");
  const checkFiles = boolOption(o, "checkFiles", true);
  await requireDir(root, "chalearn");
  const splits: Split[] = which === "all"
    ? ["train", "val", "test"]
    : which === "train+val"
    ? ["train", "val"]
    : [which];

  const b = new ResultBuilder("chalearn");
  const files = new FileIndex();
  for (const split of splits) {
    const csv = underRoot(root, stringOption(o, `${split}Csv`) ?? DEFAULTS[split].csv);
    const dir = underRoot(root, stringOption(o, `${split}Dir`) ?? DEFAULTS[split].dir);
    await readSplit(b, files, csv, dir, split, range, checkFiles);
  }
  return b.result();
}

async function readSplit(
  b: ResultBuilder,
  files: FileIndex,
  csv: string,
  dir: string,
  split: Split,
  range: { minAge: number; maxAge: number },
  checkFiles: boolean,
): Promise<void> {
  const lines = await readLines(csv, "chalearn");
  if (lines.length === 0) throw new DataError(`chalearn: ${csv} is empty`);
  const delim = detectDelimiter(lines[0]);
  const file = basename(csv);
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].trim() === "") continue;
    const ref = rowRef(file, i);
    const row = splitCsvLine(lines[i], delim);
    if (row === undefined || row.length !== 3) {
      b.skip(ref, REASON.malformedRow, `${row?.length ?? "unbalanced quotes,"} fields, want 3`);
      continue;
    }
    const [name, meanText, stdText] = row;
    const mean = parseFiniteNumber(meanText);
    // A first row whose mean and std are both words is a header.
    if (i === 0 && mean === undefined && parseFiniteNumber(stdText) === undefined) continue;
    if (name === "") {
      b.skip(ref, REASON.malformedRow, "empty image name");
      continue;
    }
    if (!b.firstTime(`${split}/${name}`)) {
      b.skip(ref, REASON.duplicateRow, `${name} listed again`);
      continue;
    }
    if (mean === undefined || mean < 0) {
      b.skip(ref, REASON.noIntegerAge, `mean "${meanText}" is not an age`);
      continue;
    }
    const std = parseFiniteNumber(stdText);
    if (std === undefined || std < 0) {
      b.skip(ref, REASON.malformedRow, `std "${stdText}" is not a number ≥ 0`);
      continue;
    }
    const path = join(dir, name);
    const age = Math.floor(mean + 0.5);
    if (!checkAge(b, path, age, range)) continue;
    if (checkFiles && !(await files.has(path))) {
      b.skip(path, REASON.missingFile, `listed at ${ref}`);
      continue;
    }
    const sample: AgeSample = { path, age, mean, std, split };
    b.samples.push(sample);
  }
}
