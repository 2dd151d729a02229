/**
 * The study's clock: where its training time went. Every finished generation records its training
 * seconds and when it finished (`finishedAt`); a generation several runs share (copied from another
 * run, not retrained) is counted once.
 *
 * @module
 */
import type { RunMetrics } from "../train/run.ts";

/** One trained generation on the study's clock. */
export interface TimedGeneration {
  run: string;
  generation: number;
  trainSeconds: number;
  /** ISO 8601 (UTC); absent where the record has no time. */
  finishedAt?: string;
}

/**
 * Each generation of `runs` once, oldest first (those without a time first). A copied generation
 * holds the same result as its source, so (training seconds, finish time, test MAE) identify it.
 */
export function distinctGenerations(runs: readonly RunMetrics[]): TimedGeneration[] {
  const seen = new Set<string>();
  const out: TimedGeneration[] = [];
  for (const r of runs) {
    for (const g of r.generations) {
      const key = `${g.trainSeconds}|${g.finishedAt ?? ""}|${g.metrics.mae}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({
        run: r.id,
        generation: g.generation,
        trainSeconds: g.trainSeconds,
        finishedAt: g.finishedAt,
      });
    }
  }
  return out.sort((a, b) => (a.finishedAt ?? "").localeCompare(b.finishedAt ?? ""));
}

/** Training hours per UTC day the generations finished ("no time recorded" for untimed ones). */
export function hoursByDay(
  gens: readonly TimedGeneration[],
): { day: string; generations: number; hours: number }[] {
  const days = new Map<string, { generations: number; seconds: number }>();
  for (const g of gens) {
    const day = g.finishedAt?.slice(0, 10) ?? "no time recorded";
    const d = days.get(day) ?? { generations: 0, seconds: 0 };
    d.generations++;
    d.seconds += g.trainSeconds;
    days.set(day, d);
  }
  return [...days].map(([day, d]) => ({
    day,
    generations: d.generations,
    hours: d.seconds / 3600,
  }));
}

/** Training hours of the generations that finished in [from, to) (ISO times). */
export function hoursBetween(gens: readonly TimedGeneration[], from: string, to: string): number {
  const inside = gens.filter((g) =>
    g.finishedAt !== undefined && g.finishedAt >= from && g.finishedAt < to
  );
  return inside.reduce((a, g) => a + g.trainSeconds, 0) / 3600;
}

/** Cumulative training hours against finish time, for a figure (timed generations only). */
export function cumulativeHours(
  gens: readonly TimedGeneration[],
): { at: string[]; hours: number[] } {
  const at: string[] = [];
  const hours: number[] = [];
  let seconds = 0;
  for (const g of gens) {
    if (g.finishedAt === undefined) continue;
    seconds += g.trainSeconds;
    at.push(g.finishedAt);
    hours.push(seconds / 3600);
  }
  return { at, hours };
}
