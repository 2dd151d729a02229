/**
 * One generation of a run, from its starting weights to its saved model: the jobs of
 * `trainGeneration`, each in its own function or module.
 *
 * - `initialModel`: the starting network ([choice]: pretrained backbone or the ancestor's weights).
 * - `trainGeneration`: resumes from the checkpoint if there is one, trains the remaining epochs
 *   (`epoch.ts`, in the config's `precision`; all else runs in float32), scores the learning
 *   curve when asked, writes a checkpoint after every epoch (`checkpoint.ts`) and a progress
 *   line (`progress.ts`), then finishes the generation.
 * - `finishGeneration`: predicts the test set, scores it, saves the model (with its metadata), the
 *   predictions and the result.
 *
 * @module
 */
import type * as tfl from "@tensorflow/tfjs-layers";
import { withTrainingPrecision } from "../backend/mod.ts";
import { type CenConfig, numAges } from "../config.ts";
import { cropMetadata } from "../data/align.ts";
import type { SampleSource } from "../data/types.ts";
import { NotFoundError } from "../errors.ts";
import { writeJsonAtomic } from "../fsutil.ts";
import { scoreAges } from "../metrics.ts";
import { copyBackbone, loadModel, saveModel } from "../model/io.ts";
import { createCenModel } from "../model/resnet.ts";
import { displayPath } from "../paths.ts";
import { predictSource } from "../model/predict.ts";
import type { AncestorStore } from "./ancestor.ts";
import { type Checkpoint, freshCheckpoint, readCheckpoint, writeCheckpoint } from "./checkpoint.ts";
import { type EpochJob, type EpochRun, trainEpoch } from "./epoch.ts";
import { epochLine, generationLine } from "./progress.ts";
import {
  type EvolutionOptions,
  finalModelDir,
  type GenerationResult,
  type GenPaths,
  type RunPaths,
} from "./run.ts";
import { createSgd, disposeSgd } from "./sgd.ts";
import { trainableVariables } from "./step.ts";

/** Builds the starting network of generation t ([choice]: pretrained or ancestor weights). */
export async function initialModel(
  config: CenConfig,
  t: number,
  paths: RunPaths,
  runsRoot: string | undefined,
  log: (line: string) => void,
  trainPretrained?: (ref: string) => Promise<void>,
): Promise<tfl.LayersModel> {
  const model = createCenModel({
    backbone: config.backbone,
    inputSize: config.inputSize,
    numAges: numAges(config),
    seed: config.seed,
  });
  if (config.offspringInit === "ancestor" && t > 1) {
    const from = await loadModel(paths.gen(t - 1).model);
    model.setWeights(from.getWeights());
    from.dispose();
    log(`generation ${t}: starts from its ancestor's weights`);
  } else if (config.pretrained) {
    const ref = config.pretrained;
    const find = () => finalModelDir(ref, runsRoot);
    let dir = await find().catch(() => undefined);
    if (!dir && trainPretrained) {
      log(`generation ${t}: pretrained run ${ref} has no weights here: training it first`);
      await trainPretrained(ref);
    }
    dir ??= await find().catch((e: Error) => {
      throw new NotFoundError(
        `${e.message}: its weights are needed to train generation ${t} (a run known only by its ` +
          `record has none; train it first, e.g. deno task train with its profile)`,
      );
    });
    const from = await loadModel(dir);
    const n = copyBackbone(from, model);
    from.dispose();
    log(`generation ${t}: backbone (${n} layers) from pretrained ${displayPath(dir)}`);
  }
  return model;
}

/** The test MAE of `model` now (a point of the learning curve, `evalEvery`). */
async function testMae(
  model: tfl.LayersModel,
  test: SampleSource,
  config: CenConfig,
): Promise<number> {
  const pr = await predictSource(model, test, config, { batchSize: config.optim.batchSize });
  return scoreAges(pr, test.ages, test.apparent, config.heads).mae;
}

/** What {@link trainGeneration} trains: generation `t` of the run at `paths`. */
export interface GenerationJob {
  config: CenConfig;
  t: number;
  paths: RunPaths;
  /** The ancestor's stored outputs p^{t−1}, s^{t−1} (t > 1 with stored ancestor outputs). */
  ancestor: AncestorStore | undefined;
  /** The data, where runs live, how often to score, how to get missing pretrained weights. */
  opts: EvolutionOptions;
  /** Epochs this call may still train (shared by the run's generations). */
  budget: { epochsLeft: number };
  log: (line: string) => void;
}

