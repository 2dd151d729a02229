/**
 * The one configuration type that drives everything, with the defaults of docs/method.md, its
 * validation (errors name the field) and the hash that identifies a run.
 *
 * @module
 */
import { ConfigError } from "./errors.ts";

/** The four backbones of the paper's Table 7. */
export const BACKBONES = ["resnet10", "resnet18", "resnet10-tiny", "resnet18-tiny"] as const;
/** A backbone name. */
export type Backbone = typeof BACKBONES[number];

/** Where the data of a run comes from; hashed into the run id (locations are not). */
export interface DataConfig {
  /** Dataset name as the data layer knows it (e.g. "synthetic-target", "utkface"). */
  dataset: string;
  /** Dataset-specific settings that change the data (split, preset, count, …). */
  params: Record<string, string | number | boolean>;
  /** Apply the training augmentation (random resized crop, flip). */
  augment: boolean;
}

/** SGD with momentum, weight decay and a step schedule (docs/method.md, "Training"). */
export interface OptimConfig {
  /** Initial learning rate (0.01 pretraining, 0.001 fine-tuning in the paper). */
  lr: number;
  /** SGD momentum (0.9). */
  momentum: number;
  /** L2 weight decay (1e-4 in our profiles). */
  weightDecay: number;
  /** Divide the learning rate by `lrGamma`⁻¹ every `lrStepEpochs` epochs. */
  lrStepEpochs: number;
  /** Factor applied to the learning rate at each step (0.1). */
  lrGamma: number;
  /** Epochs per generation. */
  epochs: number;
  /** Images per SGD step. */
  batchSize: number;
}

/** Everything that defines a CEN run. */
export interface CenConfig {
  /** Seed of weight init, data order and augmentation. */
  seed: number;
  /** The backbone network (Table 7). */
  backbone: Backbone;
  /** Input side in pixels; a multiple of 16, at least 32 (e.g. 32, 64, 112, 224). */
  inputSize: number;
  /** Age classes l_1 … l_k, one per integer age (Eq. 1). */
  minAge: number;
  /** The oldest age class l_k. */
  maxAge: number;
  /** Number of generations T (t = 1 … T). */
  generations: number;
  /** Temperature τ of the KL term (Eqs. 3, 5). */
  tau: number;
  /** Weight α of the KL term against CE (Eq. 7). */
  alpha: number;
  /** λ_1 of generation 1 (Eq. 14). */
  lambda1: number;
  /** λ_t of generations t > 1 (Eq. 15). */
  lambdaT: number;
  /**
   * Which heads train and predict (Table 1): "both" is CEN (ŷ = average, Eq. 18); "ldl" trains
   * only the LDL loss and predicts ŷ_ldl; "reg" trains only the regression loss and predicts ŷ_reg.
   */
  heads: "both" | "ldl" | "reg";
  /**
   * σ of a Gaussian label distribution replacing the one-hot target of Eq. 4 (the DLDL
   * baseline); 0 keeps the one-hot target of the paper.
   */
  labelSigma: number;
  /** [choice] Multiply the KL term by τ² (Hinton-style); the paper has no such factor. */
  klTauSquared: boolean;
  /** [choice] Ancestor outputs "stored" once per image on the un-augmented view, or "online" on each augmented batch. */
  ancestorOutputs: "stored" | "online";
  /** [choice] Each generation starts from the "pretrained" weights, or from its "ancestor". */
  offspringInit: "pretrained" | "ancestor";
  /**
   * [ablation] The offspring's regression loss: Eq. 13's "slack" ℓ1 (the paper), or Eq. 9's plain
   * "l1" on the true age, which tests what the slack term adds (the paper credits it, with the KL
   * term, for the gain from t = 1 to 2: "The Superiority of Evolutionary Mechanism").
   */
  offspringRegression: "slack" | "l1";
  /**
   * [choice] The arithmetic of training's convolutions and matmuls: "f32", or "bf16" (bfloat16
   * inputs, float32 accumulation; weights, batch norm, loss and update stay float32) where the CPU
   * has it. Prediction is float32 either way.
   */
  precision: "f32" | "bf16";
  /** Run id (or path of a run directory) whose last generation gives the pretrained backbone, or null. */
  pretrained: string | null;
  /** The optimiser and its schedule. */
  optim: OptimConfig;
  /** The training and test data. */
  data: DataConfig;
}

