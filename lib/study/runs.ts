/**
 * Runs as the study uses them: a config's variants and seeds, running a list of configs, and looking
 * a finished run up (its folder or its record) without training. A table gets its runs through a
 * {@link RunsOf}: trained (`trainedRuns`, notebooks 03–06) or looked up (`lookedUpRuns`,
 * 07-summary), so both build the same table from the same code.
 *
 * @module
 */
import { type CenConfig, makeConfig, type PartialConfig } from "../config.ts";
import { type ExperimentOptions, runConfig } from "../experiment.ts";
import type { AgeMetrics } from "../metrics.ts";
import type { EvolutionResult } from "../train/evolve.ts";
import { DEFAULT_RECORDS_ROOT, readRecord } from "../train/record.ts";
import { DEFAULT_RUNS_ROOT, readRunMetrics, type RunMetrics, runPaths } from "../train/run.ts";
import { type MeanStd, meanStd } from "./stats.ts";

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
 * How a table gets the runs of its configs, in order: trained or reused (`trainedRuns`) or only
 * looked up (`lookedUpRuns`). `label` heads each run's log lines where runs are trained.
 */
export type RunsOf = (configs: readonly CenConfig[], label?: string) => Promise<RunMetrics[]>;

/** Runs that are trained, resumed or reused: {@link runAll} with `label` and `opts`. */
export function trainedRuns(
  opts: ExperimentOptions & { onRun?: (r: EvolutionResult) => void } = {},
): RunsOf {
  return (configs, label) => runAll(configs, { label, ...opts });
}

/**
 * Runs that are only looked up ({@link lookup}, in `roots`: the defaults unless given): a config
 * without a finished run is left out, and named once in `missing` ({@link describeRun}), however
 * many tables ask for it.
 */
export function lookedUpRuns(
  missing: string[] = [],
  roots: { runsRoot?: string; recordsRoot?: string } = {},
): RunsOf {
  return async (configs) => {
    const found: RunMetrics[] = [];
    for (const c of configs) {
      const m = await lookup(c, roots.runsRoot, roots.recordsRoot);
      const name = describeRun(c);
      if (m) found.push(m);
      else if (!missing.includes(name)) missing.push(name);
    }
    return found;
  };
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
  const m = await finishedSoFar(config, runsRoot, recordsRoot);
  return m && m.generations.length === config.generations ? m : undefined;
}

/**
 * What a config's run has finished so far, however many generations: its run folder's metrics or
 * its record, whichever holds more (the folder on a tie); undefined where neither is. The study's
 * clock counts a trained generation before its run ends.
 */
export async function finishedSoFar(
  config: CenConfig,
  runsRoot = DEFAULT_RUNS_ROOT,
  recordsRoot = DEFAULT_RECORDS_ROOT,
): Promise<RunMetrics | undefined> {
  const paths = await runPaths(config, runsRoot);
  const m = await readRunMetrics(paths);
  if (m && m.generations.length >= config.generations) return m; // complete: no record can hold more
  const r = await readRecord(recordsRoot, paths.id);
  const fromRecord: RunMetrics | undefined = r &&
    { id: r.id, config: r.config, backend: r.backend, generations: r.generations };
  if (!m) return fromRecord;
  return fromRecord && fromRecord.generations.length > m.generations.length ? fromRecord : m;
}

/** The metrics of generation t of a run, if it finished it. */
export const metricsAt = (m: RunMetrics, t: number): AgeMetrics | undefined =>
  m.generations.find((g) => g.generation === t)?.metrics;

/** Metric `k` of generation t over runs: mean, sample std and count (a run without t left out). */
export function overSeeds(runs: readonly RunMetrics[], t: number, k: keyof AgeMetrics): MeanStd {
  return meanStd(runs.map((m) => metricsAt(m, t)?.[k] ?? NaN));
}

/** Generation t's MAE over runs: of ŷ (Eq. 18), and of each head (ŷ_ldl, Eq. 16; ŷ_reg, Eq. 17). */
export interface MaeByHead extends MeanStd {
  maeLdl: MeanStd;
  maeReg: MeanStd;
}

/** {@link MaeByHead} of generation t of `runs`. */
export function maeByHead(runs: readonly RunMetrics[], t: number): MaeByHead {
  return {
    ...overSeeds(runs, t, "mae"),
    maeLdl: overSeeds(runs, t, "maeLdl"),
    maeReg: overSeeds(runs, t, "maeReg"),
  };
}

/** One line naming a run by what tells it apart in the study (dataset, backbone, loss, seed, …). */
export function describeRun(c: CenConfig): string {
  const val = c.data.params?.validation;
  return `${c.data.dataset}${val !== undefined ? ` (validation ${val})` : ""} ${c.backbone} ` +
    `${c.inputSize}px E=${c.optim.epochs} ` +
    `heads=${c.heads} σ=${c.labelSigma} λ₁=${c.lambda1} τ=${c.tau} α=${c.alpha} ` +
    `λ=${c.lambdaT} ${c.offspringRegression === "l1" ? "plain-ℓ1 " : ""}T=${c.generations} ` +
    `seed=${c.seed} ` + (c.pretrained ? "pretrained" : "scratch");
}