/**
 * Trains generation `t` of a run (or resumes it from its checkpoint) and finishes it. Resolves to
 * its result, or to undefined when `budget` ran out of epochs first (the checkpoint keeps its
 * place; `maxEpochsThisCall`).
 */
export async function trainGeneration(
  job: GenerationJob,
): Promise<GenerationResult | undefined> {
  const { config, t, paths, ancestor, opts, budget, log } = job;
  const gp = paths.gen(t);
  const o = config.optim;
  const model = await initialModel(config, t, paths, opts.runsRoot, log, opts.trainPretrained);
  const sgd = createSgd(trainableVariables(model));
  const ancestorModel = t > 1 && config.ancestorOutputs === "online"
    ? await loadModel(paths.gen(t - 1).model)
    : undefined;
  try {
    let state = await readCheckpoint(gp.checkpoint, model, sgd);
    if (state) log(`generation ${t}: resuming after epoch ${state.epochsDone}/${o.epochs}`);
    state ??= freshCheckpoint(config.seed, t);
    for (let e = state.epochsDone; e < o.epochs; e++) {
      if (budget.epochsLeft <= 0) return undefined;
      const job: EpochJob = {
        config,
        t,
        model,
        sgd,
        train: opts.train,
        ancestor,
        ancestorModel,
        kept: { path: gp.checkpoint, epochsDone: state.epochsDone },
      };
      const { entry, steps }: EpochRun = await withTrainingPrecision(
        config.precision,
        () => trainEpoch(job, e),
      );
      const every = opts.evalEvery ?? 0;
      if (every > 0 && (e + 1) % every === 0 && e + 1 < o.epochs) {
        entry.testMae = await testMae(model, opts.test, config);
      }
      state = {
        epochsDone: e + 1,
        epochs: [...state.epochs, entry],
        rng: { seed: config.seed, generation: t, nextEpoch: e + 1 },
        trainSeconds: state.trainSeconds + entry.seconds,
      };
      await writeCheckpoint(gp.checkpoint, model, sgd, state);
      budget.epochsLeft--;
      log(epochLine(config.generations, o.epochs, entry, steps));
    }
    return await finishGeneration(config, t, gp, model, state, opts, log);
  } finally {
    disposeSgd(sgd);
    model.dispose();
    ancestorModel?.dispose();
  }
}

/**
 * Finishes generation `t` after its last epoch: predicts the test set with `model`, scores it,
 * saves the model (with the metadata a reader of the model needs: generation, backbone, age range,
 * input normalisation, crop), the predictions and the result, and logs the generation's line.
 */
export async function finishGeneration(
  config: CenConfig,
  t: number,
  gp: GenPaths,
  model: tfl.LayersModel,
  state: Checkpoint,
  opts: Pick<EvolutionOptions, "test" | "evalEvery">,
  log: (line: string) => void,
): Promise<GenerationResult> {
  const pr = await predictSource(model, opts.test, config, { batchSize: config.optim.batchSize });
  const scored = scoreAges(pr, opts.test.ages, opts.test.apparent, config.heads);
  await saveModel(model, gp.model, {
    cen: {
      generation: t,
      backbone: config.backbone,
      minAge: config.minAge,
      maxAge: config.maxAge,
    },
    input: { size: config.inputSize, normalisation: "(x/255 - mean) / std, ImageNet RGB" },
    crop: cropMetadata(config.data.dataset),
  });
  await writeJsonAtomic(gp.predictions, {
    age: Array.from(opts.test.ages),
    yLdl: Array.from(pr.yLdl),
    yReg: Array.from(pr.yReg),
    y: Array.from(pr.y),
  });
  if ((opts.evalEvery ?? 0) > 0 && state.epochs.length > 0) {
    state.epochs[state.epochs.length - 1].testMae = scored.mae;
  }
  const result: GenerationResult = {
    generation: t,
    metrics: scored,
    epochs: state.epochs,
    trainSeconds: state.trainSeconds,
    finishedAt: new Date().toISOString(),
  };
  await writeJsonAtomic(gp.result, result);
  log(generationLine(t, scored));
  return result;
}
