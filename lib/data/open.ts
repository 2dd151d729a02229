/**
 * From a {@link DataConfig} to the train and test {@link SampleSource}s: picks the dataset's
 * source (the generated synthetic sets, or a real dataset's adapter with its folder from the
 * environment), builds or reuses the decoded cache (resize for pre-aligned sets, detect and align
 * otherwise), splits it and reports what was skipped.
 *
 * | dataset              | source                               | crops  | split                    |
 * | -------------------- | ------------------------------------ | ------ | ------------------------ |
 * | `synthetic-target`   | generated (Morph CSV layout)         | resize | Morph's: random 80/20    |
 * | `synthetic-pretrain` | generated (UTKFace names)            | resize | seeded, stratified 90/10 |
 * | `utkface`            | `CEN_UTKFACE_DIR`                    | resize | split file, else seeded  |
 * | `morph`              | `CEN_MORPH_DIR`                      | detect | adapter (random 80/20)   |
 * | `chalearn`           | `CEN_CHALEARN_DIR`                   | detect | train / val              |
 * | `megaage`            | `CEN_MEGAAGE_DIR`                    | resize | train / test             |
 * | `aaf`                | `CEN_AAF_DIR`                        | crop   | train / val (official)   |
 * | `real-pretrain`      | `CEN_UTKFACE_REST_DIR` + AAF train   | both   | seeded 95/5, no test img |
 * | `utkface+aaf`        | `CEN_UTKFACE_DIR` + `CEN_AAF_DIR`    | both   | each part's own          |
 * | `imdb-wiki`          | `CEN_IMDB_WIKI_DIR` (`CEN_IMDB_DIR`) | detect | seeded, stratified 95/5  |
 *
 * @module
 */
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { DataConfig } from "../config.ts";
import { DataError } from "../errors.ts";
import { exists } from "../fsutil.ts";
import { displayPath, environment } from "../paths.ts";
import { ADAPTERS, loadDataset } from "./adapters/index.ts";
import { type AlignMode, alignSettings, type FaceDetector, makePreparer } from "./align.ts";
import { createHash } from "node:crypto";
import { cacheFingerprint, cacheSource, rowSource } from "./batches.ts";
import { buildCache, type Cache } from "./cache.ts";
import { acquireLock } from "../lock.ts";
import { type DataReport, type SkipRecord, summarize } from "./skips.ts";
import { SYNTHETIC_VERSION, type SyntheticPreset, writeSynthetic } from "./synthetic.ts";
import { defaultUtkfaceSplitPath, matchSplit, readSplitFile, stratifiedSplit } from "./split.ts";
import type { AgeSample, SampleSource } from "./types.ts";

export { stratifiedSplit } from "./split.ts";

/** Options of {@link openDataset}. */
export interface OpenOptions {
  /** Side of the images the sources yield. */
  imageSize: number;
  /** Folder of caches and generated sets (default: `results/cache` in this checkout). */
  cacheRoot?: string;
  /** Environment to read dataset locations from (default: the process environment). */
  env?: Record<string, string>;
  log?: (line: string) => void;
  /** A loaded face detector for the datasets that need alignment (loaded on demand otherwise). */
  detector?: FaceDetector;
}

/** What {@link openDataset} returns. */
export interface OpenedDataset {
  train: SampleSource;
  test: SampleSource;
  /** Images loaded (in the cache) and every input skipped, by reason. */
  report: DataReport;
}

/** How each real dataset is found and prepared. */
interface RealDataset {
  env: string[];
  align: AlignMode;
  /** Split: the adapter's `split` field ("train" vs the `test` names), or a seeded one. */
  split: { from: "adapter"; test: string[] } | { from: "seeded"; testFraction: number };
  /** The committed split file used when the folder matches it (else the seeded split). */
  splitFile?: () => string;
}

