/**
 * Records checked, not only trusted: retrain recorded runs and set each generation's recorded MAE
 * beside the new one, with the difference seed noise alone would give. A seed is a draw, not a
 * reproducible stream across machines, so the yardstick is the spread between seeds of the same
 * config: two draws differ by about √2 × that standard deviation.
 *
 * @module
 */
import { canonicalJson, type CenConfig, hashedFields } from "../config.ts";
import { createRng, permutation } from "../rng.ts";
import type { RunRecord } from "../train/record.ts";
import type { RunMetrics } from "../train/run.ts";
import { meanStd } from "./stats.ts";

/** How far apart two draws of one config's MAE (generation t at index t − 1) are expected to be. */
export interface SeedNoise {
  /** Standard deviation of the difference of two seeds' MAE of ŷ, by generation. */
  sdDiff: number[];
  /**
   * Where it comes from: "siblings" (records of this config with other seeds) or "pooled" (no
   * siblings: the relative spread between seeds pooled over every multi-seed config recorded).
   */
  from: "siblings" | "pooled" | "none";
  /** Configs (groups of seeds) it was computed from. */
  groups: number;
}

/** A config with its seed left out: configs with the same key differ only in their seed. */
function seedlessKey(c: CenConfig): string {
  const { seed: _seed, ...rest } = hashedFields(c);
  return canonicalJson(rest);
}

/** MAE of ŷ of generation t in each record that has it. */
const maesAt = (records: readonly RunRecord[], t: number) =>
  records.flatMap((r) => r.generations[t - 1] ? [r.generations[t - 1].metrics.mae] : []);

/**
 * The seed noise of `config`'s MAE by generation, from `records` (every record at hand): the
 * standard deviation over the records of the same config with other seeds (same images) where
 * there are two or more, else the relative standard deviation pooled (root mean square) over
 * every group of two or more seeds in `records`, times this config's recorded MAE.
 */
export function seedNoise(
  config: CenConfig,
  recordedMae: readonly number[],
  records: readonly RunRecord[],
): SeedNoise {
  const groups = new Map<string, RunRecord[]>();
  for (const r of records) {
    const key = seedlessKey(r.config) + canonicalJson([r.inputs.train, r.inputs.test]);
    groups.set(key, [...groups.get(key) ?? [], r]);
  }
  const own = [...groups.entries()].find(([k]) => k.startsWith(seedlessKey(config)))?.[1] ?? [];
  if (own.length >= 2) {
    const sdDiff = recordedMae.map((_, i) => meanStd(maesAt(own, i + 1)).std * Math.SQRT2);
    return { sdDiff, from: "siblings", groups: 1 };
  }
  const relVars: number[] = [];
  for (const g of groups.values()) {
    if (g.length < 2) continue;
    const m = meanStd(maesAt(g, 1));
    if (m.n >= 2 && m.mean > 0) relVars.push((m.std / m.mean) ** 2);
  }
  if (relVars.length === 0) return { sdDiff: recordedMae.map(() => NaN), from: "none", groups: 0 };
  const rel = Math.sqrt(relVars.reduce((a, b) => a + b, 0) / relVars.length);
  return {
    sdDiff: recordedMae.map((mae) => mae * rel * Math.SQRT2),
    from: "pooled",
    groups: relVars.length,
  };
}

/** One generation of a verified run. */
export interface VerifyRow {
  generation: number;
  recorded: number;
  retrained: number;
  /** retrained − recorded. */
  diff: number;
  /** Standard deviation of the difference from seed noise alone. */
  sdDiff: number;
  /** |diff| within 2 × sdDiff (false where the noise is unknown). */
  withinNoise: boolean;
}

/** The recorded and retrained MAE of ŷ of each generation, side by side. */
export function verifyRows(
  recorded: RunMetrics,
  retrained: RunMetrics,
  noise: SeedNoise,
): VerifyRow[] {
  return recorded.generations.map((g, i) => {
    const now = retrained.generations[i]?.metrics.mae ?? NaN;
    const diff = now - g.metrics.mae;
    return {
      generation: g.generation,
      recorded: g.metrics.mae,
      retrained: now,
      diff,
      sdDiff: noise.sdDiff[i],
      withinNoise: Math.abs(diff) <= 2 * noise.sdDiff[i],
    };
  });
}

/** The rows as a plain-text table, with where the seed noise comes from. */
export function verifyTable(rows: readonly VerifyRow[], noise: SeedNoise): string {
  const f = (x: number, d = 3) => Number.isFinite(x) ? x.toFixed(d) : "–";
  const lines = ["  generation  recorded  retrained  difference  seed noise (σ of a difference)"];
  for (const r of rows) {
    lines.push(
      `  ${String(r.generation).padStart(10)}  ${f(r.recorded).padStart(8)}  ` +
        `${f(r.retrained).padStart(9)}  ${(r.diff >= 0 ? "+" : "") + f(r.diff)}`.padEnd(10) +
        `  ${f(r.sdDiff).padStart(10)}${
          r.withinNoise ? "" : Number.isFinite(r.sdDiff) ? "  beyond 2σ" : ""
        }`,
    );
  }
  const from = noise.from === "siblings"
    ? "from the records of this config's other seeds"
    : noise.from === "pooled"
    ? `no other seed of this config is recorded: the relative spread between seeds pooled over ${noise.groups} recorded configs`
    : "unknown: no config has two seeds recorded";
  lines.push(`  seed noise: ${from}`);
  return lines.join("\n");
}

/** `n` of `items` drawn at random without replacement by `seed` (all of them if fewer). */
export function drawWithoutReplacement<T>(items: readonly T[], n: number, seed: number): T[] {
  const order = permutation(items.length, createRng(seed));
  return Array.from(order.subarray(0, Math.min(n, items.length)), (i) => items[i]);
}
