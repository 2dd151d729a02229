/**
 * The study's clock: where its training time went. Every finished generation records its training
 * seconds and when it finished (`finishedAt`); a generation several runs share (copied from another
 * run, not retrained) is counted once.
 *
 * @module
 */
import type { RunMetrics } from "../train/run.ts";
import { SESSIONS_FILE } from "../paths.ts";
import { DataError } from "../errors.ts";

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

/** One working session of the study: from `start` until the next session starts. */
export interface StudySession {
  /** ISO 8601, UTC, e.g. "2026-11-30T00:30:00Z". */
  start: string;
  /** What the session trained, in a few words. */
  note?: string;
}

/**
 * The study's sessions from `path` (default `records/sessions.json`, or `CEN_SESSIONS_FILE`): a
 * JSON list of `{ "start": ISO time, "note"?: text }` in time order; [] where the file is absent.
 * A malformed file is a DataError naming the file and the entry.
 */
export async function readSessions(path: string = SESSIONS_FILE): Promise<StudySession[]> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return [];
    throw e;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new DataError(`${path}: not JSON (${(e as Error).message})`);
  }
  if (!Array.isArray(value)) throw new DataError(`${path}: expected a list of sessions`);
  return value.map((v, i) => {
    const where = `${path}: session ${i + 1}`;
    const start = (v as StudySession | null)?.start;
    if (typeof start !== "string" || !/^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?Z$/.test(start)) {
      throw new DataError(
        `${where}: "start" must be an ISO time in UTC, e.g. 2026-11-30T00:30:00Z`,
      );
    }
    if (Number.isNaN(Date.parse(start))) throw new DataError(`${where}: no such time ${start}`);
    const prev = i > 0 ? (value[i - 1] as StudySession).start : undefined;
    if (prev !== undefined && Date.parse(start) <= Date.parse(prev)) {
      throw new DataError(
        `${where}: starts at ${start}, not after the session before it (${prev})`,
      );
    }
    const note = (v as StudySession).note;
    if (note !== undefined && typeof note !== "string") {
      throw new DataError(`${where}: "note" must be text`);
    }
    return note === undefined ? { start } : { start, note };
  });
}

/**
 * Training hours per session: each generation counted in the session in which it finished (a
 * generation resumed across sessions in the last), those untimed in a "no time recorded" row
 * first, those finished before the first session in a "before" row. Empty sessions are kept.
 */
export function hoursBySession(
  gens: readonly TimedGeneration[],
  sessions: readonly StudySession[],
): { session: string; note: string; generations: number; hours: number }[] {
  const at = (iso: string) => Date.parse(iso);
  const short = (iso: string) => iso.slice(0, 16).replace("T", " ");
  const rows = sessions.map((s, i) => ({
    session: `${short(s.start)} – ${
      i + 1 < sessions.length ? short(sessions[i + 1].start) : "now"
    }`,
    note: s.note ?? "",
    generations: 0,
    hours: 0,
  }));
  const untimed = { session: "no time recorded", note: "", generations: 0, hours: 0 };
  const before = {
    session: `before ${sessions.length ? short(sessions[0].start) : "now"}`,
    note: "",
    generations: 0,
    hours: 0,
  };
  for (const g of gens) {
    let row = untimed;
    if (g.finishedAt !== undefined) {
      const i = sessions.findLastIndex((s) => at(s.start) <= at(g.finishedAt!));
      row = i < 0 ? before : rows[i];
    }
    row.generations++;
    row.hours += g.trainSeconds / 3600;
  }
  return [untimed, before, ...rows].filter((r) => r.generations > 0 || rows.includes(r));
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
