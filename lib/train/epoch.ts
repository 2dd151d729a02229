/**
 * One epoch of one generation: every training batch (shuffled and augmented by the epoch's seed)
 * through a step of Eq. 14 (t = 1) or Eq. 15 (t > 1), the loss parts summed over the images, and a
 * guard that stops at the first non-finite loss, and at an epoch that leaves a non-finite weight.
 *
 * API:
 * - `batchTargets(config, t, ages, indices, x, ancestor, ancestorModel)`: the loss targets of a
 *   batch (classes and y; for t > 1 the ancestor's p at τ and Δs).
 * - `trainEpoch(job, e)`: trains epoch `e` (0-based), resolves to its {@link EpochLog} and steps.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import type * as tfl from "@tensorflow/tfjs-layers";
import { type CenConfig, numAges } from "../config.ts";
import type { SampleSource } from "../data/types.ts";
import { NonFiniteLossError } from "../errors.ts";
import type { LossSettings, LossTargets } from "../loss/cen.ts";
import { normalizeAge, slackDelta } from "../loss/regression.ts";
import { toInput } from "../model/input.ts";
import { predictTensor } from "../model/predict.ts";
import { mixSeed } from "../rng.ts";
import type { AncestorStore } from "./ancestor.ts";
import type { EpochLog } from "./run.ts";
import { learningRate, type Sgd } from "./sgd.ts";
import { type StepLosses, trainStep } from "./step.ts";

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

/** What one epoch trains: the network, its optimizer, the data and the ancestor's outputs. */
export interface EpochJob {
  config: CenConfig;
  /** The generation. */
  t: number;
  model: tfl.LayersModel;
  sgd: Sgd;
  train: SampleSource;
  /** The ancestor's stored p and s (t > 1, `ancestorOutputs: "stored"`). */
  ancestor: AncestorStore | undefined;
  /** The ancestor itself (t > 1, `ancestorOutputs: "online"`). */
  ancestorModel: tfl.LayersModel | undefined;
  /** The checkpoint a non-finite loss leaves to resume from: its path and epochs, for the error. */
  kept: { path: string; epochsDone: number };
}

/** One trained epoch: its log entry (mean losses, speed, time) and the steps it took. */
export interface EpochRun {
  entry: EpochLog;
  steps: number;
}

/** Loss parts summed over the images of an epoch (each step's mean times its batch size). */
type LossSums = Partial<Record<keyof StepLosses, number>>;

/**
 * Adds one step's losses (a batch of `m` images) to `sums`; a non-finite part is a
 * NonFiniteLossError that says where it struck and which checkpoint is kept.
 */
function addLosses(
  sums: LossSums,
  losses: StepLosses,
  m: number,
  where: { t: number; e: number; step: number; lr: number; kept: EpochJob["kept"] },
): void {
  for (const [k, v] of Object.entries(losses) as [keyof StepLosses, number | undefined][]) {
    if (v === undefined) continue;
    if (!Number.isFinite(v)) {
      const { t, e, step, lr, kept } = where;
      throw new NonFiniteLossError(
        `non-finite loss (${k} = ${v}) at generation ${t}, epoch ${e + 1}, step ${step}` +
          ` (lr ${lr}); the last good checkpoint (after epoch ${kept.epochsDone}) is kept (${kept.path})`,
      );
    }
    sums[k] = (sums[k] ?? 0) + v * m;
  }
}

/** The log entry of an epoch: the summed losses as means over its `seen` images. */
function epochEntry(
  t: number,
  e: number,
  lr: number,
  sums: LossSums,
  seen: number,
  seconds: number,
): EpochLog {
  return {
    generation: t,
    epoch: e + 1,
    lr,
    loss: sums.total! / seen,
    ce: sums.ce! / seen,
    ...(sums.l1 !== undefined ? { l1: sums.l1 / seen } : {}),
    ...(sums.kl !== undefined ? { kl: sums.kl / seen } : {}),
    ...(sums.slack !== undefined ? { slack: sums.slack / seen } : {}),
    imagesPerSec: seen / seconds,
    seconds,
  };
}

/**
 * Trains epoch `e` (0-based) of generation `job.t`: its learning rate (`learningRate`), its data
 * order and augmentation (seeded by the config's seed, t and e), one step per batch.
 */
export async function trainEpoch(job: EpochJob, e: number): Promise<EpochRun> {
  const { config, t, model, sgd, ancestor, ancestorModel } = job;
  const o = config.optim;
  const settings: LossSettings = config;
  const lr = learningRate(e, o);
  const started = performance.now();
  const sums: LossSums = {};
  let steps = 0, seen = 0;
  for await (
    const b of job.train.batches({
      batchSize: o.batchSize,
      shuffle: true,
      augment: config.data.augment,
      seed: mixSeed(config.seed, t),
      epoch: e,
    })
  ) {
    const m = b.ages.length;
    const x = toInput(b.x, m, config.inputSize);
    const targets = batchTargets(config, t, b.ages, b.indices, x, ancestor, ancestorModel);
    const losses = trainStep(model, sgd, x, targets, t, settings, {
      lr,
      momentum: o.momentum,
      weightDecay: o.weightDecay,
    });
    tf.dispose([x, ...Object.values(targets)]);
    addLosses(sums, losses, m, { t, e, step: steps + 1, lr, kept: job.kept });
    steps++;
    seen += m;
  }
  checkFiniteWeights(sgd.variables, { t, e, kept: job.kept });
  const seconds = (performance.now() - started) / 1000;
  return { entry: epochEntry(t, e, lr, sums, seen, seconds), steps };
}

/**
 * After an epoch, every weight must be finite: the wasm and oneDNN kernels can turn a NaN into 0
 * on the way forward (a max or ReLU of NaN gives 0), so a diverged weight may leave the loss
 * finite. A non-finite weight is a NonFiniteLossError, and the last checkpoint is kept.
 */
export function checkFiniteWeights(
  variables: readonly tf.Variable[],
  where: { t: number; e: number; kept: EpochJob["kept"] },
): void {
  for (const v of variables) {
    const values = v.dataSync();
    for (let i = 0; i < values.length; i++) {
      if (Number.isFinite(values[i])) continue;
      const { t, e, kept } = where;
      throw new NonFiniteLossError(
        `non-finite weight (${v.name}[${i}] = ${values[i]}) after generation ${t}, epoch ${e + 1}` +
          `; the last good checkpoint (after epoch ${kept.epochsDone}) is kept (${kept.path})`,
      );
    }
  }
}
