/**
 * The evolution trainer ("ancestor → offspring", docs/method.md, "Evolution"). Generation 1 trains with
 * Eq. 14; then for t = 2 … T the ancestor's p^{t−1} (at τ) and s^{t−1} are recorded for every
 * training image and a new network trains with Eq. 15 against them. Only the last generation
 * predicts; every generation's test metrics are kept to show the evolution.
 *
 * Everything lands in the run directory of the config's hash. A checkpoint (weights, optimizer
 * velocities, the epoch counter that seeds data order and augmentation) is written after every
 * epoch, so rerunning the same config resumes where it stopped; finished generations are reused.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import type * as tfl from "@tensorflow/tfjs-layers";
import { dirname, join } from "node:path";
import { initBackend } from "../backend.ts";
import { canonicalJson, type CenConfig, numAges } from "../config.ts";
import { cropMetadata } from "../data/align.ts";
import type { SampleSource } from "../data/types.ts";
import { DataError, NonFiniteLossError, NotFoundError } from "../errors.ts";
import { exists, readJsonIfExists, replaceDirAtomic, writeJsonAtomic } from "../fsutil.ts";
import type { LossSettings, LossTargets } from "../loss/cen.ts";
import { normalizeAge, slackDelta } from "../loss/regression.ts";
import { scoreAges } from "../metrics.ts";
import { toInput } from "../model/input.ts";
import { copyBackbone, decodeTensors, encodeTensors, loadModel, saveModel } from "../model/io.ts";
import { createCenModel } from "../model/resnet.ts";
import { predictSource, predictTensor } from "../predict.ts";
import { displayPath } from "../paths.ts";
import { mixSeed } from "../rng.ts";
import {
  type AncestorStore,
  computeAncestorStore,
  loadAncestorStore,
  saveAncestorStore,
} from "./ancestor.ts";
import {
  claimRunDir,
  inputsDigest,
  type RunInputs,
  runInputs,
  sourceFingerprint,
} from "./inputs.ts";
import { readRecord, recordPath, recordServes, recordsRootFor, writeRecord } from "./record.ts";
import { lockGeneration, lockRun } from "./locks.ts";
import {
  DEFAULT_RUNS_ROOT,
  type EpochLog,
  finalModelDir,
  generationIndexPath,
  generationKey,
  type GenerationResult,
  type GenPaths,
  type RunMetrics,
  type RunPaths,
  runPaths,
} from "./run.ts";
import { createSgd, disposeSgd, learningRate, loadSgdState, type Sgd, sgdState } from "./sgd.ts";
import { trainableVariables, trainStep } from "./step.ts";

/** Where the data comes from and where the run goes. */
export interface EvolutionOptions {
  train: SampleSource;
  test: SampleSource;
  /** Root of run directories (default `results/runs`). */
  runsRoot?: string;
  /** Progress lines (default: console.log). */
  log?: (line: string) => void;
  /** Stop after this many epochs in this call (for tests of interruption); default: no limit. */
  maxEpochsThisCall?: number;
  /**
   * Score the test set after every `evalEvery`-th epoch (its MAE goes into the epoch's log as
   * `testMae`: a learning curve); default 0, only at the end. Training is unchanged by it.
   */
  evalEvery?: number;
  /**
   * Where run records are written and read (`record.ts`); null: none. Default: `records/runs`
   * when `runsRoot` is the default, none otherwise (tests).
   */
  recordsRoot?: string | null;
  /**
   * Train a run that its record could serve, because its weights are needed (e.g. a pretraining
   * whose targets will train); default false.
   */
  needWeights?: boolean;
  /**
   * Called when a generation is about to train from `config.pretrained` and that run has no
   * weights here (e.g. it is known only by its record): should train it (runConfig passes one
   * that trains the recorded config). Without it, the missing weights are an error.
   */
  trainPretrained?: (ref: string) => Promise<void>;
}

/**
 * What happened to a generation in one call: trained from its start, resumed from a checkpoint,
 * found finished in the run's own folder, copied from another run with the same key and inputs,
 * or read from the run's record (no weights: see `record.ts`).
 */
export type GenerationFate = "trained" | "resumed" | "done" | "copied" | "recorded";

/** What a finished (or stopped) run returns. */
export interface EvolutionResult {
  id: string;
  dir: string;
  metrics: RunMetrics;
  /** True when every generation finished. */
  complete: boolean;
  /** What happened to generation t (index t − 1) in this call, for the generations it reached. */
  fates: GenerationFate[];
}

