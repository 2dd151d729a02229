/**
 * The run directory: a run is identified by its config's hash and keeps everything it writes
 * under `results/runs/<id>/` — `config.json`, `metrics.json` and one `gen-<t>/` per generation
 * (checkpoint, final model, ancestor store, test predictions, result).
 *
 * @module
 */
import { join, resolve } from "node:path";
import { type CenConfig, configHash, hashedFields, hashJson } from "../config.ts";
import { exists, readJsonIfExists } from "../fsutil.ts";
import type { AgeMetrics } from "../metrics.ts";
import type { SampleSource } from "../data/types.ts";
import { EXPORT_DIR, RUNS_DIR, SHIPPED_MODEL_DIR } from "../paths.ts";

/**
 * Default root of all runs: `results/runs` of this checkout (whatever the working directory, so
 * notebooks, which run in `notebooks/`, share it with the command line); `CEN_RUNS_DIR` overrides.
 */
export const DEFAULT_RUNS_ROOT: string = RUNS_DIR;

/** Where `deno task export` puts the chosen model and `deno task predict` looks for it. */
export const DEFAULT_EXPORT_DIR: string = EXPORT_DIR;

/**
 * The model that ships in the repository (`model/`: weights, config and model card), used by
 * `deno task predict` when no model was exported or named.
 */
export { SHIPPED_MODEL_DIR };

/**
 * The model to use when none is named: the one exported to {@link DEFAULT_EXPORT_DIR}, else the
 * shipped one; undefined when neither is there.
 */
export async function defaultModelDir(): Promise<string | undefined> {
  for (const dir of [DEFAULT_EXPORT_DIR, SHIPPED_MODEL_DIR]) {
    if (await exists(join(dir, "model.json"))) return dir;
  }
  return undefined;
}

/** Where one run lives. */
export interface RunPaths {
  id: string;
  dir: string;
  config: string;
  metrics: string;
  log: string;
  gen(t: number): GenPaths;
}

/** Where one generation of a run lives. */
export interface GenPaths {
  dir: string;
  /** `checkpoint.json`: names the directory of the latest whole checkpoint. */
  checkpoint: string;
  model: string;
  result: string;
  predictions: string;
}

/** Progress of one epoch, as logged and kept in the generation's result. */
export interface EpochLog {
  generation: number;
  epoch: number;
  lr: number;
  loss: number;
  ce: number;
  l1?: number;
  kl?: number;
  slack?: number;
  imagesPerSec: number;
  seconds: number;
  /** Test MAE after this epoch, where the run scored it (`evalEvery`): a learning curve. */
  testMae?: number;
}

/** What a finished generation records in `gen-<t>/result.json`. */
export interface GenerationResult {
  generation: number;
  metrics: AgeMetrics;
  epochs: EpochLog[];
  trainSeconds: number;
  /**
   * When the generation finished (ISO 8601, UTC): where a study's training time went, session by
   * session. Absent in results written before 2026-11-30.
   */
  finishedAt?: string;
}

/** `metrics.json`: the run's config and every finished generation. */
export interface RunMetrics {
  id: string;
  config: CenConfig;
  backend: string;
  generations: GenerationResult[];
}

/** The paths of the run for `config` under `root`. */
export async function runPaths(config: CenConfig, root = DEFAULT_RUNS_ROOT): Promise<RunPaths> {
  const id = await configHash(config);
  return pathsFor(id, root);
}

function pathsFor(id: string, root: string): RunPaths {
  const dir = resolve(root, id);
  return {
    id,
    dir,
    config: join(dir, "config.json"),
    metrics: join(dir, "metrics.json"),
    log: join(dir, "train.log"),
    gen: (t) => {
      const g = join(dir, `gen-${t}`);
      return {
        dir: g,
        checkpoint: join(g, "checkpoint.json"),
        model: join(g, "model"),
        result: join(g, "result.json"),
        predictions: join(g, "predictions.json"),
      };
    },
  };
}

/** Reads a run's metrics, or undefined if it has none yet. */
export function readRunMetrics(paths: RunPaths): Promise<RunMetrics | undefined> {
  return readJsonIfExists<RunMetrics>(paths.metrics);
}

/**
 * Finds the final model directory of a run given by id (under `root`) or by directory: the model
 * of its last finished generation.
 */
export async function finalModelDir(ref: string, root = DEFAULT_RUNS_ROOT): Promise<string> {
  if (await exists(join(ref, "model.json"))) return resolve(ref);
  const dir = await runDirOf(ref, root);
  const metrics = await readJsonIfExists<RunMetrics>(join(dir, "metrics.json"));
  if (!metrics || metrics.generations.length === 0) {
    throw new Error(`run "${ref}" has no finished generation (looked in ${dir})`);
  }
  const last = metrics.generations[metrics.generations.length - 1].generation;
  return join(dir, `gen-${last}`, "model");
}

/** The folder of run `ref`: a run folder given by path (it has `metrics.json`), else `root/ref`. */
export async function runDirOf(ref: string, root = DEFAULT_RUNS_ROOT): Promise<string> {
  return (await exists(join(ref, "metrics.json"))) ? resolve(ref) : resolve(root, ref);
}

/**
 * Config fields that only generations t > 1 read (Eqs. 5–7, 10–13, 15 and the [choice]s); a
 * generation-1 key sets them to null, and leaves out those added later (`offspringRegression`).
 */
const OFFSPRING_FIELDS = [
  "tau",
  "alpha",
  "lambdaT",
  "klTauSquared",
  "ancestorOutputs",
  "offspringInit",
] as const;
const LATER_OFFSPRING_FIELDS = ["offspringRegression"] as const;

/**
 * The identity of generation t of a config: a hash of what it depends on. The number of
 * generations T never matters, and generation 1 does not depend on the offspring's settings, so
 * e.g. runs that differ only in τ share their generation 1 (it is trained once and reused).
 */
export function generationKey(config: CenConfig, t: number): Promise<string> {
  const c: Record<string, unknown> = { ...hashedFields(config), generations: null };
  if (t === 1) {
    for (const f of OFFSPRING_FIELDS) c[f] = null;
    for (const f of LATER_OFFSPRING_FIELDS) delete c[f];
  }
  return hashJson({ generation: t, config: c });
}

/** Where a finished generation with this key is recorded (shared by all runs under `root`). */
export function generationIndexPath(root: string, key: string): string {
  return join(resolve(root), "_generations", `${key}.json`);
}

/** Test-set predictions a generation saved (true ages and ŷ_ldl, ŷ_reg, ŷ). */
export interface SavedPredictions {
  age: number[];
  yLdl: number[];
  yReg: number[];
  y: number[];
}

/** Reads `gen-<t>/predictions.json` of a run directory. */
export async function readPredictions(runDir: string, t: number): Promise<SavedPredictions> {
  return JSON.parse(await Deno.readTextFile(join(runDir, `gen-${t}`, "predictions.json")));
}

/** Everything besides the config that a run's results depend on. */
export interface RunInputs {
  trainer: number;
  /** {@link sourceFingerprint} of the training and test sources. */
  train: string;
  test: string;
  /**
   * The pretraining run it starts from, as `<run id>:<digest of that run's inputs>` (a bare model
   * folder: the SHA-256 of its weights), or null without pretraining. A pretraining run trained
   * again on other images changes it; the same pretraining retrained on another machine does not.
   */
  pretrained: string | null;
}

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