/** A partial config (what a notebook's parameters cell or a CLI fills in). */
export type PartialConfig = Partial<Omit<CenConfig, "optim" | "data">> & {
  optim?: Partial<OptimConfig>;
  data?: Partial<DataConfig>;
};

/** The defaults of docs/method.md (fine-tuning settings; Morph's ages 16–77). */
export const DEFAULT_CONFIG: Readonly<CenConfig> = Object.freeze({
  seed: 0,
  backbone: "resnet18",
  inputSize: 224,
  minAge: 16,
  maxAge: 77,
  generations: 4,
  tau: 2,
  alpha: 0.5,
  lambda1: 4,
  lambdaT: 4,
  heads: "both",
  labelSigma: 0,
  klTauSquared: false,
  ancestorOutputs: "stored",
  offspringInit: "pretrained",
  offspringRegression: "slack",
  precision: "f32",
  pretrained: null,
  optim: {
    lr: 0.001,
    momentum: 0.9,
    weightDecay: 1e-4,
    lrStepEpochs: 40,
    lrGamma: 0.1,
    epochs: 160,
    batchSize: 128,
  },
  data: { dataset: "synthetic-target", params: {}, augment: true },
} as CenConfig);

/** Fills a partial config from the defaults and validates it. */
export function makeConfig(
  partial: PartialConfig = {},
  base: CenConfig = DEFAULT_CONFIG,
): CenConfig {
  const config: CenConfig = {
    ...base,
    ...partial,
    optim: { ...base.optim, ...partial.optim },
    data: {
      ...base.data,
      ...partial.data,
      params: { ...(partial.data?.params ?? base.data.params) },
    },
  };
  return validateConfig(config);
}

/** Number of age classes k. */
export function numAges(config: Pick<CenConfig, "minAge" | "maxAge">): number {
  return config.maxAge - config.minAge + 1;
}

function check(ok: boolean, field: string, message: string): void {
  if (!ok) throw new ConfigError(field, message);
}

const isInt = (v: unknown) => typeof v === "number" && Number.isInteger(v);
const isNum = (v: unknown) => typeof v === "number" && Number.isFinite(v);

