/**
 * The run store: where a run's generations come from and where they go, so that the evolution
 * loop (`evolve.ts`) reads like the paper. Opening it takes the run's lock (one process per run),
 * works out the run's inputs (images, pretraining, trainer version), and serves the run from its
 * record where that holds every generation for these inputs and no weights are needed. Each
 * generation is then found finished in the run's folder, copied from another run with the same
 * generation key and inputs, or trained (resuming its checkpoint), under the generation's lock; a
 * finished one is kept in the run's metrics, its record and its per-image predictions; the
 * ancestor's outputs are read back when saved for this τ and these images, else recorded anew.
 *
 * @module
 */
import { join } from "node:path";
import { canonicalJson, type CenConfig, numAges } from "../config.ts";
import type { SampleSource } from "../data/types.ts";
import { DamagedFileError } from "../errors.ts";
import {
  copyTree,
  exists,
  readJsonIfExists,
  replaceDirAtomic,
  writeJsonAtomic,
} from "../fsutil.ts";
import { loadModel } from "../model/io.ts";
import { displayPath } from "../paths.ts";
import {
  type AncestorStore,
  computeAncestorStore,
  loadAncestorStore,
  saveAncestorStore,
} from "./ancestor.ts";
import { trainGeneration } from "./generation.ts";
import { claimRunDir, inputsDigest, runInputs, sourceFingerprint } from "./inputs.ts";
import { lockGeneration, lockRun } from "./locks.ts";
import { writeStoredPredictions } from "./predictions.ts";
import { readRecord, recordPath, recordServes, recordsRootFor, writeRecord } from "./record.ts";
import {
  DEFAULT_RUNS_ROOT,
  type EvolutionOptions,
  generationIndexPath,
  generationKey,
  type GenerationResult,
  type GenPaths,
  type RunInputs,
  type RunMetrics,
  type RunPaths,
  runPaths,
} from "./run.ts";

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

/** A run's generations: found, copied or trained, then kept (see the module doc). */
export interface RunStore extends AsyncDisposable {
  /**
   * Generation t: finished earlier, copied from a run with the same key and inputs, or trained
   * against `ancestor` (from its checkpoint, if any); undefined when this call's epoch budget ran
   * out first. Holds the generation's lock while it works.
   */
  generation(t: number, ancestor: AncestorStore | undefined): Promise<GenerationResult | undefined>;
  /** Keeps a finished generation: the run's metrics, its record and per-image predictions. */
  keep(result: GenerationResult): Promise<void>;
  /** The ancestor's p^t (at the config's τ) and s^t on every training image. */
  ancestor(t: number): Promise<AncestorStore>;
  /** What the run returns now: the generations kept, what happened to each in this call. */
  result(complete: boolean): Promise<EvolutionResult>;
}

/**
 * Opens the run store of `config`: the run served from its record where that is enough
 * (`served`), else a store to run the generations with (release it when done: `await using`).
 */
export async function openRunStore(
  config: CenConfig,
  opts: EvolutionOptions,
  backend: string,
): Promise<{ served: EvolutionResult } | { store: RunStore }> {
  const show = opts.log ?? ((line: string) => console.log(line));
  const paths = await runPaths(config, opts.runsRoot);
  const runLock = await lockRun(paths.id, opts.runsRoot, show); // one process per run (locks.ts)
  try {
    const recordsRoot = recordsRootFor(opts.runsRoot, opts.recordsRoot);
    const inputs = await runInputs(config, opts.train, opts.test, opts.runsRoot, recordsRoot);
    const served = await fromRecord(config, paths, inputs, recordsRoot, opts.needWeights, show);
    if (served) {
      await runLock[Symbol.asyncDispose]();
      return { served };
    }
    await claimRunDir(paths, inputs, show);
    await writeJsonAtomic(paths.config, config);
    const store = folderStore(config, opts, paths, inputs, recordsRoot, backend, show);
    return {
      store: { ...store, [Symbol.asyncDispose]: () => runLock[Symbol.asyncDispose]() },
    };
  } catch (e) {
    await runLock[Symbol.asyncDispose]();
    throw e;
  }
}