const REAL: Record<string, RealDataset> = {
  utkface: {
    env: ["CEN_UTKFACE_DIR"],
    align: "resize",
    split: { from: "seeded", testFraction: 0.2 },
    splitFile: defaultUtkfaceSplitPath,
  },
  morph: { env: ["CEN_MORPH_DIR"], align: "detect", split: { from: "adapter", test: ["test"] } },
  chalearn: {
    env: ["CEN_CHALEARN_DIR"],
    align: "detect",
    split: { from: "adapter", test: ["val"] },
  },
  megaage: {
    env: ["CEN_MEGAAGE_DIR"],
    align: "resize",
    split: { from: "adapter", test: ["test"] },
  },
  aaf: { env: ["CEN_AAF_DIR"], align: "aaf-crop", split: { from: "adapter", test: ["val"] } },
  "imdb-wiki": {
    env: ["CEN_IMDB_WIKI_DIR", "CEN_IMDB_DIR", "CEN_WIKI_DIR"],
    align: "detect",
    split: { from: "seeded", testFraction: 0.05 },
  },
};

/** Parameters {@link openDataset} reads itself (the rest go to the adapter). */
const OWN_PARAMS = ["seed", "testFraction", "align", "validation"];
/** Parameters of the datasets with a split file (see {@link applySplitFile}). */
const SPLIT_FILE_PARAMS = ["split", "splitFile"];
const SYNTHETIC_PARAMS = ["count", "seed", "size", "split", "testFraction", "validation"];

/** The dataset names {@link openDataset} knows. */
export function openableDatasets(): string[] {
  return [
    "synthetic-target",
    "synthetic-pretrain",
    ...Object.keys(REAL),
    ...Object.keys(COMPOSITE),
  ];
}

/** `results/cache` of this checkout (independent of the working directory). */
export function defaultCacheRoot(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "results", "cache");
}

function num(params: DataConfig["params"], key: string, fallback: number): number {
  const v = params[key];
  if (v === undefined) return fallback;
  if (typeof v !== "number" || !Number.isFinite(v)) {
    throw new DataError(`data.params.${key} must be a number, got ${JSON.stringify(v)}`);
  }
  return v;
}

function checkKeys(dataset: string, params: DataConfig["params"], allowed: string[]): void {
  for (const key of Object.keys(params)) {
    if (!allowed.includes(key)) {
      throw new DataError(
        `${dataset}: unknown data.params key "${key}" (accepted: ${allowed.join(", ")})`,
      );
    }
  }
}

/** One dataset in its decoded cache: the rows of its training and test images, and a report. */
interface OpenedRows {
  cache: Cache;
  train: number[];
  test: number[];
  report: DataReport;
  /** Every input skipped, with its reason. */
  skipped: SkipRecord[];
}

/**
 * Opens dataset `data.dataset`: train and test sources of `imageSize` px images and a report.
 * Throws a {@link DataError} for an unknown dataset, a dataset whose folder is not configured,
 * or one with no usable image.
 *
 * @example
 * ```ts
 * import { openDataset } from "../mod.ts";
 * const { train, test, report } = await openDataset(
 *   { dataset: "synthetic-target", params: { count: 200 }, augment: false },
 *   { imageSize: 32, log: console.log },
 * );
 * console.log(train.length, test.length, report.skipped);
 * ```
 */
export async function openDataset(
  data: DataConfig,
  options: OpenOptions,
): Promise<OpenedDataset> {
  const size = options.imageSize;
  if (!Number.isInteger(size) || size < 16) {
    throw new DataError(`imageSize must be an integer ≥ 16, got ${size}`);
  }
  const name = data.dataset;
  if (Object.hasOwn(COMPOSITE, name)) return await openComposite(name, data, options);
  const opened = await openRows(data, options);
  const { cache, report } = opened;
  const { train, test, testName } = holdOut(opened, data);
  if (train.length === 0 || test.length === 0) {
    throw new DataError(
      `dataset "${name}": the split leaves ${train.length} training and ${test.length} test images`,
    );
  }
  return {
    train: cacheSource(cache, { name: `${name}/train`, rows: Int32Array.from(train) }),
    test: cacheSource(cache, { name: `${name}/${testName}`, rows: Int32Array.from(test) }),
    report,
  };
}

/**
 * `data.params.validation` (a fraction in (0, 0.5]): a validation part carved from the training
 * images (age-stratified, seeded by `data.params.seed`) takes the test side's place, and the test
 * images are not used at all, so a choice made on it (the epoch length E) never sees the test
 * split. Without it, the training and test rows as the dataset splits them.
 */