interface Checkpoint {
  epochsDone: number;
  epochs: EpochLog[];
  /** Seeds of every random stream: data order and augmentation of epoch e use mixSeed(seed, t, e). */
  rng: { seed: number; generation: number; nextEpoch: number };
  trainSeconds: number;
}

/** Runs (or resumes) generations 1 … T of a config; see the module doc. */
export async function runEvolution(
  config: CenConfig,
  opts: EvolutionOptions,
): Promise<EvolutionResult> {
  const show = opts.log ?? ((line: string) => console.log(line));
  const backend = await initBackend(undefined, show);
  checkSources(config, opts.train, opts.test);
  const paths = await runPaths(config, opts.runsRoot);
  await using _run = await lockRun(paths.id, opts.runsRoot, show); // one process per run (locks.ts)
  const recordsRoot = recordsRootFor(opts.runsRoot, opts.recordsRoot);
  const inputs = await runInputs(config, opts.train, opts.test, opts.runsRoot, recordsRoot);
  const digest = inputsDigest(inputs);
  const recorded = await fromRecord(config, paths, inputs, recordsRoot, opts.needWeights, show);
  if (recorded) return recorded;
  await claimRunDir(paths, inputs, show);
  await writeJsonAtomic(paths.config, config);
  // Every progress line also goes to the run's train.log (appended: a resumed run continues it).
  const log = (line: string) => {
    show(line);
    Deno.writeTextFileSync(paths.log, `${new Date().toISOString()} ${line}\n`, { append: true });
  };
  const metrics: RunMetrics = { id: paths.id, config, backend, generations: [] };
  const budget = { epochsLeft: opts.maxEpochsThisCall ?? Infinity };
  log(`run ${paths.id} → ${displayPath(paths.dir)}`);
  let ancestor: AncestorStore | undefined;
  const fates: GenerationFate[] = [];
  for (let t = 1; t <= config.generations; t++) {
    const gp = paths.gen(t);
    await using _gen = await lockGeneration(config, t, opts.runsRoot, log); // one trainer per key
    let result = await readJsonIfExists<GenerationResult>(gp.result);
    if (result) fates.push("done");
    else {
      result = await reuseGeneration(config, t, gp, digest, opts.runsRoot, log);
      if (result) fates.push("copied");
    }
    if (result) {
      log(`generation ${t}: done earlier (MAE ${result.metrics.mae.toFixed(3)}), reused`);
    } else {
      const resumed = await exists(gp.checkpoint);
      const trained = await trainGeneration(config, t, gp, paths, ancestor, opts, budget, log);
      fates.push(resumed ? "resumed" : "trained");
      if (!trained) {
        await writeJsonAtomic(paths.metrics, metrics);
        return { id: paths.id, dir: paths.dir, metrics, complete: false, fates };
      }
      result = trained;
    }
    await writeJsonAtomic(
      generationIndexPath(opts.runsRoot ?? DEFAULT_RUNS_ROOT, await generationKey(config, t)),
      { dir: gp.dir, inputs: digest },
    );
    metrics.generations.push(result);
    await writeJsonAtomic(paths.metrics, metrics);
    if (recordsRoot) {
      await writeRecord(recordsRoot, {
        id: paths.id,
        config,
        inputs,
        backend,
        generations: metrics.generations,
      });
    }
    if (t < config.generations && config.ancestorOutputs === "stored") {
      ancestor = await ensureAncestorStore(config, gp, opts.train, log);
    }
  }
  return { id: paths.id, dir: paths.dir, metrics, complete: true, fates };
}

/**
 * The run served from its record, when the record holds every generation for these inputs and the
 * run's own folder does not (already) hold them, and no weights are needed.
 */
async function fromRecord(
  config: CenConfig,
  paths: RunPaths,
  inputs: RunInputs,
  recordsRoot: string | null,
  needWeights: boolean | undefined,
  log: (line: string) => void,
): Promise<EvolutionResult | undefined> {
  if (!recordsRoot || needWeights) return undefined;
  const local = await readJsonIfExists<RunMetrics>(paths.metrics);
  const localInputs = await readJsonIfExists<RunInputs>(join(paths.dir, "inputs.json"));
  if (
    local?.generations.length === config.generations &&
    canonicalJson(localInputs ?? null) === canonicalJson(inputs)
  ) return undefined; // finished here: the usual path reuses it
  const record = await readRecord(recordsRoot, paths.id);
  if (!recordServes(record, config, inputs)) return undefined;
  log(
    `run ${paths.id}: finished in its record ${
      displayPath(recordPath(recordsRoot, paths.id))
    }, not trained`,
  );
  return {
    id: paths.id,
    dir: paths.dir,
    metrics: { id: paths.id, config, backend: record.backend, generations: record.generations },
    complete: true,
    fates: record.generations.map(() => "recorded"),
  };
}