/** The store of a run that trains (or resumes, or reuses) in its own folder. */
function folderStore(
  config: CenConfig,
  opts: EvolutionOptions,
  paths: RunPaths,
  inputs: RunInputs,
  recordsRoot: string | null,
  backend: string,
  show: (line: string) => void,
): Omit<RunStore, typeof Symbol.asyncDispose> {
  const digest = inputsDigest(inputs);
  // Every progress line also goes to the run's train.log (appended: a resumed run continues it).
  const log = (line: string) => {
    show(line);
    Deno.writeTextFileSync(paths.log, `${new Date().toISOString()} ${line}\n`, { append: true });
  };
  const metrics: RunMetrics = { id: paths.id, config, backend, generations: [] };
  const budget = { epochsLeft: opts.maxEpochsThisCall ?? Infinity };
  const fates: GenerationFate[] = [];
  log(`run ${paths.id} → ${displayPath(paths.dir)}`);
  return {
    async generation(t, ancestor) {
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
        result = await trainGeneration({ config, t, paths, ancestor, opts, budget, log });
        fates.push(resumed ? "resumed" : "trained");
        if (!result) return undefined;
      }
      await writeJsonAtomic(
        generationIndexPath(opts.runsRoot ?? DEFAULT_RUNS_ROOT, await generationKey(config, t)),
        { dir: gp.dir, inputs: digest },
      );
      return result;
    },
    async keep(result) {
      metrics.generations.push(result);
      await writeJsonAtomic(paths.metrics, metrics);
      if (!recordsRoot) return;
      // A complete record for these inputs stays as committed: a run retrained here because its
      // weights were needed is another draw of the same run, and says so beside the record's.
      const kept = await readRecord(recordsRoot, paths.id);
      if (recordServes(kept, config, inputs)) {
        const was = kept.generations[result.generation - 1]?.metrics.mae;
        return log(
          `generation ${result.generation}: MAE ${result.metrics.mae.toFixed(3)} here, ` +
            `${was?.toFixed(3)} in its record ${displayPath(recordPath(recordsRoot, paths.id))}, ` +
            "which stays as it is",
        );
      }
      const { generations } = metrics;
      await writeRecord(recordsRoot, { id: paths.id, config, inputs, backend, generations });
      await recordPredictions(recordsRoot, paths, result.generation, log);
    },
    ancestor: (t) => ensureAncestorStore(config, paths.gen(t), opts.train, log),
    async result(complete) {
      if (!complete) await writeJsonAtomic(paths.metrics, metrics);
      return { id: paths.id, dir: paths.dir, metrics, complete, fates };
    },
  };
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
 * Writes the per-image test predictions of generations 1 … t beside the run's record
 * (`predictions.ts`), from each generation's `predictions.json`; skipped, with a line, where one
 * of them is missing (a generation copied from a run made before predictions were kept).
 */
async function recordPredictions(
  recordsRoot: string,
  paths: RunPaths,
  t: number,
  log: (line: string) => void,
): Promise<void> {
  const gens = [];
  for (let k = 1; k <= t; k++) {
    const p = await readJsonIfExists<{ age: number[]; yLdl: number[]; yReg: number[] }>(
      paths.gen(k).predictions,
    );
    if (!p) return log(`generation ${k} has no predictions.json: per-image predictions not kept`);
    gens.push(p);
  }
  await writeStoredPredictions(recordsRoot, paths.id, gens[0].age, gens);
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
    const saved = await loadAncestorStore(gp.dir).catch((e) => {
      if (!(e instanceof DamagedFileError)) throw e;
      log(`the saved ancestor store is damaged (${e.path}: ${e.problem}): recording it again`);
      return undefined;
    });
    if (!saved) return await recordAncestorStore(config, gp, train, source, log);
    const why = [
      saved.tau !== config.tau && `τ ${saved.tau}`,
      saved.k !== numAges(config) && `${saved.k} ages`,
      saved.n !== train.length && `${saved.n} images`,
      saved.source !== source && "other training images",
    ].filter(Boolean);
    if (why.length === 0) return saved;
    log(`the saved ancestor store was recorded for ${why.join(", ")}: recording it again`);
  }
  return await recordAncestorStore(config, gp, train, source, log);
}

/** Records generation `gp`'s ancestor store (p at the config's τ, and s) on the training images. */
async function recordAncestorStore(
  config: CenConfig,
  gp: GenPaths,
  train: SampleSource,
  source: string,
  log: (line: string) => void,
): Promise<AncestorStore> {
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
