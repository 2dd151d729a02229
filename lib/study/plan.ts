/**
 * The whole study as one plan: every run notebooks 02–07 need, in phases that never train a shared generation twice, and how to balance a phase over workers.
 *
 * @module
 */
import { type Backbone, type CenConfig, configHash } from "../config.ts";
import { profileConfigs } from "../experiment.ts";
import { exists } from "../fsutil.ts";
import { profile } from "../profiles.ts";
import { DEFAULT_RUNS_ROOT, generationIndexPath, generationKey } from "../train/run.ts";
import { variant, withSeeds } from "./runs.ts";
import { lambda1Configs, table1Configs } from "./table1.ts";
import { epochCurveConfigs, validationCurveConfigs } from "./epochs.ts";
import { table5Configs } from "./table5.ts";
import { AblationCenter, table6Configs } from "./table6.ts";
import { dldlConfigs } from "./baselines.ts";
import { backboneConfigs, scratchConfigs } from "./pretraining.ts";
import { plainL1Configs, retrainedConfigs } from "./slack.ts";
import { studyFigureTaus } from "./params.ts";

/** What a study covers; `seeds`/`backbones` default to the profile's study defaults. */
export interface StudySettings {
  seeds?: number;
  backbones?: Backbone[];
  center?: AblationCenter;
  /** τ values of 04-evolution's distribution figure, trained to `figureGenerations`. */
  figureTaus?: number[];
  figureGenerations?: number;
}

/** One step of a plan: configs that can train side by side (none needs another's generation). */
export interface StudyPhase {
  name: string;
  configs: CenConfig[];
}

/** The ablation centre (docs/method.md, Table 6: τ = 2, α = 0.5, λ = 4), compared at t = 2. */
export const DEFAULT_CENTER: AblationCenter = { tau: 2, alpha: 0.5, lambda: 4, generation: 2 };

/**
 * Every run the notebooks 02–07 ask for under a profile, in phases: pretraining (and the scratch
 * runs), every generation-1 ancestor, the offspring, then the runs that only reuse generations.
 * Configs within a phase share no generation still to be trained, so they can run in parallel.
 */
export async function studyPlan(
  profileName: string,
  settings: StudySettings = {},
): Promise<StudyPhase[]> {
  const defaults = profile(profileName).study;
  const ablations = defaults.ablations ?? true;
  const seeds = settings.seeds ?? defaults.seeds;
  const backbones = settings.backbones ?? defaults.backbones;
  const center = settings.center ?? DEFAULT_CENTER;
  const main = await profileConfigs(profileName);
  const others = await Promise.all(
    backbones.filter((b) => b !== main.target.backbone).map((b) => backboneConfigs(profileName, b)),
  );
  // The central claims' tables train the seeds declared to decide them (when no count is given).
  const decisive = (k: "table5" | "table1" | "lambda1") =>
    settings.seeds ?? Math.max(seeds, defaults.decisiveSeeds?.[k] ?? 0);
  const t1 = table1Configs(main.target, decisive("table1"));
  const t6 = table6Configs(main.target, center, seeds);
  const sweeps = ablations ? [...t6.tau, ...t6.alpha, ...t6.lambda].flatMap((s) => s.configs) : [];
  const lambda1 = lambda1Configs(main.target, decisive("lambda1"), defaults.lambda1Sweep ?? [])
    .flatMap((s) => s.configs);
  const isCenter = (c: CenConfig) =>
    c.tau === center.tau && c.alpha === center.alpha && c.lambdaT === center.lambda;
  const figures = (settings.figureTaus ?? studyFigureTaus(profileName, "")).map((tau) =>
    variant(main.target, { tau, generations: settings.figureGenerations ?? 3 })
  );
  const pretrains = [main, ...others].flatMap((p) => (p.pretrain ? [p.pretrain] : []));
  const scratch = main.pretrain ? scratchConfigs(main.target, seeds) : [];
  // With an epoch curve the runs' length is chosen after it: scratch runs wait for it too.
  const curve = epochCurveConfigs(main.target, defaults.epochCurve ?? []);
  // The same curve on a validation part of the training images: E chosen without the test split.
  const validationCurve = validationCurveConfigs(main.target, defaults.epochCurve ?? []);
  const phases: StudyPhase[] = [
    {
      name: "pretraining and scratch runs",
      configs: [...pretrains, ...(curve.length ? [] : scratch)],
    },
    { name: "epoch curve", configs: [...curve, ...validationCurve] },
    {
      name: "generation 1",
      configs: [
        ...(curve.length ? scratch : []),
        ...t1.both,
        ...lambda1,
        ...t1.reg,
        ...t1.ldl,
        ...dldlConfigs(main.target, seeds),
        ...others.flatMap((o) => withSeeds(variant(o.target, { generations: 1 }), seeds)),
      ],
    },
    {
      name: "offspring",
      configs: [
        ...table5Configs(main.target, decisive("table5")),
        ...others.flatMap((o) => table5Configs(o.target, seeds)),
        ...sweeps.filter((c) => !isCenter(c)),
        ...(ablations
          ? [...plainL1Configs(main.target, seeds), ...retrainedConfigs(main.target, seeds)]
          : []),
      ],
    },
    { name: "reused generations and figures", configs: [...sweeps.filter(isCenter), ...figures] },
  ];
  return await dedupe(phases);
}

