/**
 * IMDB-WIKI: metadata in `imdb.mat` / `wiki.mat` (a struct of parallel arrays: `dob` as a
 * MATLAB serial date number, `photo_taken`, `full_path`, `face_score`, `second_face_score`,
 * `face_location`, …). Age = whole years from `dob` to 1 July of `photo_taken` (the dataset's own
 * rule). The usual cleaning, each rule its own skip reason: a face was found ("no-face" for a
 * face_score of −Inf), face_score ≥ 1 ("low-face-score"), no second face (second_face_score NaN,
 * else "second-face"), 0 ≤ age ≤ 100 ("age-out-of-range").
 *
 * Rows are checked in this order, the first failing rule naming the skip: malformed row, duplicate
 * path, no usable age, age range, no face, face score, second face, missing image file.
 *
 * @module
 */
import { join } from "node:path";
import { DataError } from "../../errors.ts";
import { matNumbers, matStrings, type MatStruct, type MatValue, readMat } from "../mat.ts";
import type { AgeSample } from "../types.ts";
import type { AdapterResult } from "../skips.ts";
import {
  ageRangeOption,
  boolOption,
  checkAge,
  FileIndex,
  numberOption,
  REASON,
  requireDir,
  ResultBuilder,
  stringOption,
  underRoot,
} from "./common.ts";

/** Options of {@link loadImdbWiki}. */
export interface ImdbWikiOptions {
  /** The metadata file, absolute or relative to the dataset folder (default: `wiki.mat` or `imdb.mat` there). */
  mat?: string;
  /** Minimum face_score (default 1). */
  minFaceScore?: number;
  /** Keep images with a second face (default false). */
  allowSecondFace?: boolean;
  /** Accepted ages (default 0–100). */
  minAge?: number;
  maxAge?: number;
  /** Check that each image file exists (default true). */
  checkFiles?: boolean;
}

/** An IMDB-WIKI sample: an {@link AgeSample} plus the detector's box and score. */
export interface ImdbWikiSample extends AgeSample {
  /** face_location: x1, y1, x2, y2 in pixels of the image. */
  faceBox?: [number, number, number, number];
  faceScore: number;
}

/** MATLAB's serial date number of 1970-01-01 (day 1 is 1 January of year 0). */
const DATENUM_UNIX_EPOCH = 719529;

/** The calendar date (UTC, proleptic Gregorian) of a MATLAB serial date number. */
export function datenumToDate(datenum: number): { year: number; month: number; day: number } {
  const d = new Date((Math.floor(datenum) - DATENUM_UNIX_EPOCH) * 86_400_000);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/**
 * Whole years from the birth date `dob` (a MATLAB serial date number) to 1 July of
 * `photoTaken`: someone born on 1 July has had their birthday, someone born on 2 July has not.
 * Undefined when either value is not finite.
 */
export function imdbWikiAge(dob: number, photoTaken: number): number | undefined {
  if (!Number.isFinite(dob) || !Number.isFinite(photoTaken) || !Number.isInteger(photoTaken)) {
    return undefined;
  }
  const { year, month, day } = datenumToDate(dob);
  const beforeBirthday = month > 7 || (month === 7 && day > 1);
  return photoTaken - year - (beforeBirthday ? 1 : 0);
}

/** The first struct variable of the file (`wiki` or `imdb`). */
function metadataStruct(variables: Record<string, MatValue>, where: string): MatStruct {
  for (const name of ["wiki", "imdb", ...Object.keys(variables)]) {
    const v = variables[name];
    if (v?.kind === "struct" && v.elements.length === 1) return v;
  }
  throw new DataError(`${where}: no wiki/imdb struct found (variables: ${Object.keys(variables)})`);
}

async function findMat(root: string): Promise<string> {
  for (const name of ["wiki.mat", "imdb.mat"]) {
    try {
      if ((await Deno.stat(join(root, name))).isFile) return join(root, name);
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
  }
  throw new DataError(
    `imdb-wiki: no wiki.mat or imdb.mat in ${root} (set the mat option to the metadata file)`,
  );
}

/**
 * Loads IMDB-WIKI from `root` (the `wiki_crop/` or `imdb_crop/` folder: images under
 * `full_path`, metadata `wiki.mat`/`imdb.mat` there unless `options.mat` says otherwise).
 */
export async function loadImdbWiki(
  root: string,
  options: ImdbWikiOptions = {},
): Promise<AdapterResult> {
  const o = options as Record<string, unknown>;
  const range = ageRangeOption(o, { minAge: 0, maxAge: 100 });
  const minFaceScore = numberOption(o, "minFaceScore", 1);
  const allowSecondFace = boolOption(o, "allowSecondFace", false);
  const checkFiles = boolOption(o, "checkFiles", true);
  await requireDir(root, "imdb-wiki");
  const matPath = underRoot(root, stringOption(o, "mat") ?? await findMat(root));
  const { variables } = await readMat(matPath);
  const meta = metadataStruct(variables, matPath).elements[0];
  const field = (name: string) => `${matPath}: field ${name}`;
  const dob = matNumbers(meta.dob, field("dob"));
  const taken = matNumbers(meta.photo_taken, field("photo_taken"));
  const paths = matStrings(meta.full_path, field("full_path"));
  const score = matNumbers(meta.face_score, field("face_score"));
  const second = matNumbers(meta.second_face_score, field("second_face_score"));
  const loc = meta.face_location;
  const boxes = loc?.kind === "cell" ? loc.cells : undefined;
  const n = paths.length;
  for (
    const [name, arr] of [["dob", dob], ["photo_taken", taken], ["face_score", score], [
      "second_face_score",
      second,
    ]] as const
  ) {
    if (arr.length !== n) {
      throw new DataError(`${field(name)}: ${arr.length} entries, full_path has ${n}`);
    }
  }

  const b = new ResultBuilder("imdb-wiki");
  const files = new FileIndex();
  for (let i = 0; i < n; i++) {
    const ref = `${matPath}:${i + 1}`;
    const rel = paths[i]?.trim();
    if (!rel) {
      b.skip(ref, REASON.malformedRow, "full_path is empty or not a string");
      continue;
    }
    const path = join(root, rel);
    if (!b.firstTime(rel)) {
      b.skip(ref, REASON.duplicateRow, `${rel} listed again`);
      continue;
    }
    const age = imdbWikiAge(dob[i], taken[i]);
    if (age === undefined) {
      b.skip(path, REASON.noIntegerAge, `dob ${dob[i]}, photo_taken ${taken[i]}`);
      continue;
    }
    if (!checkAge(b, path, age, range)) continue;
    if (!Number.isFinite(score[i])) {
      b.skip(path, "no-face", `face_score ${score[i]}`);
      continue;
    }
    if (score[i] < minFaceScore) {
      b.skip(path, "low-face-score", `face_score ${score[i].toFixed(3)} < ${minFaceScore}`);
      continue;
    }
    if (!allowSecondFace && !Number.isNaN(second[i])) {
      b.skip(path, "second-face", `second_face_score ${second[i].toFixed(3)}`);
      continue;
    }
    if (checkFiles && !(await files.has(path))) {
      b.skip(path, REASON.missingFile, `listed at ${ref}`);
      continue;
    }
    const sample: ImdbWikiSample = { path, age, faceScore: score[i] };
    const box = boxes?.[i];
    if (box?.kind === "numeric" && box.data.length === 4) {
      sample.faceBox = [box.data[0], box.data[1], box.data[2], box.data[3]];
    }
    b.samples.push(sample);
  }
  return b.result();
}