/**
 * Copies a finished generation with the same {@link generationKey} and the same inputs (data,
 * pretrained weights, trainer version: `digest`) from another run, e.g. the ancestor shared by
 * runs that differ only in τ, instead of training it again. Its ancestor store is not copied: it
 * depends on the τ of the run that recorded it, so the reusing run records its own.
 */
async function reuseGeneration(
  config: CenConfig,
  t: number,
  gp: GenPaths,
  digest: string,
  runsRoot: string | undefined,
  log: (line: string) => void,
): Promise<GenerationResult | undefined> {
  const key = await generationKey(config, t);
  const entry = await readJsonIfExists<{ dir: string; inputs?: string }>(
    generationIndexPath(runsRoot ?? DEFAULT_RUNS_ROOT, key),
  );
  if (
    !entry || entry.dir === gp.dir || entry.inputs !== digest ||
    !(await exists(join(entry.dir, "result.json")))
  ) {
    return undefined;
  }
  await replaceDirAtomic(gp.dir, async (tmp) => {
    for (const name of ["model", "result.json", "predictions.json"]) {
      if (await exists(join(entry.dir, name))) {
        await copyTree(join(entry.dir, name), join(tmp, name));
      }
    }
  });
  log(`generation ${t}: same as ${displayPath(entry.dir)} (key ${key}): copied, not retrained`);
  return await readJsonIfExists<GenerationResult>(gp.result);
}

async function copyTree(from: string, to: string): Promise<void> {
  const info = await Deno.stat(from);
  if (info.isFile) return await Deno.copyFile(from, to);
  await Deno.mkdir(to, { recursive: true });
  for await (const e of Deno.readDir(from)) await copyTree(join(from, e.name), join(to, e.name));
}

function checkSources(config: CenConfig, train: SampleSource, test: SampleSource): void {
  for (const src of [train, test]) {
    if (src.length === 0) throw new DataError(`dataset "${src.name}" is empty`);
    if (src.imageSize !== config.inputSize) {
      throw new DataError(
        `dataset "${src.name}" has ${src.imageSize}px images but config.inputSize is ${config.inputSize}`,
      );
    }
  }
  for (let i = 0; i < train.length; i++) {
    const a = train.ages[i];
    if (!Number.isInteger(a) || a < config.minAge || a > config.maxAge) {
      throw new DataError(
        `training image ${i} of "${train.name}" has age ${a}, outside config's ${config.minAge}–${config.maxAge}`,
      );
    }
  }
}

/**
 * The ancestor store of generation `gp` for this config: the one saved beside it when it was
 * recorded at the config's τ, with the config's age range, for these training images; recorded
 * anew otherwise.
 */
async function ensureAncestorStore(
  config: CenConfig,
  gp: GenPaths,
  train: SampleSource,
  log: (line: string) => void,
): Promise<AncestorStore> {
  const source = sourceFingerprint(train);
  if (await exists(join(gp.dir, "ancestor.json"))) {
    const saved = await loadAncestorStore(gp.dir);
    const why = [
      saved.tau !== config.tau && `τ ${saved.tau}`,
      saved.k !== numAges(config) && `${saved.k} ages`,
      saved.n !== train.length && `${saved.n} images`,
      saved.source !== source && "other training images",
    ].filter(Boolean);
    if (why.length === 0) return saved;
    log(`the saved ancestor store was recorded for ${why.join(", ")}: recording it again`);
  }
  log(`recording the ancestor's p (τ = ${config.tau}) and s for ${train.length} training images`);
  const model = await loadModel(gp.model);
  const store = await computeAncestorStore(
    model,
    train,
    config,
    config.tau,
    config.optim.batchSize,
  );
  store.source = source;
  model.dispose();
  await saveAncestorStore(gp.dir, store);
  return store;
}

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

/**
 * Writes the checkpoint of `state.epochsDone` into its own directory, then points
 * `checkpoint.json` at it (an atomic rename), then removes the previous one: a kill at any moment
 * leaves a whole checkpoint to resume from.
 */