async function dedupe(phases: StudyPhase[]): Promise<StudyPhase[]> {
  const seen = new Set<string>();
  const out: StudyPhase[] = [];
  for (const p of phases) {
    const configs: CenConfig[] = [];
    for (const c of p.configs) {
      const h = await configHash(c);
      if (!seen.has(h)) configs.push(c);
      seen.add(h);
    }
    if (configs.length) out.push({ name: p.name, configs });
  }
  return out;
}

/**
 * Relative cost of one epoch, against ResNet10-Tiny at 64 px on 6,300 images (UTKFace part 1's
 * training split): measured step times of `deno task bench` put ResNet18 at about 1.8× ResNet10
 * and the full-width nets at about 4× their Tiny versions; time grows with the input's area and
 * the number of images (`data.params.count` where a dataset has one).
 */
export const COST = Object.freeze({
  referenceImages: 6300,
  referenceSize: 64,
  resnet18: 1.8,
  fullWidth: 4,
});

/**
 * The work a config still needs, in reference epochs ({@link COST}): its generations not yet
 * trained anywhere under `runsRoot`, times epochs, input area, backbone depth and width. With
 * `planned` (the generation keys that runs counted before will train; this config's are added),
 * a generation shared with an earlier run of the plan is counted once.
 */
export async function remainingCost(
  config: CenConfig,
  runsRoot = DEFAULT_RUNS_ROOT,
  planned?: Set<string>,
) {
  let todo = 0;
  for (let t = 1; t <= config.generations; t++) {
    const key = await generationKey(config, t);
    if (planned?.has(key) || await exists(generationIndexPath(runsRoot, key))) continue;
    planned?.add(key);
    todo++;
  }
  const depth = config.backbone.includes("18") ? COST.resnet18 : 1;
  const width = config.backbone.endsWith("-tiny") ? 1 : COST.fullWidth;
  const images = Number(config.data.params.count ?? COST.referenceImages) / COST.referenceImages;
  const area = (config.inputSize / COST.referenceSize) ** 2;
  return todo * config.optim.epochs * area * depth * width * images;
}

/** Splits configs over `n` workers, longest first onto the least loaded (costs given). */
export function balance<T>(items: readonly T[], costs: readonly number[], n: number): T[][] {
  const order = items.map((_, i) => i).sort((a, b) => costs[b] - costs[a] || a - b);
  const load = new Array(n).fill(0);
  const out: T[][] = Array.from({ length: n }, () => []);
  for (const i of order) {
    const w = load.indexOf(Math.min(...load));
    out[w].push(items[i]);
    load[w] += costs[i];
  }
  return out;
}
