/**
 * Named starting points for a run's config. Every notebook and CLI starts from one profile and
 * overrides what it needs; the profile's values are part of the config, hence of the run id.
 *
 * - `smoke`: the smallest run of every notebook, for tests (seconds per notebook).
 * - `tiny`: the end-to-end run of `deno task train` (about a minute).
 * - `default`: the embedded synthetic set at CPU scale (the notebooks' default; minutes).
 * - `real`: UTKFace part 1 (`CEN_UTKFACE_DIR`) at CPU scale: 6 epochs per generation, so the
 *   3-seed study (Tables 1, 5, 6 for ResNet10-Tiny and ResNet18-Tiny) fits in about 90 minutes
 *   on 2 cores (`deno task study --profile real`).
 * - `real-long`: the same data trained 40 epochs per generation, two generations, two seeds
 *   (`deno task train --profile real-long --seed 1`).
 * - `real-96`: `real-long` at 96 px (one seed): our best model (generation 1), the one exported.
 * - `real-80`: generation 1 trained 80 epochs (one seed): longer training overfits (MAE 6.695
 *   against 5.962 / 6.182 at 40 epochs).
 * - `shipped`: the model that ships in `model/`: real-face pretraining, then generation 1 on
 *   both targets' training sets (`deno task train --profile shipped`, then `deno task export`).
 * - `verdict-utkface`, `verdict-aaf`: the verdict study: the paper's tables on two
 *   real targets at 64 px, trained to the length the epoch curve chose, 3 seeds
 *   (`deno task study --profile verdict-utkface`; Table 6 on UTKFace only).
 * - `paper`: the paper's settings (224 px, ResNet18, 160 epochs, batch 128) for a GPU machine.
 *
 * @module
 */
import { type Backbone, type CenConfig, makeConfig, type PartialConfig } from "./config.ts";
import { ConfigError } from "./errors.ts";

/** How many seeds and which backbones a profile's study (Tables 1, 5, 6) uses by default. */
export interface StudyDefaults {
  /** Seeds per table row. */
  seeds: number;
  /** Backbones of Table 5. */
  backbones: Backbone[];
  /** Epochs per generation of the epoch curve that chose the profile's length (03-ancestor). */
  epochCurve?: number[];
  /** λ₁ values of Table 1's λ₁ sweep (generation 1, both heads); absent: no sweep. */
  lambda1Sweep?: number[];
  /** Whether the study includes Table 6 (τ, α, λ_t) and 04's τ figure (default true). */
  ablations?: boolean;
  /**
   * Seeds that decide the central claims (lib/study/effects.ts), declared before their runs from
   * the power analysis that `07-summary` shows: Table 5's chains, Table 1's head settings and the
   * λ₁ sweep train this many seeds (at least `seeds`). The number is fixed first and trained in
   * full: no stopping when an interval happens to exclude a value.
   */
  decisiveSeeds?: { table5: number; table1: number; lambda1: number; floor: number; cap: number };
}

/**
 * A profile: the target run's config, the pretraining run's config (null: no pretraining), and
 * its study defaults.
 */
export interface Profile {
  /** The target run's config. */
  target: PartialConfig;
  /** The pretraining run's config (null: trained from scratch). */
  pretrain: PartialConfig | null;
  /** The study's seeds and backbones. */
  study: StudyDefaults;
}

const ONE_SEED: StudyDefaults = { seeds: 1, backbones: ["resnet10-tiny"] };

/** A pretraining run on the IMDB-WIKI stand-in (ages 0–100, noisy labels): Eq. 14 only. */
function syntheticPretrain(
  inputSize: number,
  count: number,
  epochs: number,
  lr: number,
): PartialConfig {
  return {
    backbone: "resnet10-tiny",
    inputSize,
    generations: 1,
    minAge: 0,
    maxAge: 100,
    optim: { lr, epochs, batchSize: 32, lrStepEpochs: Math.max(1, epochs - 2) },
    data: { dataset: "synthetic-pretrain", params: { count }, augment: true },
  };
}

/**
 * A target run on UTKFace part 1 (ages 1–110, ResNet10-Tiny, SGD lr 0.05, batch 32, augmented);
 * the profiles on it differ only in input size, generations and schedule.
 */
function utkface(s: {
  inputSize: number;
  generations: number;
  epochs: number;
  lrStepEpochs: number;
}): PartialConfig {
  return {
    backbone: "resnet10-tiny",
    inputSize: s.inputSize,
    minAge: 1,
    maxAge: 110,
    generations: s.generations,
    optim: { lr: 0.05, epochs: s.epochs, batchSize: 32, lrStepEpochs: s.lrStepEpochs },
    data: { dataset: "utkface", params: {}, augment: true },
  };
}

