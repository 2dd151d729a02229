/**
 * The paper's experiments as data: which configs each table needs (Table 1: coupled training,
 * Table 5: evolution, Table 6: τ, α, λ), and how their metrics become rows and verdicts. The
 * notebooks run them; `07-summary` looks the same configs up without training.
 *
 * @module
 */
import {
  type Backbone,
  BACKBONES,
  type CenConfig,
  configHash,
  makeConfig,
  type PartialConfig,
} from "./config.ts";
import { ConfigError } from "./errors.ts";
import { type ExperimentOptions, profileConfigs, runConfig } from "./experiment.ts";
import type { EvolutionResult } from "./train/evolve.ts";
import { DEFAULT_RECORDS_ROOT, readRecord } from "./train/record.ts";
import { profile } from "./profiles.ts";
import { PAPER_TABLE1, PAPER_TABLE5, PAPER_TABLE6 } from "./report/paper.ts";
import {
  DEFAULT_RUNS_ROOT,
  generationIndexPath,
  generationKey,
  readRunMetrics,
  type RunMetrics,
  runPaths,
} from "./train/run.ts";
import { exists } from "./fsutil.ts";

/** Mean, sample standard deviation and count. */
export interface MeanStd {
  mean: number;
  std: number;
  n: number;
}

/** Mean and sample std (0 for a single value) of finite values. */
export function meanStd(xs: readonly number[]): MeanStd {
  const v = xs.filter(Number.isFinite);
  const n = v.length;
  const mean = v.reduce((a, b) => a + b, 0) / n;
  const std = n > 1 ? Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, std, n };
}

/** "2.345 ± 0.012" (or "2.345" for one seed, "–" for none). */
export function formatMeanStd(m: MeanStd, digits = 3): string {
  if (m.n === 0 || !Number.isFinite(m.mean)) return "–";
  return m.n > 1 ? `${m.mean.toFixed(digits)} ± ${m.std.toFixed(digits)}` : m.mean.toFixed(digits);
}

/** A config with overrides applied (validated). */
export function variant(base: CenConfig, over: PartialConfig): CenConfig {
  return makeConfig(over, base);
}

/** The same config for seeds base.seed, base.seed + 1, … (`n` of them). */
export function withSeeds(config: CenConfig, n: number): CenConfig[] {
  return Array.from({ length: n }, (_, i) => variant(config, { seed: config.seed + i }));
}

/** Runs configs one after another (each resumed or reused when it exists), with a header line each. */
export async function runAll(
  configs: readonly CenConfig[],
  opts: ExperimentOptions & { label?: string; onRun?: (r: EvolutionResult) => void } = {},
): Promise<RunMetrics[]> {
  const log = opts.log ?? ((l: string) => console.log(l));
  const out: RunMetrics[] = [];
  for (const [i, c] of configs.entries()) {
    log(`── ${opts.label ?? "run"} ${i + 1}/${configs.length}`);
    const r = await runConfig(c, opts);
    opts.onRun?.(r);
    out.push(r.metrics);
  }
  return out;
}

/**
 * The metrics of a config's run if it has finished every generation, from its run folder or else
 * from its record (`train/record.ts`); never trains and never opens data, so a run made from other
 * images is not told apart here (runConfig does that).
 */
export async function lookup(
  config: CenConfig,
  runsRoot = DEFAULT_RUNS_ROOT,
  recordsRoot = DEFAULT_RECORDS_ROOT,
): Promise<RunMetrics | undefined> {
  const paths = await runPaths(config, runsRoot);
  const m = await readRunMetrics(paths);
  if (m && m.generations.length === config.generations) return m;
  const r = await readRecord(recordsRoot, paths.id);
  return r && r.generations.length === config.generations
    ? { id: r.id, config: r.config, backend: r.backend, generations: r.generations }
    : undefined;
}

const at = (m: RunMetrics, t: number) => m.generations.find((g) => g.generation === t)?.metrics;

// ─── Table 1: coupled training ────────────────────────────────────────────────────────────────

