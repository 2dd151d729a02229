/**
 * Damaged run records (lib/train/record.ts, lib/train/records_check.ts, tools/records.ts): each is
 * named with its reason, set aside as not recorded, and never stops a reader; `deno task records
 * check` reports every problem, including two versions of one run side by side.
 */
import {
  assert,
  assertEquals,
  assertMatch,
  assertRejects,
  assertStringIncludes,
} from "@std/assert";
import { DataError } from "../../lib/errors.ts";
import {
  encodePredictions,
  predictionsPath,
  readStoredPredictions,
} from "../../lib/train/predictions.ts";
import { join } from "node:path";
import { initBackend } from "../../lib/backend/mod.ts";
import { configHash } from "../../lib/config.ts";
import { lookup } from "../../lib/study/runs.ts";
import { runEvolution } from "../../lib/train/evolve.ts";
import { checkRecordText, readRecord, recordPath, type RunRecord } from "../../lib/train/record.ts";
import { checkRecordsFolder, conflictSides } from "../../lib/train/records_check.ts";
import { tinyConfig, toySource } from "../helpers/tiny.ts";
import { ROOT, runTool } from "../helpers/tool.ts";

/** A well-formed record of a tiny config (no training), with generation MAEs `maes`. */
async function handMade(maes: number[], seed = 0): Promise<RunRecord> {
  const config = tinyConfig({ seed, generations: 2, optim: { epochs: 2 } });
  const epochs = [1, 2].map((epoch) => ({ generation: 1, epoch, lr: 0.01, loss: 1 }));
  return {
    id: await configHash(config),
    config,
    inputs: { trainer: 1, train: "a", test: "b", pretrained: null },
    backend: "wasm",
    generations: maes.map((mae, i) => ({
      generation: i + 1,
      metrics: { mae, maeLdl: mae, maeReg: mae, ca3: 1, ca5: 2, ca7: 3, n: 10 },
      epochs,
      trainSeconds: 1,
    })) as unknown as RunRecord["generations"],
  };
}

const text = (r: unknown) => JSON.stringify(r, null, 1) + "\n";

/** Writes `body` as the record file of `id` in `dir`; returns its path. */
async function put(dir: string, id: string, body: string): Promise<string> {
  await Deno.writeTextFile(recordPath(dir, id), body);
  return recordPath(dir, id);
}

/** Runs `body` with console.warn captured; returns the lines it warned. */
async function warnings(body: () => Promise<unknown>): Promise<string[]> {
  const lines: string[] = [];
  const warn = console.warn;
  console.warn = (...a: unknown[]) => lines.push(a.join(" "));
  try {
    await body();
  } finally {
    console.warn = warn;
  }
  return lines;
}