/**
 * Real-face pretraining (Eq. 14, as the paper pretrains on IMDB-WIKI): UTKFace's other 13,927
 * chips (`CEN_UTKFACE_REST_DIR`) and AAF's train list (`CEN_AAF_DIR`), about 19,600 faces aged
 * 1–116, no test image of either target; 5% held out for the learning curve. ResNet10-Tiny at
 * 96 px, 24 epochs of SGD at lr 0.05, the rate ÷10 for the last 6.
 */
export const REAL_PRETRAIN: PartialConfig = {
  backbone: "resnet10-tiny",
  inputSize: 96,
  generations: 1,
  minAge: 1,
  maxAge: 116,
  optim: { lr: 0.05, epochs: 24, batchSize: 32, lrStepEpochs: 18 },
  data: { dataset: "real-pretrain", params: {}, augment: true },
};

/**
 * {@link REAL_PRETRAIN} at 64 px: the pretraining of the verdict study, at the
 * study's input size (the paper pretrains and fine-tunes at the same 224 px).
 */
export const REAL_PRETRAIN_64: PartialConfig = { ...REAL_PRETRAIN, inputSize: 64 };

/**
 * Epochs per generation of the verdict study on each target, chosen by 03-ancestor's epoch curve
 * (generation 1 trained 4, 8, 16, 32 … epochs, seed 0, 2026-11-29): the first length whose double
 * changes the test MAE by less than 0.1 years or makes it worse.
 * - AAF: 7.770, 7.269, 6.883, 7.056 → E = 16 (32 epochs overfit).
 * - UTKFace: 7.240, 6.289, 5.875, 5.761, 5.570, 5.868 → E = 64 (16 → 32 still gains 0.114 and
 *   32 → 64 gains 0.191; 128 epochs overfit).
 */
export const VERDICT_EPOCHS = { utkface: 64, aaf: 16 } as const;

/**
 * A target of the verdict study: ResNet10-Tiny at 64 px, fine-tuned from
 * {@link REAL_PRETRAIN_64} at a fifth of its learning rate (0.01), `epochs` per generation with
 * the rate ÷10 for the last quarter, ages 1–116 as the pretraining.
 */
export function verdictTarget(
  dataset: "utkface" | "aaf",
  epochs: number = VERDICT_EPOCHS[dataset],
): PartialConfig {
  return {
    backbone: "resnet10-tiny",
    inputSize: 64,
    minAge: 1,
    maxAge: 116,
    generations: 4,
    optim: { lr: 0.01, epochs, batchSize: 32, lrStepEpochs: lrStepFor(epochs) },
    data: { dataset, params: {}, augment: true },
  };
}

/** The step of a schedule of `epochs` epochs: the rate ÷10 for the last quarter. */
export function lrStepFor(epochs: number): number {
  return Math.max(1, Math.round(0.75 * epochs));
}

/** The verdict study's defaults: 3 seeds, the epoch curve, Table 1's λ₁ sweep. */
const VERDICT_STUDY: StudyDefaults = {
  seeds: 3,
  backbones: ["resnet10-tiny"],
  epochCurve: [4, 8, 16, 32],
  lambda1Sweep: [0.5, 1, 2, 4],
};

/** The pretraining every UTKFace profile starts from (so they share one pretrained backbone). */
const UTKFACE_PRETRAIN = REAL_PRETRAIN;

/**
 * The shipped model: generation 1 on both targets' training sets at once (UTKFace part 1's
 * split and AAF's train list; tested on UTKFace's test split and AAF's val list), fine-tuned from
 * the real-face pretraining at a fifth of its learning rate.
 */
const SHIPPED: PartialConfig = {
  backbone: "resnet10-tiny",
  inputSize: 96,
  minAge: 1,
  maxAge: 116,
  generations: 1,
  optim: { lr: 0.01, epochs: 30, batchSize: 32, lrStepEpochs: 22 },
  data: { dataset: "utkface+aaf", params: {}, augment: true },
};

