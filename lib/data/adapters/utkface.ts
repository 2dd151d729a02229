/**
 * UTKFace: labels live in the file name, `[age]_[gender]_[race]_[date&time].jpg.chip.jpg`.
 *
 * The rule (shared/data/utkface-part1/README.md): age is the only label we train on, so a name
 * whose first field is an integer age in range is used, and anything malformed after it is a
 * warning ("malformed-name"); a name without an integer age is skipped ("no-integer-age").
 * Every entry of the folder is accounted for: a sub-folder is skipped as "not-a-file".
 *
 * @module
 */
import { join } from "node:path";
import type { AdapterResult } from "../skips.ts";
import {
  ageRangeOption,
  checkAge,
  parseIntegerAge,
  REASON,
  requireDir,
  ResultBuilder,
} from "./common.ts";

/** Options of {@link loadUtkface}. */
export interface UtkfaceOptions {
  /** Youngest accepted age (default 0). */
  minAge?: number;
  /** Oldest accepted age (default 116, the oldest in UTKFace). */
  maxAge?: number;
}

/** What a UTKFace file name says. */
export interface UtkfaceName {
  /** Integer age, or undefined when the first field is not one. */
  age?: number;
  /** Problems after the age field (empty for a well-formed name). */
  problems: string[];
}

const SUFFIXES = [".jpg.chip.jpg", ".jpg"];

/**
 * Parses a UTKFace file name. The age is the first `_`-separated field (or, in a name with no
 * `_`, the part before the first dot); gender must be 0/1, race 0–4 and the timestamp 17 digits.
 */
export function parseUtkfaceName(name: string): UtkfaceName {
  const problems: string[] = [];
  const suffix = SUFFIXES.find((s) => name.endsWith(s));
  const stem = suffix ? name.slice(0, -suffix.length) : name.replace(/\.[^.]*$/, "");
  if (!suffix) problems.push(`name does not end in ${SUFFIXES.join(" or ")}`);
  const fields = stem.split("_");
  const ageField = fields.length > 1 ? fields[0] : fields[0].split(".")[0];
  // Strictly digits: " 25" or "+25" is not an age field.
  const age = /^\d+$/.test(ageField) ? parseIntegerAge(ageField) : undefined;
  if (fields.length === 4) {
    const [, gender, race, stamp] = fields;
    if (!/^[01]$/.test(gender)) problems.push(`gender "${gender}" not 0 or 1`);
    if (!/^[0-4]$/.test(race)) problems.push(`race "${race}" not 0–4`);
    if (!/^\d{17}$/.test(stamp)) problems.push(`date&time "${stamp}" is not 17 digits`);
  } else {
    // With a field missing or extra, which field is which is unknown: report the count.
    problems.push(`${fields.length} fields, want 4 (age_gender_race_datetime)`);
  }
  return { age, problems };
}

/**
 * Loads a UTKFace folder: `root` holds the images, or an `images/` sub-folder that does (the
 * layout of shared/data/utkface-part1). Files are visited in name order.
 */
export async function loadUtkface(
  root: string,
  options: UtkfaceOptions = {},
): Promise<AdapterResult> {
  const range = ageRangeOption(options as Record<string, unknown>, { minAge: 0, maxAge: 116 });
  await requireDir(root, "utkface");
  let dir = root;
  try {
    if ((await Deno.stat(join(root, "images"))).isDirectory) dir = join(root, "images");
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  const entries: Deno.DirEntry[] = [];
  for await (const e of Deno.readDir(dir)) entries.push(e);
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

  const b = new ResultBuilder("utkface");
  for (const entry of entries) {
    const path = join(dir, entry.name);
    let isFile = entry.isFile;
    if (entry.isSymlink) {
      try {
        isFile = (await Deno.stat(path)).isFile;
      } catch {
        b.skip(path, REASON.missingFile, "broken symbolic link");
        continue;
      }
    }
    if (!isFile) {
      b.skip(path, REASON.notAFile, "a folder or special file where an image is expected");
      continue;
    }
    const parsed = parseUtkfaceName(entry.name);
    if (parsed.age === undefined) {
      b.skip(path, REASON.noIntegerAge, "the first field of the name is not an integer age");
      continue;
    }
    if (!checkAge(b, path, parsed.age, range)) continue;
    if (parsed.problems.length > 0) b.warn(path, REASON.malformedName, parsed.problems.join("; "));
    b.samples.push({ path, age: parsed.age });
  }
  return b.result();
}