async function writeCheckpoint(
  pointer: string,
  model: tfl.LayersModel,
  sgd: Sgd,
  state: Checkpoint,
): Promise<void> {
  const { data, specs } = await encodeTensors(sgdState(sgd));
  const previous = await readJsonIfExists<{ dir: string }>(pointer);
  const name = `checkpoint-e${state.epochsDone}`;
  const dir = join(dirname(pointer), name);
  await replaceDirAtomic(dir, async (tmp) => {
    await saveModel(model, tmp);
    await Deno.writeFile(join(tmp, "optimizer.bin"), data);
    await writeJsonAtomic(join(tmp, "optimizer.json"), specs);
    await writeJsonAtomic(join(tmp, "state.json"), state);
  });
  await writeJsonAtomic(pointer, { dir: name, epochsDone: state.epochsDone });
  if (previous && previous.dir !== name) {
    await Deno.remove(join(dirname(pointer), previous.dir), { recursive: true }).catch(() => {});
  }
}

/** Restores weights and optimizer state from the checkpoint `pointer` names, if there is one. */
async function readCheckpoint(
  pointer: string,
  model: tfl.LayersModel,
  sgd: Sgd,
): Promise<Checkpoint | undefined> {
  const at = await readJsonIfExists<{ dir: string }>(pointer);
  if (!at) return undefined;
  const dir = join(dirname(pointer), at.dir);
  const state = JSON.parse(await Deno.readTextFile(join(dir, "state.json"))) as Checkpoint;
  const saved = await loadModel(dir);
  model.setWeights(saved.getWeights());
  saved.dispose();
  const specs = JSON.parse(await Deno.readTextFile(join(dir, "optimizer.json")));
  const tensors = decodeTensors(await Deno.readFile(join(dir, "optimizer.bin")), specs);
  loadSgdState(sgd, tensors);
  tf.dispose(Object.values(tensors));
  return state;
}

function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return "?";
  const m = Math.floor(s / 60);
  return m > 0 ? `${m}m${Math.round(s % 60).toString().padStart(2, "0")}s` : `${s.toFixed(0)}s`;
}

/**
 * Builds the loss targets of a batch: class indices and y (Eq. 1) and, for t > 1, the ancestor's
 * p^{t−1} at τ and Δs^{t−1} (Eq. 10), read from the store by image index, or computed online by
 * the ancestor on this very (augmented) batch.
 */
export function batchTargets(
  config: CenConfig,
  t: number,
  ages: Int32Array,
  indices: Int32Array,
  x: tf.Tensor4D,
  ancestor: AncestorStore | undefined,
  ancestorModel: tfl.LayersModel | undefined,
): LossTargets {
  const k = numAges(config);
  const y = Float32Array.from(ages, (a) => normalizeAge(a, config.minAge, config.maxAge));
  const targets: LossTargets = {
    classIndex: tf.tensor1d(Int32Array.from(ages, (a) => a - config.minAge), "int32"),
    y: tf.tensor1d(y),
  };
  if (t === 1) return targets;
  let p: Float32Array, s: Float32Array;
  if (ancestorModel) {
    const pr = predictTensor(ancestorModel, x, config, config.tau);
    p = pr.p;
    s = pr.s;
  } else {
    p = new Float32Array(ages.length * k);
    s = new Float32Array(ages.length);
    indices.forEach((i, j) => {
      p.set(ancestor!.p.subarray(i * k, (i + 1) * k), j * k);
      s[j] = ancestor!.s[i];
    });
  }
  targets.pAncestor = tf.tensor2d(p, [ages.length, k]);
  targets.deltaAncestor = tf.tensor1d(slackDelta(s, y)); // Eq. 10
  return targets;
}

