/**
 * A saved model scored on a target's test images (Eqs. 16–21): the dataset is opened at the
 * model's input size and framed as in training, and face-api's age model can be scored on the
 * very same files for comparison. What `deno task evaluate` prints and the model card quotes.
 *
 * @module
 */
import { faceApiAgeOnFiles, type FaceApiRunOptions } from "./baselines/faceapi_age.ts";
import { openDataset } from "./data/open.ts";
import { DataError } from "./errors.ts";
import { loadAgeModel } from "./inference.ts";
import { type AgeMetrics, cumulativeAccuracy, mae, scoreAges } from "./metrics.ts";
import { predictSource } from "./model/predict.ts";

/** MAE and CA(n) of one predictor on a set of images. */
export interface PlainScores {
  /** Images scored. */
  images: number;
  /** Mean absolute error in years (Eq. 19). */
  mae: number;
  /** Cumulative accuracy CA(3) in percent (Eq. 21). */
  ca3: number;
  /** CA(5) in percent. */
  ca5: number;
  /** CA(7) in percent. */
  ca7: number;
}

/** A model's scores on one dataset's test images, and face-api's on the same files. */
export interface TargetEvaluation {
  /** The dataset scored (e.g. "utkface", "aaf"). */
  dataset: string;
  /** The model's scores (Eqs. 19–21). */
  model: AgeMetrics;
  /** face-api's age model on the same image files (its own detection and landmark crop). */
  faceApi?: PlainScores & { failed: number };
}

/** Options of {@link evaluateModel}. */
export interface EvaluateOptions {
  /** Also score face-api's age model on the same files (about 60 ms an image). */
  faceApi?: boolean;
  /** Folder of decoded caches (default `results/cache`). */
  cacheRoot?: string;
  /** Environment to read dataset locations from (default: the process environment). */
  env?: Record<string, string>;
  /** Progress lines. */
  log?: (line: string) => void;
  /** Options of face-api's run. */
  faceApiOptions?: FaceApiRunOptions;
}

/** Scores `pred` against `ages`: MAE and CA(3, 5, 7) (Eqs. 19, 21). */
export function plainScores(pred: ArrayLike<number>, ages: ArrayLike<number>): PlainScores {
  return {
    images: ages.length,
    mae: mae(pred, ages),
    ca3: cumulativeAccuracy(pred, ages, 3),
    ca5: cumulativeAccuracy(pred, ages, 5),
    ca7: cumulativeAccuracy(pred, ages, 7),
  };
}

/**
 * Scores the model in `modelDir` on the test images of `dataset` (e.g. "utkface": the committed
 * split's test side; "aaf": the official val list), with face-api beside it when asked.
 *
 * @example
 * ```ts
 * import { evaluateModel, SHIPPED_MODEL_DIR } from "./mod.ts";
 * const e = await evaluateModel(SHIPPED_MODEL_DIR, "utkface"); // reads CEN_UTKFACE_DIR
 * console.log(e.model.mae, e.model.ca5); // Eqs. 19, 21
 * ```
 */
export async function evaluateModel(
  modelDir: string,
  dataset: string,
  opts: EvaluateOptions = {},
): Promise<TargetEvaluation> {
  const m = await loadAgeModel(modelDir);
  try {
    const { test } = await openDataset({ dataset, params: {}, augment: false }, {
      imageSize: m.size,
      cacheRoot: opts.cacheRoot,
      env: opts.env,
      log: opts.log,
    });
    const pr = await predictSource(m.model, test, m, { batchSize: 64 });
    const out: TargetEvaluation = { dataset, model: scoreAges(pr, test.ages) };
    if (opts.faceApi) {
      if (!test.paths) throw new DataError(`${dataset}: its test source does not name its files`);
      let last = 0;
      const r = await faceApiAgeOnFiles(test.paths, {
        ...opts.faceApiOptions,
        onProgress: (done, total) => {
          if (Date.now() - last > 10_000 || done === total) {
            last = Date.now();
            opts.log?.(`face-api on ${dataset}: ${done}/${total}`);
          }
        },
      });
      const ok = Array.from(test.ages.keys()).filter((i) => Number.isFinite(r.ages[i]));
      out.faceApi = {
        ...plainScores(ok.map((i) => r.ages[i]), ok.map((i) => test.ages[i])),
        failed: r.failed.length,
      };
    }
    return out;
  } finally {
    m.model.dispose();
  }
}