function holdOut(
  rows: Pick<OpenedRows, "cache" | "train" | "test">,
  data: DataConfig,
): { train: number[]; test: number[]; testName: string } {
  const fraction = data.params?.validation;
  if (fraction === undefined) return { train: rows.train, test: rows.test, testName: "test" };
  if (typeof fraction !== "number" || !(fraction > 0 && fraction <= 0.5)) {
    throw new DataError(
      `${data.dataset}: data.params.validation must be a fraction in (0, 0.5], got ${fraction}`,
    );
  }
  const ages = rows.train.map((r) => rows.cache.index.ages[r]);
  const seed = typeof data.params?.seed === "number" ? data.params.seed : 0;
  const isVal = stratifiedSplit(ages, fraction, mixSeedOf(seed));
  return {
    train: rows.train.filter((_, i) => !isVal[i]),
    test: rows.train.filter((_, i) => isVal[i]),
    testName: "validation",
  };
}

/** The validation carve's own seed, apart from the train/test split's at the same `seed`. */
const mixSeedOf = (seed: number) => seed + 0x7a11;

/** Loads, caches and splits one dataset (see {@link openDataset}); either side may be empty. */
async function openRows(data: DataConfig, options: OpenOptions): Promise<OpenedRows> {
  const size = options.imageSize;
  const log = options.log ?? (() => {});
  const root = options.cacheRoot ?? defaultCacheRoot();
  const env = options.env ?? environment();
  const name = data.dataset;
  const params = data.params ?? {};

  let folder: string;
  let adapter: string;
  let adapterParams: Record<string, string | number | boolean> = {};
  let align: AlignMode;
  let split: RealDataset["split"];
  let splitFile: string | undefined;
  if (name === "synthetic-target" || name === "synthetic-pretrain") {
    checkKeys(name, params, SYNTHETIC_PARAMS);
    folder = await ensureSynthetic(name, params, size, root, log);
    align = "resize";
    if (name === "synthetic-target") {
      adapter = "morph";
      const mode = params.split ?? "random";
      if (mode !== "random" && mode !== "subject") {
        throw new DataError(`${name}: data.params.split must be "random" or "subject"`);
      }
      adapterParams = {
        split: mode,
        seed: num(params, "seed", 0),
        trainFraction: 1 - num(params, "testFraction", 0.2),
      };
      split = { from: "adapter", test: ["test"] };
    } else {
      adapter = "utkface";
      adapterParams = { maxAge: 100 };
      split = { from: "seeded", testFraction: num(params, "testFraction", 0.1) };
    }
  } else if (Object.hasOwn(REAL, name)) {
    const spec = REAL[name];
    const own = [...OWN_PARAMS, ...(spec.splitFile ? SPLIT_FILE_PARAMS : [])];
    const allowed = [...own, ...ADAPTERS[name].params];
    checkKeys(name, params, allowed);
    const key = spec.env.find((k) => env[k]);
    if (!key) {
      throw new DataError(
        `dataset "${name}": its location is not configured; set ${
          spec.env.join(" or ")
        } to its folder (layout: data/README.md)`,
      );
    }
    folder = env[key];
    adapter = name;
    for (const [k, v] of Object.entries(params)) if (!own.includes(k)) adapterParams[k] = v;
    splitFile = spec.splitFile?.();
    const a = params.align ?? spec.align;
    if (a !== "resize" && a !== "detect" && a !== "aaf-crop") {
      throw new DataError(`${name}: data.params.align must be "resize", "detect" or "aaf-crop"`);
    }
    align = a;
    split = spec.split.from === "seeded"
      ? { from: "seeded", testFraction: num(params, "testFraction", spec.split.testFraction) }
      : spec.split;
  } else {
    throw new DataError(
      `unknown dataset "${name}" (one of ${openableDatasets().join(", ")})`,
    );
  }

  log(`data: loading ${name} from ${displayPath(folder)}`);
  const loaded = await loadDataset(adapter, folder, adapterParams);
  const adapterSkips: SkipRecord[] = loaded.skipped;
  if (loaded.samples.length === 0) {
    const report = summarize(name, 0, adapterSkips);
    throw new DataError(
      `dataset "${name}" in ${folder} is empty: no usable labelled image (skipped: ${
        JSON.stringify(report.skipped)
      })`,
    );
  }
  let samples = loaded.samples;
  let fileTest: Set<string> | undefined;
  if (splitFile) {
    const fixed = await applySplitFile(name, folder, loaded.samples, adapterSkips, params, {
      defaultPath: splitFile,
      log,
    });
    if (fixed) {
      samples = fixed.samples;
      adapterSkips.push(...fixed.skipped);
      fileTest = fixed.test;
    }
  }
  let detector = options.detector;
  if (align === "detect" && !detector) {
    const { loadFaceDetector } = await import("./align.ts");
    detector = await loadFaceDetector();
  }
  const cache = await buildCache(samples, {
    root,
    settings: { dataset: name, size, align: alignSettings(align) },
    prepare: makePreparer(align, size, detector),
    concurrency: align === "detect" ? 1 : 4,
    log,
  });
  const index = cache.index;
  const skipped = [...adapterSkips, ...index.skipped];
  const report = summarize(name, index.count, skipped);
  if (index.count === 0) {
    throw new DataError(
      `dataset "${name}" is empty: none of ${loaded.samples.length} images could be used ` +
        `(skipped: ${JSON.stringify(report.skipped)})`,
    );
  }
  const train: number[] = [], test: number[] = [];
  if (fileTest) {
    index.paths.forEach((p, r) => (fileTest.has(basename(p)) ? test : train).push(r));
  } else if (split.from === "seeded") {
    const isTest = stratifiedSplit(index.ages, split.testFraction, num(params, "seed", 0));
    isTest.forEach((t, r) => (t ? test : train).push(r));
  } else {
    const splits = index.splits ?? [];
    for (let r = 0; r < index.count; r++) {
      const s = splits[r] ?? "train";
      if (split.test.includes(s)) test.push(r);
      else if (s === "train") train.push(r);
    }
  }
  log(
    `data: ${name} ${size}px: ${train.length} train, ${test.length} test, ${
      adapterSkips.length + index.skipped.length
    } skipped`,
  );
  return { cache, train, test, report, skipped };
}