/** Throws a {@link ConfigError} naming the first invalid field; returns the config otherwise. */
export function validateConfig(c: CenConfig): CenConfig {
  const known = new Set(Object.keys(DEFAULT_CONFIG));
  for (const key of Object.keys(c)) check(known.has(key), key, "unknown field");
  for (const key of Object.keys(c.optim)) {
    check(key in DEFAULT_CONFIG.optim, `optim.${key}`, "unknown field");
  }
  check(isInt(c.seed), "seed", `must be an integer, got ${c.seed}`);
  check(
    (BACKBONES as readonly string[]).includes(c.backbone),
    "backbone",
    `unknown backbone "${c.backbone}" (one of ${BACKBONES.join(", ")})`,
  );
  check(
    isInt(c.inputSize) && c.inputSize >= 32 && c.inputSize % 16 === 0,
    "inputSize",
    `must be a multiple of 16 of at least 32, got ${c.inputSize}`,
  );
  check(isInt(c.minAge) && c.minAge >= 0, "minAge", `must be an integer ≥ 0, got ${c.minAge}`);
  check(isInt(c.maxAge), "maxAge", `must be an integer, got ${c.maxAge}`);
  check(
    c.maxAge > c.minAge,
    "maxAge",
    `empty age range: maxAge (${c.maxAge}) must be greater than minAge (${c.minAge})`,
  );
  check(
    isInt(c.generations) && c.generations >= 1,
    "generations",
    `must be an integer ≥ 1, got ${c.generations}`,
  );
  check(isNum(c.tau) && c.tau > 0, "tau", `τ must be > 0, got ${c.tau}`);
  check(
    isNum(c.alpha) && c.alpha >= 0 && c.alpha <= 1,
    "alpha",
    `α must be in [0, 1], got ${c.alpha}`,
  );
  check(isNum(c.lambda1) && c.lambda1 >= 0, "lambda1", `λ_1 must be ≥ 0, got ${c.lambda1}`);
  check(isNum(c.lambdaT) && c.lambdaT >= 0, "lambdaT", `λ_t must be ≥ 0, got ${c.lambdaT}`);
  check(
    c.heads === "both" || c.heads === "ldl" || c.heads === "reg",
    "heads",
    `must be "both", "ldl" or "reg", got "${c.heads}"`,
  );
  check(isNum(c.labelSigma) && c.labelSigma >= 0, "labelSigma", `must be ≥ 0, got ${c.labelSigma}`);
  check(typeof c.klTauSquared === "boolean", "klTauSquared", "must be true or false");
  check(
    c.ancestorOutputs === "stored" || c.ancestorOutputs === "online",
    "ancestorOutputs",
    `must be "stored" or "online", got "${c.ancestorOutputs}"`,
  );
  check(
    c.offspringInit === "pretrained" || c.offspringInit === "ancestor",
    "offspringInit",
    `must be "pretrained" or "ancestor", got "${c.offspringInit}"`,
  );
  check(
    c.offspringRegression === "slack" || c.offspringRegression === "l1",
    "offspringRegression",
    `must be "slack" or "l1", got "${c.offspringRegression}"`,
  );
  check(
    c.precision === "f32" || c.precision === "bf16",
    "precision",
    `must be "f32" or "bf16", got "${c.precision}"`,
  );
  check(
    c.pretrained === null || (typeof c.pretrained === "string" && c.pretrained.length > 0),
    "pretrained",
    "must be a run id, a run directory or null",
  );
  const o = c.optim;
  check(isNum(o.lr) && o.lr > 0, "optim.lr", `must be > 0, got ${o.lr}`);
  check(
    isNum(o.momentum) && o.momentum >= 0 && o.momentum < 1,
    "optim.momentum",
    `must be in [0, 1), got ${o.momentum}`,
  );
  check(
    isNum(o.weightDecay) && o.weightDecay >= 0,
    "optim.weightDecay",
    `must be ≥ 0, got ${o.weightDecay}`,
  );
  check(
    isInt(o.lrStepEpochs) && o.lrStepEpochs >= 1,
    "optim.lrStepEpochs",
    `must be an integer ≥ 1, got ${o.lrStepEpochs}`,
  );
  check(
    isNum(o.lrGamma) && o.lrGamma > 0 && o.lrGamma <= 1,
    "optim.lrGamma",
    `must be in (0, 1], got ${o.lrGamma}`,
  );
  check(
    isInt(o.epochs) && o.epochs >= 1,
    "optim.epochs",
    `must be an integer ≥ 1, got ${o.epochs}`,
  );
  check(
    isInt(o.batchSize) && o.batchSize > 0,
    "optim.batchSize",
    `batch size must be an integer > 0, got ${o.batchSize}`,
  );
  check(
    typeof c.data.dataset === "string" && c.data.dataset.length > 0,
    "data.dataset",
    "must name a dataset",
  );
  check(typeof c.data.augment === "boolean", "data.augment", "must be true or false");
  return c;
}

/** Canonical JSON: object keys sorted at every level, so equal configs hash equally. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.keys(value as Record<string, unknown>).sort().map((k) =>
      `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`
    );
    return `{${entries.join(",")}}`;
  }
  return JSON.stringify(value);
}

/**
 * Fields added after runs were recorded, with their defaults: a config's hash includes one only
 * where it sets another value, so every run recorded before keeps its id.
 */
export const LATER_FIELDS: Readonly<Partial<CenConfig>> = Object.freeze({
  offspringRegression: "slack",
  precision: "f32",
});

/** The config as it is hashed: {@link LATER_FIELDS} at their defaults left out. */
export function hashedFields(config: CenConfig): Record<string, unknown> {
  const c: Record<string, unknown> = { ...config };
  for (const [k, v] of Object.entries(LATER_FIELDS)) if (c[k] === v) delete c[k];
  return c;
}

/**
 * The run id: the first 12 hex digits of SHA-256 over the canonical JSON of the config
 * ({@link hashedFields}).
 */
export function configHash(config: CenConfig): Promise<string> {
  return hashJson(hashedFields(config));
}

/** The first 12 hex digits of SHA-256 over the canonical JSON of any value. */
export async function hashJson(value: unknown): Promise<string> {
  const bytes = new TextEncoder().encode(canonicalJson(value));
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(digest.subarray(0, 6), (b) => b.toString(16).padStart(2, "0")).join("");
}