Deno.test("checkRecordText: each kind of damage gets its reason", async () => {
  const r = await handMade([5, 4]);
  const good = text(r);
  const path = `/x/${r.id}.json`;
  assert((await checkRecordText(good, path)).ok);
  const reason = async (body: string, at = path) => {
    const c = await checkRecordText(body, at);
    assert(!c.ok, `accepted: ${body.slice(0, 80)}`);
    return c.reason;
  };
  assertMatch(await reason(good.slice(0, 500)), /^cut short \(500 bytes/);
  assertEquals(await reason(""), "empty");
  assertMatch(await reason("\u0000\u0001garbage"), /^not JSON/);
  assertMatch(await reason(`<<<<<<< HEAD\n${good}=======\n${good}>>>>>>> b\n`), /merge-conflict/);
  assertMatch(
    await reason(good.replace('"mae": 5', '"mae": 1e999')),
    /generation 1's mae is not a finite/,
  );
  assertMatch(await reason(good.replace('"mae": 4', '"mae": null')), /generation 2's mae/);
  const other = { ...r, config: { ...r.config, seed: 9 } };
  assertMatch(
    await reason(text(other)),
    new RegExp(`its id ${r.id} is not the hash of its config`),
  );
  assertMatch(await reason(good, "/x/0123456789ab.json"), /not the run its file name says/);
  const three = await handMade([5, 4, 3]);
  assertMatch(await reason(text(three)), /3 generations, more than its config's 2/);
  const swapped = { ...r, generations: [r.generations[1], r.generations[0]] };
  assertMatch(await reason(text(swapped)), /generation 1 is missing or out of order/);
  assertMatch(await reason(text({ ...r, inputs: undefined })), /inputs are missing/);
  assertMatch(await reason(text({ ...r, config: { ...r.config, tau: -1 } })), /config is invalid/);
});

Deno.test("a damaged record is named once on stderr and read as not recorded", async () => {
  const dir = await Deno.makeTempDir();
  const r = await handMade([5, 4]);
  const path = await put(dir, r.id, text(r).slice(0, 300));
  let seen: unknown = "unset";
  const lines = await warnings(async () => {
    seen = await readRecord(dir, r.id);
    await readRecord(dir, r.id);
    assertEquals(await lookup(r.config, await Deno.makeTempDir(), dir), undefined);
  });
  assertEquals(seen, undefined);
  assertEquals(lines.length, 1, lines.join("\n"));
  assertStringIncludes(lines[0], path);
  assertStringIncludes(lines[0], "cut short");
  // a folder in the record's place
  await Deno.remove(path);
  await Deno.mkdir(path);
  const dirLines = await warnings(async () => assertEquals(await readRecord(dir, r.id), undefined));
  assertEquals(dirLines.length, 1);
  assertStringIncludes(dirLines[0], path);
});

Deno.test("a run whose record is damaged trains again and writes a good record over it", async () => {
  await initBackend();
  const records = await Deno.makeTempDir();
  const c = tinyConfig({ generations: 1, optim: { epochs: 1 } });
  const train = toySource("toy-train", 32, 32, 1), test = toySource("toy-test", 16, 32, 2);
  const opts = { train, test, recordsRoot: records, log: () => {} };
  const first = await runEvolution(c, { ...opts, runsRoot: await Deno.makeTempDir() });
  const path = recordPath(records, first.id);
  const whole = await Deno.readTextFile(path);
  await Deno.writeTextFile(path, whole.slice(0, whole.length / 2));
  let again: Awaited<ReturnType<typeof runEvolution>> | undefined;
  const lines = await warnings(async () => {
    again = await runEvolution(c, { ...opts, runsRoot: await Deno.makeTempDir() });
  });
  assertEquals(again!.fates, ["trained"]);
  assertEquals(lines.length, 1);
  const check = await checkRecordText(await Deno.readTextFile(path), path);
  assert(check.ok, "the record was written whole again");
});

Deno.test("conflictSides splits a merge conflict into its two versions", () => {
  const t = "a\n<<<<<<< HEAD\nb\n||||||| base\nx\n=======\nc\n>>>>>>> other\nd";
  assertEquals(conflictSides(t), ["a\nb\nd", "a\nc\nd"]);
  assertEquals(conflictSides("a\n=======\nb"), undefined);
});

Deno.test("checkRecordsFolder: every problem once, two versions of a run side by side", async () => {
  const dir = await Deno.makeTempDir();
  const a = await handMade([5, 4]);
  const b = await handMade([6], 1); // unfinished: a note
  await put(dir, a.id, text(a));
  await put(dir, b.id, text(b));
  assertEquals((await checkRecordsFolder(dir)).problems, []);
  const c = await handMade([5, 4], 2);
  const merged = text(c).replace(
    /( *"mae": 4,\n)/,
    '<<<<<<< HEAD\n$1=======\n  "mae": 3.5,\n>>>>>>> other\n',
  );
  await put(dir, c.id, merged);
  await Deno.writeTextFile(join(dir, "copy.json"), text({ ...a, generations: [a.generations[0]] }));
  const pre = await handMade([5, 4], 3);
  const child = { ...pre, inputs: { ...pre.inputs, pretrained: "aaaaaaaaaaaa:0123" } };
  await put(dir, child.id, text(child));
  const report = await checkRecordsFolder(dir);
  assertEquals(report.files, 5);
  assertEquals(report.good, 2);
  assertEquals(report.notes.length, 1);
  assertStringIncludes(report.notes[0], "1 of 2 generations recorded");
  const byFile = (name: string) => report.problems.filter((p) => p.includes(name));
  assertStringIncludes(byFile(c.id)[0], "generation 2 mae 4.000 vs 3.500");
  assertStringIncludes(byFile("copy.json")[0], `${a.id}.json holds the same run`);
  assertStringIncludes(byFile("copy.json")[0], "generation 2 only in the first");
  assertStringIncludes(
    byFile(child.id)[0],
    "its pretraining aaaaaaaaaaaa has no (readable) record",
  );
  assertEquals(report.problems.length, 3, report.problems.join("\n"));
});

Deno.test("deno task records check: the committed records pass; a damaged folder exits 1", async () => {
  const committed = await runTool("tools/records.ts", ["check", join(ROOT, "records", "runs")]);
  assertEquals(committed.code, 0, committed.stdout + committed.stderr);
  assertMatch(committed.stdout, /records\/runs: \d+ records, \d+ good, 0 problems/);
  const dir = await Deno.makeTempDir();
  const r = await handMade([5, 4]);
  await put(dir, r.id, text(r).slice(0, 200));
  const bad = await runTool("tools/records.ts", ["check", dir]);
  assertEquals(bad.code, 1);
  const lines = bad.stdout.trim().split("\n");
  assertEquals(lines.length, 2, bad.stdout);
  assertStringIncludes(lines[0], `${r.id}.json: cut short`);
  assertEquals(bad.stderr.includes("    at "), false, "no stack trace");
});

Deno.test("per-image predictions: 0.1-year round trip, kept beside the record by a run, damage named", async () => {
  const ages = [0, 30, 80, 116, 255];
  const yLdl = [1.04, 29.96, 60.0, 130.5, 100];
  const yReg = [-3.0, 31.25, 80.0, 116.0, 300];
  const bytes = await encodePredictions("abc", ages, [{ yLdl, yReg }, { yLdl: yReg, yReg: yLdl }]);
  const dir = await Deno.makeTempDir();
  const path = join(dir, "abc.predictions.gz");
  await Deno.writeFile(path, bytes);
  const back = await readStoredPredictions(path);
  assertEquals([...back.ages], ages);
  assertEquals(back.generations.length, 2);
  const near = (a: ArrayLike<number>, b: number[]) =>
    b.forEach((x, i) => assert(Math.abs(a[i] - x) <= 0.05 + 1e-4, `${a[i]} vs ${x}`));
  near(back.generations[0].yLdl, yLdl);
  near(back.generations[0].yReg, yReg);
  near(back.generations[1].yLdl, yReg);
  await Deno.writeFile(path, bytes.subarray(0, bytes.length - 12));
  await assertRejects(() => readStoredPredictions(path), DataError, "abc.predictions.gz");
  // a run keeps them beside its record, every generation so far
  await initBackend();
  const records = await Deno.makeTempDir();
  const c = tinyConfig({ generations: 2, optim: { epochs: 1 } });
  const test = toySource("toy-test", 16, 32, 2);
  const r = await runEvolution(c, {
    train: toySource("toy-train", 32, 32, 1),
    test,
    recordsRoot: records,
    runsRoot: await Deno.makeTempDir(),
    log: () => {},
  });
  const kept = await readStoredPredictions(predictionsPath(records, r.id));
  assertEquals(kept.generations.length, 2);
  assertEquals([...kept.ages], [...test.ages]);
  const saved = JSON.parse(await Deno.readTextFile(join(r.dir, "gen-2", "predictions.json")));
  near(kept.generations[1].yReg, saved.yReg);
  assert((await Deno.stat(predictionsPath(records, r.id))).size < 2000);
});
