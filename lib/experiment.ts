/**
 * One call from a config to a finished run: open the config's dataset at the config's input size,
 * run (or resume, or reuse) the evolution, and return its metrics. Runs are cached by config
 * hash, so asking again for a run that exists costs only the dataset's opening.
 *
 * @module
 */
import { type CenConfig, configHash, makeConfig, type PartialConfig } from "./config.ts";
import { openDataset, type OpenedDataset } from "./data/open.ts";
import { mergePartial, profile } from "./profiles.ts";
import { NotFoundError } from "./errors.ts";
import { type EvolutionResult, runEvolution } from "./train/evolve.ts";
import { readRecord, recordsRootFor } from "./train/record.ts";

/** Where runs and caches go, and where progress lines go. */
export interface ExperimentOptions {
  /** Root of run folders (default `results/runs`, or `CEN_RUNS_DIR`). */
  runsRoot?: string;
  /** Folder of decoded caches and generated sets (default `results/cache`). */
  cacheRoot?: string;
  /** Progress lines (default: console.log). */
  log?: (line: string) => void;
  /** Score the test set every this many epochs (a learning curve); pretraining runs use 1. */
  evalEvery?: number;
  /** Where run records go (see `train/record.ts`); null: none. */
  recordsRoot?: string | null;
  /** Train even when the run's record could serve it (its weights are needed). */
  needWeights?: boolean;
  /**
   * Called once when {@link runConfig} ends: with its result, or with undefined when it throws
   * (e.g. to fold the run's log into one block: `foldRunLogs` in `report/runlog.ts`).
   */
  onRunEnd?: (result: EvolutionResult | undefined) => void | Promise<void>;
}

/** Opens the dataset of a config at its input size (the decoded cache makes this cheap). */
export function datasetFor(
  config: CenConfig,
  opts: ExperimentOptions = {},
): Promise<OpenedDataset> {
  return openDataset(config.data, {
    imageSize: config.inputSize,
    cacheRoot: opts.cacheRoot,
    log: opts.log,
  });
}

/**
 * Runs one config on its dataset (resuming or reusing what exists), then calls `opts.onRunEnd`.
 *
 * @example
 * ```ts
 * import { profileConfig, runConfig } from "./mod.ts";
 * const run = await runConfig(profileConfig("smoke", { tau: 3 })); // cached by config hash
 * console.log(run.id, run.fates, run.metrics.generations.map((g) => g.metrics.mae));
 * ```
 */
export async function runConfig(
  config: CenConfig,
  opts: ExperimentOptions = {},
): Promise<EvolutionResult> {
  let result: EvolutionResult | undefined;
  try {
    const data = await datasetFor(config, opts);
    result = await runEvolution(config, {
      train: data.train,
      test: data.test,
      runsRoot: opts.runsRoot,
      log: opts.log,
      evalEvery: opts.evalEvery,
      recordsRoot: opts.recordsRoot,
      needWeights: opts.needWeights,
      trainPretrained: (ref) => trainRecordedPretraining(ref, opts),
    });
    return result;
  } finally {
    await opts.onRunEnd?.(result);
  }
}

/**
 * Trains the pretraining run `ref` from its record's config, because its weights are needed and
 * only its record is here (e.g. on a new machine); without a record it is a NotFoundError.
 */
async function trainRecordedPretraining(ref: string, opts: ExperimentOptions): Promise<void> {
  const root = recordsRootFor(opts.runsRoot, opts.recordsRoot);
  const record = root ? await readRecord(root, ref) : undefined;
  if (!record) {
    throw new NotFoundError(
      `pretrained run "${ref}" has no weights here and no record to train it again from`,
    );
  }
  await runPretraining(record.config, { ...opts, onRunEnd: undefined });
}

/**
 * Runs a pretraining config: {@link runConfig} with the held-out set scored after every epoch, so
 * its learning curve shows whether more epochs would help, and trained (not read from its record)
 * when its weights are missing, since the runs that start from it may need them.
 */
export function runPretraining(
  config: CenConfig,
  opts: ExperimentOptions = {},
): Promise<EvolutionResult> {
  return runConfig(config, { evalEvery: 1, needWeights: true, ...opts });
}

/**
 * The pretraining a notebook's runs start from, as {@link runPretraining} but served from its
 * record where only that is here (its inputs checked like any run's): runs served from their own
 * records never need its weights, and one that does trains it again then (runConfig's
 * `trainPretrained`), so a notebook rebuilt from records trains no pretraining.
 */
export function servePretraining(
  config: CenConfig,
  opts: ExperimentOptions = {},
): Promise<EvolutionResult> {
  return runPretraining(config, { ...opts, needWeights: false });
}

/** The configs of a profile: its pretraining run (if any) and the target run that starts from it. */
export async function profileConfigs(
  name: string,
  overrides: PartialConfig = {},
  pretrainOverrides: PartialConfig = {},
): Promise<{ pretrain: CenConfig | null; target: CenConfig }> {
  const p = profile(name);
  const pretrain = p.pretrain ? makeConfig(mergePartial(p.pretrain, pretrainOverrides)) : null;
  const pretrained = pretrain ? await configHash(pretrain) : null;
  const target = makeConfig(mergePartial(mergePartial(p.target, { pretrained }), overrides));
  return { pretrain, target };
}

/**
 * Runs a profile: its pretraining and then the target run. The pretraining is served from its
 * record where that is all there is (like {@link servePretraining}): it trains only when the
 * target trains and needs its weights, so a target its record serves costs no training at all.
 *
 * @example
 * ```ts
 * import { runProfile } from "./mod.ts";
 * const { target } = await runProfile("smoke", { generations: 2 });
 * console.log(target.metrics.generations.at(-1)?.metrics.mae); // test MAE of the last generation
 * ```
 */
export async function runProfile(
  name: string,
  overrides: PartialConfig = {},
  opts: ExperimentOptions = {},
): Promise<{ pretrain: EvolutionResult | null; target: EvolutionResult }> {
  const configs = await profileConfigs(name, overrides);
  const pretrain = configs.pretrain ? await servePretraining(configs.pretrain, opts) : null;
  const target = await runConfig(configs.target, opts);
  return { pretrain, target };
}