/** Table 1's settings: generation 1 trained with only the regression head, only LDL, or both. */
export function table1Configs(
  target: CenConfig,
  seeds: number,
): Record<"reg" | "ldl" | "both", CenConfig[]> {
  const one = (heads: "reg" | "ldl" | "both") =>
    withSeeds(variant(target, { generations: 1, heads }), seeds);
  return { reg: one("reg"), ldl: one("ldl"), both: one("both") };
}

/** Table 1's rows (ours: mean ± std over seeds; the paper's Morph MAE beside). */
export function table1Rows(r: Record<"reg" | "ldl" | "both", RunMetrics[]>) {
  const g1 = (ms: RunMetrics[]) => ms.map((m) => at(m, 1)!).filter(Boolean);
  const rows = [
    { setting: "Reg only", ms: g1(r.reg).map((m) => m.maeReg) },
    { setting: "LDL only", ms: g1(r.ldl).map((m) => m.maeLdl) },
    { setting: "LDL+Reg, ŷ_reg", ms: g1(r.both).map((m) => m.maeReg) },
    { setting: "LDL+Reg, ŷ_ldl", ms: g1(r.both).map((m) => m.maeLdl) },
    { setting: "LDL+Reg, ŷ", ms: g1(r.both).map((m) => m.mae) },
  ];
  return rows.map((row, i) => ({
    setting: row.setting,
    "MAE (ours)": formatMeanStd(meanStd(row.ms)),
    mean: meanStd(row.ms).mean,
    "MAE (paper, Morph)": PAPER_TABLE1[i].morphMae,
  }));
}

/** Table 1's two claims, checked on our means. */
export function table1Verdict(rows: ReturnType<typeof table1Rows>) {
  const [reg, ldl, cReg, cLdl, c] = rows.map((r) => r.mean);
  return {
    couplingBeatsSingle: c < reg && c < ldl,
    averageBeatsHeads: c < cReg && c < cLdl,
    text:
      `coupled ŷ ${c.toFixed(3)} vs Reg only ${reg.toFixed(3)} and LDL only ${ldl.toFixed(3)}: ` +
      (c < reg && c < ldl
        ? "coupling beats either alone"
        : "coupling does NOT beat both single-head models") +
      `; ŷ vs its heads ${cReg.toFixed(3)} / ${cLdl.toFixed(3)}: ` +
      (c < cReg && c < cLdl
        ? "the average beats both heads"
        : "the average does NOT beat both heads"),
  };
}

// ─── Table 5: evolution ───────────────────────────────────────────────────────────────────────

/** Table 5: the target config over its generations, one run per seed. */
export function table5Configs(target: CenConfig, seeds: number): CenConfig[] {
  return withSeeds(target, seeds);
}

/** Table 5's rows: MAE per generation (mean ± std), its change from t − 1, and the paper's. */
export function table5Rows(runs: RunMetrics[], backbone: string) {
  const T = Math.max(...runs.map((m) => m.generations.length));
  const paper = PAPER_TABLE5[backbone] ?? [];
  const means: number[] = [];
  return Array.from({ length: T }, (_, i) => {
    const t = i + 1;
    const ms = meanStd(runs.map((m) => at(m, t)?.mae ?? NaN));
    means.push(ms.mean);
    return {
      t,
      "MAE (ours)": formatMeanStd(ms),
      mean: ms.mean,
      "Δ vs t−1": t > 1 ? (ms.mean - means[i - 1]).toFixed(3) : "",
      [`MAE (paper, ${backbone}, Morph)`]: paper[i] ?? null,
    };
  });
}

/** Table 5's claims: the largest gain is from t = 1 to 2, and later gains are small. */
export function table5Verdict(rows: ReturnType<typeof table5Rows>) {
  const m = rows.map((r) => r.mean);
  const gains = m.slice(1).map((v, i) => m[i] - v);
  const best = m.indexOf(Math.min(...m)) + 1;
  const firstLargest = gains.length > 0 && gains[0] === Math.max(...gains);
  return {
    evolutionHelps: m.length > 1 && Math.min(...m.slice(1)) < m[0],
    largestGainFirst: firstLargest,
    bestGeneration: best,
    text: `MAE by generation: ${m.map((v) => v.toFixed(3)).join(" → ")}; best at t = ${best}; ` +
      (gains.length === 0
        ? "one generation only"
        : firstLargest
        ? `the largest gain is t=1→2 (${gains[0].toFixed(3)})`
        : `the largest gain is NOT t=1→2 (gains ${gains.map((g) => g.toFixed(3)).join(", ")})`),
  };
}

