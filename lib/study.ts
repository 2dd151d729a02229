/**
 * The paper's experiments as data: which configs each table needs (Table 1: coupled training,
 * Table 5: evolution, Table 6: τ, α, λ), and how their metrics become rows and verdicts. The
 * notebooks run them; `07-summary` looks the same configs up without training.
 *
 * @module
 */
import { type CenConfig, makeConfig, type PartialConfig } from "./config.ts";
import { type ExperimentOptions, runConfig } from "./experiment.ts";
import { PAPER_TABLE1, PAPER_TABLE5, PAPER_TABLE6 } from "./report/paper.ts";
import { DEFAULT_RUNS_ROOT, readRunMetrics, type RunMetrics, runPaths } from "./train/run.ts";

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
  opts: ExperimentOptions & { label?: string } = {},
): Promise<RunMetrics[]> {
  const log = opts.log ?? ((l: string) => console.log(l));
  const out: RunMetrics[] = [];
  for (const [i, c] of configs.entries()) {
    log(`── ${opts.label ?? "run"} ${i + 1}/${configs.length}`);
    out.push((await runConfig(c, opts)).metrics);
  }
  return out;
}

/** The metrics of a config's run if it has finished every generation (never trains). */
export async function lookup(
  config: CenConfig,
  runsRoot = DEFAULT_RUNS_ROOT,
): Promise<RunMetrics | undefined> {
  const m = await readRunMetrics(await runPaths(config, runsRoot));
  return m && m.generations.length === config.generations ? m : undefined;
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