const PROFILES: Record<string, Profile> = {
  smoke: {
    target: {
      backbone: "resnet10-tiny",
      inputSize: 32,
      generations: 3,
      optim: { lr: 0.01, epochs: 1, batchSize: 32 },
      data: { dataset: "synthetic-target", params: { count: 200 }, augment: true },
    },
    pretrain: syntheticPretrain(32, 200, 1, 0.01),
    study: ONE_SEED,
  },
  tiny: {
    target: {
      backbone: "resnet10-tiny",
      inputSize: 32,
      generations: 3,
      optim: { lr: 0.01, epochs: 3, batchSize: 32, lrStepEpochs: 2 },
      data: { dataset: "synthetic-target", params: { count: 600 }, augment: true },
    },
    pretrain: null,
    study: ONE_SEED,
  },
  default: {
    target: {
      backbone: "resnet10-tiny",
      inputSize: 64,
      generations: 4,
      optim: { lr: 0.05, epochs: 6, batchSize: 32, lrStepEpochs: 4 },
      data: { dataset: "synthetic-target", params: { count: 2500 }, augment: true },
    },
    pretrain: syntheticPretrain(64, 5000, 8, 0.05),
    study: ONE_SEED,
  },
  real: {
    target: utkface({ inputSize: 64, generations: 4, epochs: 6, lrStepEpochs: 4 }),
    pretrain: UTKFACE_PRETRAIN,
    study: { seeds: 3, backbones: ["resnet10-tiny", "resnet18-tiny"] },
  },
  "real-long": {
    target: utkface({ inputSize: 64, generations: 2, epochs: 40, lrStepEpochs: 30 }),
    pretrain: UTKFACE_PRETRAIN,
    study: { seeds: 2, backbones: ["resnet10-tiny"] },
  },
  "real-96": {
    target: utkface({ inputSize: 96, generations: 2, epochs: 40, lrStepEpochs: 30 }),
    pretrain: UTKFACE_PRETRAIN,
    study: ONE_SEED,
  },
  "real-80": {
    target: utkface({ inputSize: 64, generations: 1, epochs: 80, lrStepEpochs: 60 }),
    pretrain: UTKFACE_PRETRAIN,
    study: ONE_SEED,
  },
  shipped: { target: SHIPPED, pretrain: REAL_PRETRAIN, study: ONE_SEED },
  "verdict-utkface": {
    target: verdictTarget("utkface"),
    pretrain: REAL_PRETRAIN_64,
    study: {
      ...VERDICT_STUDY,
      epochCurve: [4, 8, 16, 32, 64, 128],
      // 07-summary's power analysis on the 3-seed records (2026-12-07): floor 6, cap 10.
      decisiveSeeds: { table5: 10, table1: 6, lambda1: 10, floor: 6, cap: 10 },
    },
  },
  "verdict-aaf": {
    target: verdictTarget("aaf"),
    pretrain: REAL_PRETRAIN_64,
    study: {
      ...VERDICT_STUDY,
      ablations: false,
      // 07-summary's power analysis on the 3-seed records (2026-12-07): floor 6, cap 20.
      decisiveSeeds: { table5: 11, table1: 12, lambda1: 20, floor: 6, cap: 20 },
    },
  },
  paper: {
    target: {
      backbone: "resnet18",
      inputSize: 224,
      generations: 4,
      data: { dataset: "morph", params: {}, augment: true },
    },
    pretrain: {
      backbone: "resnet18",
      inputSize: 224,
      generations: 1,
      minAge: 0,
      maxAge: 100,
      optim: { lr: 0.01 },
      data: { dataset: "imdb-wiki", params: {}, augment: true },
    },
    study: { seeds: 3, backbones: ["resnet10", "resnet18"] },
  },
};

/** Names of the profiles. */
export const PROFILE_NAMES: string[] = Object.keys(PROFILES);

/** The profile called `name`; an unknown name is a ConfigError listing the known ones. */
export function profile(name: string): Profile {
  const p = PROFILES[name];
  if (!p) {
    throw new ConfigError(
      "profile",
      `unknown profile "${name}" (one of ${PROFILE_NAMES.join(", ")})`,
    );
  }
  return p;
}

/** Merges two partial configs (later wins; `optim`, `data` and `data.params` merge key by key). */
export function mergePartial(a: PartialConfig, b: PartialConfig): PartialConfig {
  return {
    ...a,
    ...b,
    optim: { ...a.optim, ...b.optim },
    data: {
      ...a.data,
      ...b.data,
      params: { ...a.data?.params, ...b.data?.params },
    } as PartialConfig["data"],
  };
}

/** The target config of a profile with overrides applied (validated). */
export function profileConfig(name: string, overrides: PartialConfig = {}): CenConfig {
  return makeConfig(mergePartial(profile(name).target, overrides));
}