// ─── Table 6: τ, α, λ ─────────────────────────────────────────────────────────────────────────

/** The fixed values around which Table 6 sweeps one hyper-parameter at a time. */
export interface AblationCenter {
  tau: number;
  alpha: number;
  lambda: number;
  /** Generation at which the sweeps are compared (t ≥ 2). */
  generation: number;
}

/** The values each sweep visits (the paper's, plus the centre if it is not among them). */
export function sweepValues(center: AblationCenter) {
  const add = (xs: readonly number[], v: number) => [...new Set([...xs, v])].sort((a, b) => a - b);
  return {
    tau: add(PAPER_TABLE6.tau.values, center.tau),
    alpha: add(PAPER_TABLE6.alpha.values, center.alpha),
    lambda: add(PAPER_TABLE6.lambda.values, center.lambda),
  };
}

type Sweep = "tau" | "alpha" | "lambda";

/**
 * Table 6's configs. λ here is λ_t of the offspring (Eq. 15); λ_1 of generation 1 stays at the
 * target's value, so every sweep shares one ancestor (generation 1 is trained once).
 */
export function table6Configs(target: CenConfig, c: AblationCenter, seeds: number) {
  const v = sweepValues(c);
  const base = { tau: c.tau, alpha: c.alpha, lambdaT: c.lambda, generations: c.generation };
  const make = (over: PartialConfig) => withSeeds(variant(target, { ...base, ...over }), seeds);
  return {
    tau: v.tau.map((tau) => ({ value: tau, configs: make({ tau }) })),
    alpha: v.alpha.map((alpha) => ({ value: alpha, configs: make({ alpha }) })),
    lambda: v.lambda.map((lambda) => ({ value: lambda, configs: make({ lambdaT: lambda }) })),
  } satisfies Record<Sweep, { value: number; configs: CenConfig[] }[]>;
}

/** One sweep's rows: value, our MAE at the compared generation, the paper's MAE. */
export function table6Rows(
  sweep: Sweep,
  results: { value: number; runs: RunMetrics[] }[],
  generation: number,
) {
  const paper = PAPER_TABLE6[sweep];
  return results.map((r) => {
    const ms = meanStd(r.runs.map((m) => at(m, generation)?.mae ?? NaN));
    const i = (paper.values as readonly number[]).indexOf(r.value);
    return {
      [sweep]: r.value,
      [`MAE t=${generation} (ours)`]: formatMeanStd(ms),
      mean: ms.mean,
      "MAE (paper, ResNet18, Morph)": i >= 0 ? paper.mae[i] : null,
    };
  });
}

/** The best value of a sweep (ours and the paper's). */
export function table6Best(sweep: Sweep, rows: ReturnType<typeof table6Rows>) {
  const best = rows.reduce((a, b) => (b.mean < a.mean ? b : a));
  const mae: readonly number[] = PAPER_TABLE6[sweep].mae;
  const paperBest = PAPER_TABLE6[sweep].values[mae.indexOf(Math.min(...mae))];
  return { ours: best[sweep] as number, paper: paperBest, agrees: best[sweep] === paperBest };
}

// ─── Baselines (issue: same harness, same split and backbone) ─────────────────────────────────

/** DLDL: the LDL head alone trained against a Gaussian label distribution (σ = 2). */
export function dldlConfigs(target: CenConfig, seeds: number, sigma = 2): CenConfig[] {
  return withSeeds(variant(target, { generations: 1, heads: "ldl", labelSigma: sigma }), seeds);
}

/** One method's test MAE over seeds (or a single external number, e.g. an off-the-shelf model). */
export interface MethodResult {
  method: string;
  maes: number[];
}

