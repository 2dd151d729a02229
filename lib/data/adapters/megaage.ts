/**
 * MegaAge-Asian: `list/<split>_name.txt` (one image name per line) and `list/<split>_age.txt`
 * (the age on the same line), images under `<split>/`. Splits "train" (40,000 − 3,945 images)
 * and "test" (the 3,945-image test split of the paper's Table 4).
 *
 * @module
 */
import { join } from "node:path";
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

/** Options of {@link loadMegaage}. */
export interface MegaageOptions {
  /** "train", "test" or "all" (default). */
  splits?: "train" | "test" | "all";
  /** Accepted ages (default 0–70, the dataset's range). */
  minAge?: number;
  maxAge?: number;
  /** Check that each image file exists (default true). */
  checkFiles?: boolean;
}

const SPLIT_CHOICES = ["train", "test", "all"] as const;

/** Loads MegaAge-Asian from `root` (the folder holding `list/`, `train/` and `test/`). */
export async function loadMegaage(
  root: string,
  options: MegaageOptions = {},
): Promise<AdapterResult> {
  const o = options as Record<string, unknown>;
  const range = ageRangeOption(o, { minAge: 0, maxAge: 70 });
  const which = choiceOption(o, "splits", SPLIT_CHOICES, "all");
  const checkFiles = boolOption(o, "checkFiles", true);
  await requireDir(root, "megaage");
  const splits: ("train" | "test")[] = which === "all" ? ["train", "test"] : [which];

  const b = new ResultBuilder("megaage");
  const files = new FileIndex();
  for (const split of splits) {
    const nameFile = `list/${split}_name.txt`;
    const ageFile = `list/${split}_age.txt`;
    const names = await readLines(join(root, nameFile), "megaage");
    const ages = await readLines(join(root, ageFile), "megaage");
    const n = Math.max(names.length, ages.length);
    for (let i = 0; i < n; i++) {
      const ref = rowRef(join(root, nameFile), i);
      const name = names[i]?.trim();
      const ageText = ages[i];
      if (name === undefined || ageText === undefined) {
        b.skip(
          ref,
          REASON.malformedRow,
          `${nameFile} has ${names.length} lines, ${ageFile} has ${ages.length}`,
        );
        continue;
      }
      if (name === "" && ageText.trim() === "") continue;
      if (name === "" || /\s/.test(name)) {
        b.skip(ref, REASON.malformedRow, `bad image name "${name}"`);
        continue;
      }
      if (!b.firstTime(`${split}/${name}`)) {
        b.skip(ref, REASON.duplicateRow, `${name} listed again`);
        continue;
      }
      const age = parseIntegerAge(ageText);
      if (age === undefined) {
        b.skip(ref, REASON.noIntegerAge, `${ageFile} line ${i + 1}: "${ageText}"`);
        continue;
      }
      const path = join(root, split, name);
      if (!checkAge(b, path, age, range)) continue;
      if (checkFiles && !(await files.has(path))) {
        b.skip(path, REASON.missingFile, `listed at ${ref}`);
        continue;
      }
      b.samples.push({ path, age, split });
    }
  }
  return b.result();
}
