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
 * | `imdb-wiki`          | `CEN_IMDB_WIKI_DIR` (`CEN_IMDB_DIR`) | detect | seeded, stratified 95/5  |
 *
 * @module
 */
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { DataConfig } from "../config.ts";
import { DataError } from "../errors.ts";
import { exists } from "../fsutil.ts";
import { ADAPTERS, loadDataset } from "./adapters/index.ts";
import { type AlignMode, alignSettings, type FaceDetector, makePreparer } from "./align.ts";
import { cacheSource } from "./batches.ts";
import { acquireLock, buildCache } from "./cache.ts";
import { type DataReport, type SkipRecord, summarize } from "./report.ts";
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
  "imdb-wiki": {
    env: ["CEN_IMDB_WIKI_DIR", "CEN_IMDB_DIR", "CEN_WIKI_DIR"],
    align: "detect",
    split: { from: "seeded", testFraction: 0.05 },
  },
};

/** Parameters {@link openDataset} reads itself (the rest go to the adapter). */
const OWN_PARAMS = ["seed", "testFraction", "align"];
/** Parameters of the datasets with a split file (see {@link applySplitFile}). */
const SPLIT_FILE_PARAMS = ["split", "splitFile"];
const SYNTHETIC_PARAMS = ["count", "seed", "size", "split", "testFraction"];

/** The dataset names {@link openDataset} knows. */
export function openableDatasets(): string[] {
  return ["synthetic-target", "synthetic-pretrain", ...Object.keys(REAL)];
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

/**
 * Opens dataset `data.dataset`: train and test sources of `imageSize` px images and a report.
 * Throws a {@link DataError} for an unknown dataset, a dataset whose folder is not configured,
 * or one with no usable image.
 */
export async function openDataset(
  data: DataConfig,
  options: OpenOptions,
): Promise<OpenedDataset> {
  const size = options.imageSize;
  if (!Number.isInteger(size) || size < 16) {
    throw new DataError(`imageSize must be an integer ≥ 16, got ${size}`);
  }
  const log = options.log ?? (() => {});
  const root = options.cacheRoot ?? defaultCacheRoot();
  const env = options.env ?? Deno.env.toObject();
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
    if (a !== "resize" && a !== "detect") {
      throw new DataError(`${name}: data.params.align must be "resize" or "detect"`);
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

  log(`data: loading ${name} from ${folder}`);
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
  const report = summarize(name, index.count, [...adapterSkips, ...index.skipped]);
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
  if (train.length === 0 || test.length === 0) {
    throw new DataError(
      `dataset "${name}": the split leaves ${train.length} training and ${test.length} test images`,
    );
  }
  log(
    `data: ${name} ${size}px: ${train.length} train, ${test.length} test, ${
      adapterSkips.length + index.skipped.length
    } skipped`,
  );
  return {
    train: cacheSource(cache, { name: `${name}/train`, rows: Int32Array.from(train) }),
    test: cacheSource(cache, { name: `${name}/test`, rows: Int32Array.from(test) }),
    report,
  };
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
        `data: ${name}: ${folder} has none of the images of split file ${path}; ` +
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
    `data: ${name}: split from ${path} (${file.dataset}: ${file.rule}, seed ${file.seed})` +
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
  const release = await acquireLock(`${dir}.lock`, log);
  try {
    if (await exists(join(dir, "manifest.json"))) return dir; // made while we waited
    log(`data: generating ${preset} into ${dir}`);
    await writeSynthetic(dir, { preset, count, seed, size, log });
  } finally {
    await release();
  }
  return dir;
}