async function trainGeneration(
  config: CenConfig,
  t: number,
  gp: GenPaths,
  paths: RunPaths,
  ancestor: AncestorStore | undefined,
  opts: EvolutionOptions,
  budget: { epochsLeft: number },
  log: (line: string) => void,
): Promise<GenerationResult | undefined> {
  const o = config.optim;
  const model = await initialModel(config, t, paths, opts.runsRoot, log, opts.trainPretrained);
  const sgd = createSgd(trainableVariables(model));
  const ancestorModel = t > 1 && config.ancestorOutputs === "online"
    ? await loadModel(paths.gen(t - 1).model)
    : undefined;
  const settings: LossSettings = config;
  try {
    let state = await readCheckpoint(gp.checkpoint, model, sgd);
    if (state) log(`generation ${t}: resuming after epoch ${state.epochsDone}/${o.epochs}`);
    state ??= {
      epochsDone: 0,
      epochs: [],
      rng: { seed: config.seed, generation: t, nextEpoch: 0 },
      trainSeconds: 0,
    };
    const size = config.inputSize;
    for (let e = state.epochsDone; e < o.epochs; e++) {
      if (budget.epochsLeft <= 0) return undefined;
      const lr = learningRate(e, o);
      const started = performance.now();
      const sums: Record<string, number> = {};
      let steps = 0, seen = 0;
      for await (
        const b of opts.train.batches({
          batchSize: o.batchSize,
          shuffle: true,
          augment: config.data.augment,
          seed: mixSeed(config.seed, t),
          epoch: e,
        })
      ) {
        const m = b.ages.length;
        const x = toInput(b.x, m, size);
        const targets = batchTargets(config, t, b.ages, b.indices, x, ancestor, ancestorModel);
        const losses = trainStep(model, sgd, x, targets, t, settings, {
          lr,
          momentum: o.momentum,
          weightDecay: o.weightDecay,
        });
        tf.dispose([x, ...Object.values(targets)]);
        for (const [k, v] of Object.entries(losses)) {
          if (v === undefined) continue;
          if (!Number.isFinite(v)) {
            throw new NonFiniteLossError(
              `non-finite loss (${k} = ${v}) at generation ${t}, epoch ${e + 1}, step ${
                steps + 1
              }` +
                ` (lr ${lr}); the last good checkpoint (after epoch ${state.epochsDone}) is kept (${gp.checkpoint})`,
            );
          }
          sums[k] = (sums[k] ?? 0) + v * m;
        }
        steps++;
        seen += m;
      }
      const seconds = (performance.now() - started) / 1000;
      const entry: EpochLog = {
        generation: t,
        epoch: e + 1,
        lr,
        loss: sums.total / seen,
        ce: sums.ce / seen,
        ...(sums.l1 !== undefined ? { l1: sums.l1 / seen } : {}),
        ...(sums.kl !== undefined ? { kl: sums.kl / seen } : {}),
        ...(sums.slack !== undefined ? { slack: sums.slack / seen } : {}),
        imagesPerSec: seen / seconds,
        seconds,
      };
      const every = opts.evalEvery ?? 0;
      if (every > 0 && (e + 1) % every === 0 && e + 1 < o.epochs) {
        const pr = await predictSource(model, opts.test, config, { batchSize: o.batchSize });
        entry.testMae = scoreAges(pr, opts.test.ages, opts.test.apparent, config.heads).mae;
      }
      state = {
        epochsDone: e + 1,
        epochs: [...state.epochs, entry],
        rng: { seed: config.seed, generation: t, nextEpoch: e + 1 },
        trainSeconds: state.trainSeconds + seconds,
      };
      await writeCheckpoint(gp.checkpoint, model, sgd, state);
      budget.epochsLeft--;
      const parts = ["ce", "l1", "kl", "slack"]
        .filter((k) => sums[k] !== undefined)
        .map((k) => `${k} ${(sums[k] / seen).toFixed(4)}`).join(" ");
      const eta = (o.epochs - e - 1) * seconds;
      log(
        `gen ${t}/${config.generations} epoch ${e + 1}/${o.epochs}  loss ${
          entry.loss.toFixed(4)
        } ` +
          `(${parts})  lr ${lr.toExponential(1)}  ${entry.imagesPerSec.toFixed(1)} img/s  ` +
          `${steps} steps  ETA ${formatSeconds(eta)}` +
          (entry.testMae !== undefined ? `  test MAE ${entry.testMae.toFixed(3)}` : ""),
      );
    }
    const pr = await predictSource(model, opts.test, config, { batchSize: o.batchSize });
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
    };
    await writeJsonAtomic(gp.result, result);
    log(
      `generation ${t}: test MAE ${scored.mae.toFixed(3)} (ldl ${scored.maeLdl.toFixed(3)}, ` +
        `reg ${scored.maeReg.toFixed(3)})  CA3/5/7 ${scored.ca3.toFixed(1)}/${
          scored.ca5.toFixed(1)
        }/${scored.ca7.toFixed(1)}`,
    );
    return result;
  } finally {
    disposeSgd(sgd);
    model.dispose();
    ancestorModel?.dispose();
  }
}