/** One part of a composite dataset: a real dataset, maybe from another folder, with its params. */
interface Part {
  dataset: string;
  /** Read the dataset's folder from this variable instead of its own (e.g. UTKFace's other part). */
  env?: string;
  params: DataConfig["params"];
}

/**
 * Datasets made of several real ones. `split: "parts"` keeps each part's own split (train with
 * train, test with test); a seeded split pools every image of every part, then holds out
 * `testFraction` of them (stratified by age decade), after dropping any image that is a test image
 * of a target ({@link targetTestNames}).
 */
interface Composite {
  parts: Part[];
  split: "parts" | { testFraction: number };
}

const COMPOSITE: Record<string, Composite> = {
  /** Real-face pretraining (Eq. 14): UTKFace's other chips and AAF's train list; 5% held out. */
  "real-pretrain": {
    parts: [
      { dataset: "utkface", env: "CEN_UTKFACE_REST_DIR", params: { split: "seeded" } },
      { dataset: "aaf", params: { splits: "train" } },
    ],
    split: { testFraction: 0.05 },
  },
  /** Both targets at once (the shipped model): UTKFace part 1's split and AAF's train / val. */
  "utkface+aaf": {
    parts: [{ dataset: "utkface", params: {} }, { dataset: "aaf", params: {} }],
    split: "parts",
  },
};

/**
 * Names of the test images of the target datasets (UTKFace part 1's committed split, AAF's val
 * list when its folder is configured): a pretraining set must not contain any of them.
 */
async function targetTestNames(env: Record<string, string>): Promise<Set<string>> {
  const names = new Set((await readSplitFile(defaultUtkfaceSplitPath())).test);
  if (env.CEN_AAF_DIR) {
    const val = await loadDataset("aaf", env.CEN_AAF_DIR, { splits: "val", checkFiles: false });
    for (const s of val.samples) names.add(basename(s.path));
  }
  return names;
}

