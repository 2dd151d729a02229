/**
 * `deno task predict <image|folder> [--run <id|dir>] [--out <file.csv>] [--align auto|detect|none]`
 *
 * Writes a CSV (stdout without `--out`) with the header
 * `file,age,age_ldl,age_reg,top_ages,face,skipped`: one row per face (a photo with several faces
 * gets several rows, left to right), and one row per file that gave none, with the reason in
 * `skipped` (also reported on stderr). Faces are detected and aligned in raw photos; with
 * `--align auto` (default) a small square image (≤ 256 px) is taken as a pre-aligned chip and used
 * whole, as the pre-aligned datasets are in training. A small image with no face found, even
 * framed or upscaled, is used whole; `face` says which path each row took (lib/inference.ts:
 * FaceSource). An image's size is read from its header first: one of more than 40 megapixels
 * (`--max-megapixels`) is skipped before decoding, and a photo is decoded straight to 2,048 px for
 * face finding, so a pixel bomb never stops the batch. The model is the one `--run` names, else
 * the exported one in `results/model/`, else the model that ships in `model/`.
 */
import { type CommandSpec, runCli } from "../lib/cli.ts";
import { initBackend } from "../lib/backend/mod.ts";
import { DataError, NotFoundError, UsageError } from "../lib/errors.ts";
import { exists, writeTextAtomic } from "../lib/fsutil.ts";
import { MAX_IMAGE_PIXELS } from "../lib/data/limits.ts";
import {
  type AlignPolicy,
  listImages,
  loadAgeModel,
  predictFiles,
  rowsToCsv,
  sourceCounts,
} from "../lib/inference.ts";
import {
  DEFAULT_EXPORT_DIR,
  defaultModelDir,
  finalModelDir,
  SHIPPED_MODEL_DIR,
} from "../lib/train/run.ts";

/** The command line of `deno task predict`. */
export const PREDICT_CLI = {
  name: "predict",
  usage:
    "deno task predict <image|folder> [--run <id|dir>] [--out file.csv] [--align auto|detect|none]",
  summary: "Ages of the faces in an image or a folder of images, as CSV (one row per face).",
  options: {
    run: {
      type: "string",
      value: "<id|dir>",
      help: "the run whose final model to use (default: the exported one in results/model, " +
        "else the shipped one in model/)",
    },
    out: { type: "string", value: "<file.csv>", help: "write the CSV here (default: stdout)" },
    align: {
      type: "string",
      choices: ["auto", "detect", "none"],
      help: "detect and align faces, use images whole, or decide per image (default auto)",
    },
    "max-megapixels": {
      type: "number",
      value: "<n>",
      help: `skip images with more pixels, read from their header (default ${
        MAX_IMAGE_PIXELS / 1e6
      })`,
    },
  },
  positionals: [1, 1],
} as const satisfies CommandSpec;

/** The model folder: the named run's final model, else the exported one. */
async function modelDirOf(run: string | undefined): Promise<string> {
  if (run !== undefined) {
    try {
      return await finalModelDir(run);
    } catch (e) {
      throw new NotFoundError(`--run ${run}: ${(e as Error).message}`);
    }
  }
  const dir = await defaultModelDir();
  if (dir) return dir;
  throw new NotFoundError(
    `no model: pass --run <id>, export one (deno task export --run <id>) to ${DEFAULT_EXPORT_DIR}, ` +
      `or restore the shipped one in ${SHIPPED_MODEL_DIR}`,
  );
}

/** The image files under `path` (a file or a folder); refuses a missing path or no images. */
async function imagesAt(path: string): Promise<string[]> {
  if (!(await exists(path))) throw new NotFoundError(`${path}: no such file or folder`);
  let files: string[];
  try {
    files = await listImages(path);
  } catch (e) {
    throw new DataError(`cannot read ${path}: ${(e as Error).message}`);
  }
  if (files.length === 0) throw new DataError(`${path}: no images (.jpg, .png, …) found`);
  return files;
}

if (import.meta.main) {
  await runCli(PREDICT_CLI, async ({ options, positionals }) => {
    const align: AlignPolicy = options.align ?? "auto";
    const megapixels = options["max-megapixels"];
    if (megapixels !== undefined && !(megapixels > 0)) {
      throw new UsageError(`--max-megapixels must be positive, got ${megapixels}`);
    }
    const files = await imagesAt(positionals[0]);
    const modelDir = await modelDirOf(options.run);
    await initBackend(undefined, (l) => console.error(l));
    const model = await loadAgeModel(modelDir);
    console.error(`model ${modelDir} (${model.size}px, ages ${model.minAge}–${model.maxAge})`);
    const { rows, skipped } = await predictFiles(files, model, {
      align,
      ...(megapixels !== undefined ? { maxPixels: Math.round(megapixels * 1e6) } : {}),
      log: (l) => console.error(l),
    });
    for (const s of skipped) {
      console.error(`skipped ${s.path}: ${s.reason}${s.detail ? ` (${s.detail})` : ""}`);
    }
    console.error(
      `${files.length} files: ${rows.length} faces predicted (${sourceCounts(rows)}), ` +
        `${skipped.length} files skipped`,
    );
    const csv = rowsToCsv(rows, skipped);
    if (options.out) await writeTextAtomic(options.out, csv);
    else await Deno.stdout.write(new TextEncoder().encode(csv));
  });
}
