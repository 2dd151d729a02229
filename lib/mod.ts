/**
 * CEN, the Coupled Evolutionary Network for age estimation (Li, Hu, He and Sun), reproduced in
 * TypeScript: the library's public API in one module. `docs/method.md` restates the paper; each
 * group below names the equations it implements.
 *
 * - Configs and profiles: {@link makeConfig}, {@link configHash}, {@link profile},
 *   {@link profileConfig}, {@link PROFILE_NAMES}.
 * - Experiments: {@link runProfile}, {@link runConfig}, {@link runPretraining},
 *   {@link servePretraining}, {@link runAll}
 *   (runs are cached by config hash: asking again reuses them), {@link runEvolution}.
 * - Losses (Eqs. 1–15): {@link softmaxT} (Eq. 3), {@link crossEntropy} (Eq. 4),
 *   {@link klDivergence} (Eq. 5), {@link softCrossEntropy} (Eq. 6), {@link ldlLoss} (Eq. 7),
 *   {@link normalizeAge} (Eq. 1), {@link l1Loss} (Eqs. 8–9), {@link slackDelta} and
 *   {@link slackL1} (Eqs. 10–13), {@link cenLoss} (Eqs. 14–15).
 * - Prediction (Eqs. 16–18): {@link expectedAge}, {@link regressionAge}, {@link combinedAge},
 *   {@link predictImages}, {@link predictSource}.
 * - Metrics (Eqs. 19–21): {@link mae}, {@link epsilonError}, {@link cumulativeAccuracy},
 *   {@link scoreAges}.
 * - Data: {@link openDataset}, {@link openableDatasets}.
 * - Models and inference: {@link createCenModel}, {@link loadModel}, {@link saveModel},
 *   {@link loadAgeModel}, {@link predictFiles} (ages of image files), {@link evaluateModel}.
 * - Notebook display: {@link showTable}, {@link showPlot}, {@link showMarkdown},
 *   {@link showHtml}, {@link showFaces}, the figures ({@link lossCurves},
 *   {@link distributionFigure}, …) and {@link foldRunLogs} (one collapsed block per run).
 * - Setup and paths: {@link initBackend} (the tfjs backend), {@link REPO_ROOT},
 *   {@link displayPath}.
 *
 * @example
 * ```ts
 * import { initBackend, runProfile } from "./mod.ts";
 * await initBackend(undefined, console.log);
 * const { target } = await runProfile("smoke"); // pretraining, then generations 1…3
 * for (const g of target.metrics.generations) console.log(g.generation, g.metrics.mae);
 * ```
 *
 * @module
 */

// ─── Configs and profiles ─────────────────────────────────────────────────────────────────────
export {
  type Backbone,
  BACKBONES,
  type CenConfig,
  configHash,
  type DataConfig,
  DEFAULT_CONFIG,
  makeConfig,
  numAges,
  type OptimConfig,
  type PartialConfig,
  validateConfig,
} from "./config.ts";
export {
  mergePartial,
  type Profile,
  profile,
  PROFILE_NAMES,
  profileConfig,
  type StudyDefaults,
} from "./profiles.ts";

// ─── Experiments ──────────────────────────────────────────────────────────────────────────────
export {
  datasetFor,
  type ExperimentOptions,
  profileConfigs,
  runConfig,
  runPretraining,
  runProfile,
  servePretraining,
} from "./experiment.ts";
export { runAll, variant, withSeeds } from "./study/mod.ts";
export {
  type EvolutionOptions,
  type EvolutionResult,
  evolve,
  type GenerationFate,
  runEvolution,
  type RunStore,
} from "./train/evolve.ts";
export { openRunStore } from "./train/store.ts";
export {
  type EpochLog,
  type GenerationResult,
  readPredictions,
  type RunMetrics,
  type SavedPredictions,
} from "./train/run.ts";

// ─── Losses (Eqs. 1–15) ───────────────────────────────────────────────────────────────────────
export {
  crossEntropy,
  gaussianLabels,
  klDivergence,
  ldlLoss,
  logSoftmaxT,
  softCrossEntropy,
  softmaxT,
} from "./loss/ldl.ts";
export { l1Loss, normalizeAge, slackDelta, slackL1 } from "./loss/regression.ts";
export { cenLoss, type LossParts, type LossSettings, type LossTargets } from "./loss/cen.ts";

// ─── Prediction (Eqs. 16–18) and metrics (Eqs. 19–21) ─────────────────────────────────────────
export {
  type AgeRange,
  combinedAge,
  expectedAge,
  predictImages,
  type Predictions,
  predictSource,
  predictTensor,
  regressionAge,
} from "./model/predict.ts";
export {
  type AgeMetrics,
  cumulativeAccuracy,
  epsilonError,
  finalPrediction,
  mae,
  scoreAges,
} from "./metrics.ts";

// ─── Data ─────────────────────────────────────────────────────────────────────────────────────
export {
  openableDatasets,
  openDataset,
  type OpenedDataset,
  type OpenOptions,
} from "./data/open.ts";
export type { AgeSample, Batch, BatchOptions, SampleSource } from "./data/types.ts";
export type { DataReport, SkipRecord } from "./data/skips.ts";

// ─── Models, inference of image files, evaluation ─────────────────────────────────────────────
export { countParams, createCenModel, type ModelOptions } from "./model/resnet.ts";
export { loadModel, saveModel } from "./model/io.ts";
export {
  type AgeModel,
  type AgeRow,
  type AlignPolicy,
  type FaceSource,
  listImages,
  loadAgeModel,
  predictFiles,
  type PredictOptions,
  rowsToCsv,
} from "./inference.ts";
export { MAX_IMAGE_PIXELS, WORKING_SIDE } from "./data/limits.ts";
export {
  evaluateModel,
  type EvaluateOptions,
  type PlainScores,
  type TargetEvaluation,
} from "./evaluate.ts";

// ─── Notebook display ─────────────────────────────────────────────────────────────────────────
export {
  display,
  inJupyter,
  type MimeBundle,
  showHtml,
  showMarkdown,
  showText,
} from "./report/display.ts";
export {
  showTable,
  tableHtml,
  type TableOptions,
  type TableRow,
  type TableValue,
} from "./report/table.ts";
export { type Figure, plotHtml, type PlotOptions, showPlot } from "./report/plot.ts";
export { showFaces } from "./report/faces.ts";
export {
  ageHistogram,
  distributionFigure,
  learningCurve,
  lineFigure,
  type LineOptions,
  lossCurves,
  predictedVsTrue,
} from "./report/figures.ts";
export {
  type BlockMessage,
  type FoldedRunLog,
  type FoldOptions,
  foldRunLogs,
  type RunLogBlock,
  runSummary,
  type ShowBlock,
} from "./report/runlog.ts";

// ─── Setup and paths ──────────────────────────────────────────────────────────────────────────
export { initBackend } from "./backend/mod.ts";
export { displayPath, REPO_ROOT, repoPath, RUNS_DIR, SHIPPED_MODEL_DIR } from "./paths.ts";