/** Opens a {@link Composite} dataset: each part in its own cache, one source over all of them. */
async function openComposite(
  name: string,
  data: DataConfig,
  options: OpenOptions,
): Promise<OpenedDataset> {
  const spec = COMPOSITE[name];
  const env = options.env ?? environment();
  const own = ["seed", "testFraction"];
  checkKeys(name, data.params ?? {}, own);
  const parts: OpenedRows[] = [];
  for (const part of spec.parts) {
    let partEnv = env;
    if (part.env) {
      const folder = env[part.env];
      if (!folder) {
        throw new DataError(
          `dataset "${name}": the location of its ${part.dataset} part is not configured; ` +
            `set ${part.env} to its folder (layout: data/README.md)`,
        );
      }
      partEnv = { ...env, [REAL[part.dataset].env[0]]: folder };
    }
    const partData = { dataset: part.dataset, params: part.params, augment: data.augment };
    parts.push(await openRows(partData, { ...options, env: partEnv }));
  }
  // Global rows: part i's row r is offsets[i] + r.
  const offsets = parts.map((_, i) =>
    parts.slice(0, i).reduce((n, p) => n + p.cache.index.count, 0)
  );
  const global = (i: number, rows: number[]) => rows.map((r) => offsets[i] + r);
  let train: number[], test: number[];
  const skipped: SkipRecord[] = parts.flatMap((p) => p.skipped);
  if (spec.split === "parts") {
    train = parts.flatMap((p, i) => global(i, p.train));
    test = parts.flatMap((p, i) => global(i, p.test));
  } else {
    const exclude = await targetTestNames(env);
    const pool: number[] = [];
    parts.forEach((p, i) => {
      for (const r of [...p.train, ...p.test]) {
        const path = p.cache.index.paths[r];
        if (exclude.has(basename(path))) {
          skipped.push({ path, reason: "target-test-image", detail: "a target's test image" });
        } else pool.push(offsets[i] + r);
      }
    });
    pool.sort((a, b) => a - b);
    const ages = pool.map((g) => ageOf(parts, offsets, g));
    const isTest = stratifiedSplit(
      ages,
      num(data.params, "testFraction", spec.split.testFraction),
      num(data.params, "seed", 0),
    );
    train = pool.filter((_, j) => !isTest[j]);
    test = pool.filter((_, j) => isTest[j]);
  }
  if (train.length === 0 || test.length === 0) {
    throw new DataError(
      `dataset "${name}": the split leaves ${train.length} training and ${test.length} test images`,
    );
  }
  const loaded = parts.reduce((n, p) => n + p.report.loaded, 0);
  const report = summarize(name, loaded, skipped);
  options.log?.(
    `data: ${name}: ${train.length} train, ${test.length} test from ${parts.length} parts`,
  );
  const source = (rows: number[], side: string) =>
    partsSource(parts, offsets, rows, `${name}/${side}`);
  return { train: source(train, "train"), test: source(test, "test"), report };
}

function ageOf(parts: OpenedRows[], offsets: number[], g: number): number {
  const i = partOf(offsets, g);
  return parts[i].cache.index.ages[g - offsets[i]];
}

function partOf(offsets: number[], g: number): number {
  let i = offsets.length - 1;
  while (offsets[i] > g) i--;
  return i;
}

/** A source over global rows of several caches (of one image size), fingerprinted part by part. */
function partsSource(
  parts: OpenedRows[],
  offsets: number[],
  rows: number[],
  name: string,
): SampleSource {
  const size = parts[0].cache.index.size;
  const per = size * size * 3;
  const ages = new Int32Array(
    offsets[offsets.length - 1] + parts[parts.length - 1].cache.index.count,
  );
  parts.forEach((p, i) => ages.set(p.cache.index.ages, offsets[i]));
  const fingerprint = hashParts(parts.map((p, i) => {
    const local = rows.filter((g) => partOf(offsets, g) === i).map((g) => g - offsets[i]);
    return cacheFingerprint(p.cache, local);
  }));
  const reader = {
    size,
    async readRows(list: ArrayLike<number>, dst: Uint8Array): Promise<void> {
      for (let j = 0; j < list.length; j++) {
        const i = partOf(offsets, list[j]);
        await parts[i].cache.readRows([list[j] - offsets[i]], dst.subarray(j * per, (j + 1) * per));
      }
    },
  };
  const paths = parts.flatMap((p) => p.cache.index.paths);
  return rowSource(reader, { name, rows: Int32Array.from(rows), ages, fingerprint, paths });
}

function hashParts(prints: string[]): string {
  return createHash("sha256").update(prints.join(",")).digest("hex").slice(0, 16);
}

/** A fixed split applied to a folder's samples: what {@link applySplitFile} returns. */
interface FileSplit {
  /** The samples the split file names (the others are skipped as "not-in-split"). */
  samples: AgeSample[];
  skipped: SkipRecord[];
  /** File names of the test images. */
  test: Set<string>;
}