/**
 * The baselines trained in the harness, from Table 1's single-head runs and the DLDL runs:
 * CE + expectation (LDL only, ŷ_ldl), L1 regression (Reg only, ŷ_reg), DLDL (ŷ_ldl).
 */
export function harnessBaselines(
  table1: { reg: RunMetrics[]; ldl: RunMetrics[] },
  dldl: RunMetrics[],
): MethodResult[] {
  const g1 = (ms: RunMetrics[], key: "maeLdl" | "maeReg") => ms.map((m) => at(m, 1)?.[key] ?? NaN);
  return [
    { method: "CE + expectation", maes: g1(table1.ldl, "maeLdl") },
    { method: "L1 regression", maes: g1(table1.reg, "maeReg") },
    { method: "DLDL (σ = 2)", maes: g1(dldl, "maeLdl") },
  ];
}

/**
 * Baselines against CEN: each method's MAE (mean ± std), the strongest baseline, and CEN's gain
 * over it (positive: CEN is better).
 */
export function baselineTable(baselines: MethodResult[], cen: MethodResult[]) {
  const row = (r: MethodResult, kind: string) => ({
    method: r.method,
    kind,
    "MAE": formatMeanStd(meanStd(r.maes)),
    mean: meanStd(r.maes).mean,
  });
  const rows = [...baselines.map((b) => row(b, "baseline")), ...cen.map((c) => row(c, "CEN"))];
  const base = rows.filter((r) => r.kind === "baseline" && Number.isFinite(r.mean));
  const strongest = base.reduce((a, b) => (b.mean < a.mean ? b : a), base[0]);
  const bestCen = rows.filter((r) => r.kind === "CEN").reduce((a, b) => (b.mean < a.mean ? b : a));
  const gain = strongest ? strongest.mean - bestCen.mean : NaN;
  return {
    rows,
    strongest: strongest?.method,
    bestCen: bestCen.method,
    gain,
    text: strongest
      ? `best CEN (${bestCen.method}, ${
        bestCen.mean.toFixed(3)
      }) vs the strongest baseline (${strongest.method}, ` +
        `${strongest.mean.toFixed(3)}): ${gain >= 0 ? "CEN better by" : "CEN worse by"} ${
          Math.abs(gain).toFixed(3)
        } years`
      : "no baseline",
  };
}

/** One line naming a run by what tells it apart in the study (dataset, backbone, loss, seed, …). */
export function describeRun(c: CenConfig): string {
  return `${c.data.dataset} ${c.backbone} ${c.inputSize}px heads=${c.heads} σ=${c.labelSigma} ` +
    `τ=${c.tau} α=${c.alpha} λ=${c.lambdaT} T=${c.generations} seed=${c.seed} ` +
    (c.pretrained ? "pretrained" : "scratch");
}

// ─── Pretraining: does it help here? ──────────────────────────────────────────────────────────

/** Generation 1 trained from scratch (no pretrained backbone), to set beside the pretrained one. */
export function scratchConfigs(target: CenConfig, seeds: number): CenConfig[] {
  return withSeeds(variant(target, { generations: 1, pretrained: null }), seeds);
}

/** A profile's pretraining and target configs with another backbone (pretrained on it too). */
export function backboneConfigs(
  profileName: string,
  backbone: Backbone,
): ReturnType<typeof profileConfigs> {
  return profileConfigs(profileName, { backbone }, { backbone });
}

