/**
 * The study's clock (lib/study/clock.ts): training time per day and over time, each trained
 * generation once, checked against sums done by hand.
 */
import { assert, assertAlmostEquals, assertEquals, assertRejects } from "@std/assert";
import { makeConfig } from "../lib/config.ts";
import {
  cumulativeHours,
  distinctGenerations,
  hoursBetween,
  hoursByDay,
  hoursBySession,
  readSessions,
} from "../lib/study/mod.ts";
import { DataError } from "../lib/errors.ts";
import { clockFigure } from "../lib/report/figures.ts";
import type { GenerationResult, RunMetrics } from "../lib/train/run.ts";

const gen = (
  generation: number,
  trainSeconds: number,
  mae: number,
  finishedAt?: string,
): GenerationResult => ({
  generation,
  metrics: { mae, maeLdl: mae, maeReg: mae, ca3: 0, ca5: 0, ca7: 0, n: 1 },
  epochs: [],
  trainSeconds,
  ...(finishedAt ? { finishedAt } : {}),
});
const run = (id: string, generations: GenerationResult[]): RunMetrics => ({
  id,
  config: makeConfig(),
  backend: "cpu",
  generations,
});

// Run b copied run a's generation 1 (same result), then trained generation 2; run c is untimed.
const shared = gen(1, 3600, 6.5, "2026-11-30T01:00:00.000Z");
const runs = [
  run("a", [shared]),
  run("b", [shared, gen(2, 1800, 6.2, "2026-11-30T02:00:00.000Z")]),
  run("c", [gen(1, 7200, 7.0)]),
  run("d", [gen(1, 900, 6.9, "2026-11-29T23:30:00.000Z")]),
];

Deno.test("a generation shared by several runs counts once; untimed ones come first", () => {
  const g = distinctGenerations(runs);
  assertEquals(g.map((x) => `${x.run}:${x.generation}`), ["c:1", "d:1", "a:1", "b:2"]);
  assertEquals(g.reduce((a, x) => a + x.trainSeconds, 0), 7200 + 900 + 3600 + 1800);
});

Deno.test("training hours per day, between two times, and cumulated over time, by hand", () => {
  const g = distinctGenerations(runs);
  assertEquals(hoursByDay(g), [
    { day: "no time recorded", generations: 1, hours: 2 },
    { day: "2026-11-29", generations: 1, hours: 0.25 },
    { day: "2026-11-30", generations: 2, hours: 1.5 },
  ]);
  assertAlmostEquals(hoursBetween(g, "2026-11-30T00:30:00Z", "2026-11-30T03:30:00Z"), 1.5);
  assertAlmostEquals(hoursBetween(g, "2026-11-29T00:00:00Z", "2026-11-30T01:00:00.000Z"), 0.25); // end excluded
  const c = cumulativeHours(g);
  assertEquals(c.at, [
    "2026-11-29T23:30:00.000Z",
    "2026-11-30T01:00:00.000Z",
    "2026-11-30T02:00:00.000Z",
  ]);
  assertEquals(c.hours, [0.25, 1.25, 1.75]);
  const fig = clockFigure({ study: c });
  assertEquals(fig.data.length, 1);
  assertEquals(fig.data[0].y, [0.25, 1.25, 1.75]);
});

Deno.test("no runs: no generations, no days, an empty clock", () => {
  const g = distinctGenerations([]);
  assertEquals(hoursByDay(g), []);
  assertEquals(cumulativeHours(g), { at: [], hours: [] });
});

Deno.test("training hours per session: each generation in the session it finished in, by hand", () => {
  const g = distinctGenerations(runs);
  const sessions = [
    { start: "2026-11-30T00:00:00Z", note: "first" },
    { start: "2026-11-30T01:00:00Z" }, // a:1 finished at 01:00 exactly: this session's
    { start: "2026-11-30T05:00:00Z" },
  ];
  assertEquals(hoursBySession(g, sessions), [
    { session: "no time recorded", note: "", generations: 1, hours: 2 }, // c:1
    { session: "before 2026-11-30 00:00", note: "", generations: 1, hours: 0.25 }, // d:1
    { session: "2026-11-30 00:00 – 2026-11-30 01:00", note: "first", generations: 0, hours: 0 },
    { session: "2026-11-30 01:00 – 2026-11-30 05:00", note: "", generations: 2, hours: 1.5 },
    { session: "2026-11-30 05:00 – now", note: "", generations: 0, hours: 0 },
  ]);
  assertEquals(hoursBySession([], []), []);
});

Deno.test("the sessions file: absent is none; malformed is a DataError naming file and entry", async () => {
  const dir = await Deno.makeTempDir();
  try {
    assertEquals(await readSessions(`${dir}/none.json`), []);
    const write = async (text: string) => {
      await Deno.writeTextFile(`${dir}/s.json`, text);
      return `${dir}/s.json`;
    };
    const good = await write(
      '[{"start": "2026-11-30T00:30:00Z", "note": "a"}, {"start": "2026-11-30T03:33:00Z"}]',
    );
    assertEquals(await readSessions(good), [
      { start: "2026-11-30T00:30:00Z", note: "a" },
      { start: "2026-11-30T03:33:00Z" },
    ]);
    const bad: [string, string][] = [
      ["{", "not JSON"],
      ['{"start": "2026-11-30T00:30:00Z"}', "expected a list of sessions"],
      ['[{"start": "2026-11-30 00:30"}]', 'session 1: "start" must be an ISO time in UTC'],
      ['[{"start": "2026-13-40T00:30:00Z"}]', "session 1: no such time"],
      [
        '[{"start": "2026-11-30T03:00:00Z"}, {"start": "2026-11-30T02:00:00Z"}]',
        "session 2: starts at",
      ],
      ['[{"start": "2026-11-30T03:00:00Z", "note": 3}]', '"note" must be text'],
    ];
    for (const [text, message] of bad) {
      await assertRejects(async () => await readSessions(await write(text)), DataError, message);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the committed sessions file reads, in time order", async () => {
  const sessions = await readSessions();
  assert(sessions.length >= 1, "records/sessions.json lists the study's sessions");
  for (let i = 1; i < sessions.length; i++) {
    assert(Date.parse(sessions[i].start) > Date.parse(sessions[i - 1].start));
  }
});