/**
 * Picks the split of a dataset with a committed split file (UTKFace). `data.params.split`:
 * `"auto"` (default) uses the split file when the folder holds its images and the seeded split
 * when it shares none of them; `"file"` requires the split file; `"seeded"` ignores it.
 * `data.params.splitFile` names another split file (and implies `"file"`). A folder holding
 * only part of the split file's images is an error either way; folder images the file does not
 * name are skipped as `not-in-split`. Returns undefined where the seeded split applies.
 */
async function applySplitFile(
  name: string,
  folder: string,
  samples: AgeSample[],
  skipped: SkipRecord[],
  params: DataConfig["params"],
  options: { defaultPath: string; log: (line: string) => void },
): Promise<FileSplit | undefined> {
  const custom = params.splitFile;
  if (custom !== undefined && (typeof custom !== "string" || custom === "")) {
    throw new DataError(`${name}: data.params.splitFile must be a path`);
  }
  const mode = params.split ?? (custom ? "file" : "auto");
  if (mode !== "auto" && mode !== "file" && mode !== "seeded") {
    throw new DataError(
      `${name}: data.params.split must be "auto", "file" or "seeded", got ${JSON.stringify(mode)}`,
    );
  }
  if (mode === "seeded") return undefined;
  const path = custom ?? options.defaultPath;
  const optOut = `set data.params.split = "seeded" for a seeded split of this folder`;
  let file;
  try {
    file = await readSplitFile(path);
  } catch (e) {
    if (e instanceof DataError) throw new DataError(`${name}: ${e.message}; ${optOut}`);
    throw e;
  }
  const m = matchSplit(file, samples.map((s) => s.path), skipped.map((s) => s.path));
  if (m.found === 0) {
    if (mode === "auto") {
      options.log(
        `data: ${name}: ${displayPath(folder)} has none of the images of split file ${
          displayPath(path)
        }; ` +
          `using the seeded split`,
      );
      return undefined;
    }
    throw new DataError(
      `${name}: split file ${path} (${file.dataset}) does not match ${folder}: ` +
        `none of its ${m.missing.length} images are there; ${optOut}`,
    );
  }
  if (m.missing.length > 0) {
    throw new DataError(
      `${name}: ${folder} lacks ${m.missing.length} of the ${
        m.found + m.missing.length
      } images named in split file ${path} (${file.dataset}), e.g. ${
        m.missing.slice(0, 3).join(", ")
      }; restore them, or ${optOut}`,
    );
  }
  const kept: AgeSample[] = [];
  const extra: SkipRecord[] = [];
  samples.forEach((s, i) => {
    if (m.side[i] === "none") {
      extra.push({ path: s.path, reason: "not-in-split", detail: `not named in ${path}` });
    } else kept.push(s);
  });
  const ignored = ["seed", "testFraction"].filter((k) => params[k] !== undefined);
  options.log(
    `data: ${name}: split from ${
      displayPath(path)
    } (${file.dataset}: ${file.rule}, seed ${file.seed})` +
      (ignored.length ? `; data.params ${ignored.join(", ")} ignored` : ""),
  );
  return { samples: kept, skipped: extra, test: new Set(file.test) };
}

/** Generates a synthetic preset into the cache folder unless it is there already. */
async function ensureSynthetic(
  preset: SyntheticPreset,
  params: DataConfig["params"],
  imageSize: number,
  root: string,
  log: (line: string) => void,
): Promise<string> {
  const count = params.count === undefined ? undefined : num(params, "count", 0);
  const seed = num(params, "seed", 0);
  const size = num(params, "size", imageSize);
  const dir = join(
    root,
    "synthetic",
    `${preset}-v${SYNTHETIC_VERSION}-n${count ?? "default"}-s${seed}-${size}px`,
  );
  if (await exists(join(dir, "manifest.json"))) return dir;
  await Deno.mkdir(join(root, "synthetic"), { recursive: true });
  const lock = await acquireLock(`${dir}.lock`, { log, what: `generating ${dir}` });
  try {
    if (await exists(join(dir, "manifest.json"))) return dir; // made while we waited
    log(`data: generating ${preset} into ${displayPath(dir)}`);
    await writeSynthetic(dir, { preset, count, seed, size, log });
  } finally {
    await lock.release();
  }
  return dir;
}