// ─── The whole study as one plan ──────────────────────────────────────────────────────────────

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
  const seeds = settings.seeds ?? defaults.seeds;
  const backbones = settings.backbones ?? defaults.backbones;
  const center = settings.center ?? DEFAULT_CENTER;
  const main = await profileConfigs(profileName);
  const others = await Promise.all(
    backbones.filter((b) => b !== main.target.backbone).map((b) => backboneConfigs(profileName, b)),
  );
  const t1 = table1Configs(main.target, seeds);
  const t6 = table6Configs(main.target, center, seeds);
  const sweeps = [...t6.tau, ...t6.alpha, ...t6.lambda].flatMap((s) => s.configs);
  const isCenter = (c: CenConfig) =>
    c.tau === center.tau && c.alpha === center.alpha && c.lambdaT === center.lambda;
  const figures = (settings.figureTaus ?? [1, 2, 3, 4]).map((tau) =>
    variant(main.target, { tau, generations: settings.figureGenerations ?? 3 })
  );
  const pretrains = [main, ...others].flatMap((p) => (p.pretrain ? [p.pretrain] : []));
  const phases: StudyPhase[] = [
    {
      name: "pretraining and scratch runs",
      configs: [...pretrains, ...(main.pretrain ? scratchConfigs(main.target, seeds) : [])],
    },
    {
      name: "generation 1",
      configs: [
        ...t1.both,
        ...t1.reg,
        ...t1.ldl,
        ...dldlConfigs(main.target, seeds),
        ...others.flatMap((o) => withSeeds(variant(o.target, { generations: 1 }), seeds)),
      ],
    },
    {
      name: "offspring",
      configs: [
        ...table5Configs(main.target, seeds),
        ...others.flatMap((o) => table5Configs(o.target, seeds)),
        ...sweeps.filter((c) => !isCenter(c)),
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
    out.push({ name: p.name, configs });
  }
  return out;
}

/**
 * The work a config still needs, in ResNet10-Tiny-at-64-px epochs: its generations not yet
 * trained anywhere under `runsRoot`, times epochs, input area and backbone depth.
 */
export async function remainingCost(config: CenConfig, runsRoot = DEFAULT_RUNS_ROOT) {
  let todo = 0;
  for (let t = 1; t <= config.generations; t++) {
    if (!(await exists(generationIndexPath(runsRoot, await generationKey(config, t))))) todo++;
  }
  const depth = config.backbone.includes("18") ? 1.8 : 1;
  const wide = config.backbone.endsWith("-tiny") ? 1 : 4;
  const count = Number(config.data.params.count ?? 6300);
  return todo * config.optim.epochs * (config.inputSize / 64) ** 2 * depth * wide * count / 6300;
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

/** The seeds a notebook uses: its `seeds` parameter, or for 0 the profile's study default. */
export function studySeeds(profileName: string, seeds: number): number {
  return seeds > 0 ? seeds : profile(profileName).study.seeds;
}

/** The backbones a notebook compares: a comma list, or for "" the profile's study default. */
export function studyBackbones(profileName: string, list: string): Backbone[] {
  const named = list.split(",").map((s) => s.trim()).filter(Boolean);
  for (const b of named) {
    if (!(BACKBONES as readonly string[]).includes(b)) {
      throw new ConfigError(
        "backbones",
        `unknown backbone "${b}" (one of ${BACKBONES.join(", ")})`,
      );
    }
  }
  return named.length > 0 ? named as Backbone[] : profile(profileName).study.backbones;
}

/**
 * The pretraining comparison: generation 1's MAE (ŷ) started from the pretrained backbone and
 * from scratch, over seeds, and whether pretraining helped.
 */
export function pretrainingRows(pretrained: RunMetrics[], scratch: RunMetrics[]) {
  const mae = (ms: RunMetrics[]) => meanStd(ms.map((m) => at(m, 1)?.mae ?? NaN));
  const w = mae(pretrained), wo = mae(scratch);
  const gain = wo.mean - w.mean;
  return {
    rows: [
      { start: "pretrained backbone", "MAE ŷ, t = 1": formatMeanStd(w), seeds: w.n },
      { start: "from scratch", "MAE ŷ, t = 1": formatMeanStd(wo), seeds: wo.n },
    ],
    helps: gain > 0,
    text: `pretrained ${w.mean.toFixed(3)} vs scratch ${wo.mean.toFixed(3)}: pretraining ` +
      (gain > 0
        ? `helps by ${gain.toFixed(3)}`
        : `does NOT help (worse by ${(-gain).toFixed(3)})`) +
      ` years (spread over seeds ±${w.std.toFixed(3)} / ±${wo.std.toFixed(3)})`,
  };
}
