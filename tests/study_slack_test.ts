/**
 * How much the slack interval forgives (lib/study/slack.ts, Eqs. 10 and 13): Δs in years, its
 * quantiles and the share of training images an offspring ends inside, checked by hand; the
 * ancestor stores read back and checked against the training images; the §3.3 verdict both ways;
 * the slack term's test (the offspring with the plain ℓ1 of Eq. 9): its configs, rows and verdict.
 */
import { assert, assertAlmostEquals, assertEquals, assertRejects, assertThrows } from "@std/assert";
import { join } from "node:path";
import {
  ancestorOutputs,
  plainL1Configs,
  quantile,
  retrainedConfigs,
  slackOfRuns,
  slackRows,
  slackTermRows,
  slackTermVerdict,
  slackVerdict,
  slackYears,
} from "../lib/study/mod.ts";
import { slackTermDisplay } from "../lib/study/mod.ts";
import { saveAncestorStore } from "../lib/train/ancestor.ts";
import { makeConfig } from "../lib/config.ts";
import type { SampleSource } from "../lib/data/types.ts";
import type { RunMetrics } from "../lib/train/run.ts";
import { DataError } from "../lib/errors.ts";

const range = { minAge: 0, maxAge: 100 };

Deno.test("quantile: linear between order statistics, by hand", () => {
  assertEquals(quantile([3, 1, 2, 4], 0.5), 2.5);
  assertEquals(quantile([0, 5, 10], 0.9), 9); // at 1.8: 5 + 0.8·5
  assertEquals(quantile([7], 0.9), 7);
  assertEquals(quantile([1, NaN, 3], 1), 3);
  assert(Number.isNaN(quantile([], 0.5)));
  assertThrows(() => quantile([1], 1.5), RangeError, "q must be in [0, 1]");
});

Deno.test("slack in years (Eq. 10) and each ancestor's row, by hand", () => {
  // ŷ_reg = 100·s: 50 and 20 years against true ages 40 and 25
  assertEquals(Array.from(slackYears([0.5, 0.2], [40, 25], range)).map((x) => +x.toFixed(4)), [
    10,
    5,
  ]);
  assertThrows(() => slackYears([0.5], [40, 25], range), Error, "1 outputs for 2 ages");
  const ages = [40, 25, 30];
  // Δs¹ = [10, 5, 0]; generation 2 answers 45, 35, 30: |s² − y| = [5, 10, 0]
  const rows = slackRows([[0.5, 0.2, 0.3], [0.45, 0.35, 0.3]], ages, range);
  assertEquals(rows.length, 2);
  assertAlmostEquals(rows[0].mean, 5, 1e-5);
  assertAlmostEquals(rows[0].median, 5, 1e-5);
  assertAlmostEquals(rows[0].p90, 9, 1e-5);
  assertAlmostEquals(rows[0].inside!, 200 / 3, 1e-9); // 5 ≤ 10 and 0 ≤ 0, not 10 ≤ 5
  assertEquals([rows[1].t, rows[1].inside], [2, null]);
  assertAlmostEquals(rows[1].mean, 5, 1e-5);
});

Deno.test("ancestor stores: read in generation order, checked against the training images", async () => {
  const dir = await Deno.makeTempDir();
  try {
    assertEquals(await ancestorOutputs(dir, { source: "abc", n: 2 }), []);
    const store = (s: number[], source = "abc") => ({
      tau: 2,
      source,
      k: 3,
      n: 2,
      p: new Float32Array(6).fill(1 / 3),
      s: Float32Array.from(s),
    });
    for (const [t, s] of [[1, [0.1, 0.2]], [2, [0.3, 0.4]]] as const) {
      await Deno.mkdir(join(dir, `gen-${t}`));
      await saveAncestorStore(join(dir, `gen-${t}`), store([...s]));
    }
    const out = await ancestorOutputs(dir, { source: "abc", n: 2 });
    assertEquals(out.map((s) => Array.from(s).map((x) => +x.toFixed(4))), [[0.1, 0.2], [0.3, 0.4]]);
    await assertRejects(
      () => ancestorOutputs(dir, { source: "other", n: 2 }),
      Error,
      "gen-1: its ancestor store was not recorded on these training images",
    );
    await saveAncestorStore(join(dir, "gen-2"), store([0.3, 0.4], "stale"));
    await assertRejects(() => ancestorOutputs(dir, { source: "abc", n: 2 }), Error, "gen-2");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("slack of runs: only runs whose folder keeps stores; the data opened once, if at all", async () => {
  const root = await Deno.makeTempDir();
  try {
    const run = (id: string): RunMetrics => ({
      id,
      config: makeConfig(),
      backend: "cpu",
      generations: [],
    });
    let opened = 0;
    const trainSet = (): Promise<SampleSource> => {
      opened++;
      return Promise.resolve({
        name: "fake",
        length: 2,
        imageSize: 8,
        ages: Int32Array.from([40, 25]),
        fingerprint: "abc",
        batches: () => ({ async *[Symbol.asyncIterator]() {} }),
      });
    };
    const none = await slackOfRuns([run("only-a-record")], trainSet, range, root);
    assertEquals(none.unavailable, undefined);
    assertEquals([none.runs.length, none.ages.length, opened], [0, 0, 0]);
    for (const [t, s] of [[1, [0.5, 0.2]], [2, [0.45, 0.28]]] as const) {
      await Deno.mkdir(join(root, "r1", `gen-${t}`), { recursive: true });
      await saveAncestorStore(join(root, "r1", `gen-${t}`), {
        tau: 2,
        source: "abc",
        k: 3,
        n: 2,
        p: new Float32Array(6).fill(1 / 3),
        s: Float32Array.from(s),
      });
    }
    const got = await slackOfRuns([run("r1"), run("only-a-record")], trainSet, range, root);
    assertEquals([got.runs.length, got.runs[0].run.id, opened], [1, "r1", 1]);
    assertEquals(Array.from(got.ages), [40, 25]);
    assertEquals(got.runs[0].years.map((d) => Array.from(d).map((x) => +x.toFixed(4))), [
      [10, 5],
      [5, 3],
    ]);
    // Δs¹ = [10, 5], |s² − y| = [5, 3]: both inside
    assertAlmostEquals(got.runs[0].rows[0].mean, 7.5, 1e-5);
    assertEquals(got.runs[0].rows[0].inside, 100);
    // stores here, data not: said, not thrown
    const noData = await slackOfRuns(
      [run("r1")],
      () => Promise.reject(new DataError("CEN_UTKFACE_DIR is not set")),
      range,
      root,
    );
    assertEquals(noData.runs, []);
    assertEquals(noData.unavailable, "the training images: CEN_UTKFACE_DIR is not set");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("§3.3 verdict: Δs decreasing over generations, and rising beyond the spread", () => {
  const seed = (means: number[], inside = 50) =>
    means.map((mean, i) => ({
      t: i + 1,
      mean,
      median: mean,
      p90: mean,
      inside: i + 1 < means.length ? inside : null,
    }));
  // means over seeds: 3.5 → 4.067 → 4.1; stds 0.361 and 0.321: the first rise is beyond them
  const rising = slackVerdict([
    seed([3.4, 3.7, 3.8], 40),
    seed([3.9, 4.3, 4.0], 50),
    seed([
      3.2,
      4.2,
      4.5,
    ], 60),
  ]);
  assertEquals([rising.holds, rising.clear], [false, true]);
  assertEquals(rising.ours, "mean Δs, years, t = 1…3: 3.50 ± 0.36 → 4.07 ± 0.32 → 4.10 ± 0.36");
  assert(rising.reading.startsWith("each offspring ends inside its ancestor's interval on 50%"));
  assert(rising.reading.includes("Would test it further"));
  const falling = slackVerdict([seed([3, 2]), seed([3.1, 2.1])]);
  assertEquals([falling.holds, falling.clear], [true, true]); // 3.05 → 2.05, spread 0.07
  assertThrows(() => slackVerdict([seed([3])]), Error, "two ancestors or more");
});

Deno.test("the slack term's test: plain-ℓ1 offspring, generation 2's rows by head and the verdict", () => {
  const target = makeConfig({ seed: 4, generations: 4 });
  const configs = plainL1Configs(target, 2);
  assertEquals(configs.map((c) => [c.seed, c.generations, c.offspringRegression]), [
    [4, 2, "l1"],
    [5, 2, "l1"],
  ]);
  const run = (mae: [number, number, number][]): RunMetrics => ({
    id: "x",
    config: target,
    backend: "cpu",
    generations: mae.map(([m, ldl, reg], i) => ({
      generation: i + 1,
      metrics: { mae: m, maeLdl: ldl, maeReg: reg, ca3: 0, ca5: 0, ca7: 0, n: 1 },
      epochs: [],
      trainSeconds: 0,
    })),
  });
  // slack (4 generations, t = 2 read): ŷ 5.6, 5.8 → 5.7 ± 0.141; plain ℓ1: 5.2, 5.3 → 5.25 ± 0.071
  const slack = [run([[5, 5, 5], [5.6, 5.3, 6.2]]), run([[5, 5, 5], [5.8, 5.4, 6.4]])];
  const plain = [run([[5, 5, 5], [5.2, 5.4, 5.1]]), run([[5, 5, 5], [5.3, 5.5, 5.2]])];
  const rows = slackTermRows(slack, plain);
  assertEquals(rows.map((r) => [r.loss, r.t, r.n]), [["slack", 2, 2], ["l1", 2, 2]]);
  assertAlmostEquals(rows[0].mean, 5.7, 1e-9);
  assertAlmostEquals(rows[1].maeReg.mean, 5.15, 1e-9);
  const v = slackTermVerdict(rows);
  assertEquals([v.holds, v.clear], [false, true]); // 0.45 worse, spread 0.141
  assertEquals(v.ours, "slack 5.700 ± 0.141 vs plain ℓ1 5.250 ± 0.071");
  assert(
    v.reading.startsWith(
      "slack against plain ℓ1: 0.450 years worse; by head, ŷ_reg 6.300 vs 5.150",
    ),
  );
  assert(v.reading.includes("Would test it further"));
  // generation 1's ŷ_reg 5.0 ± 0.0: both offspring's (6.3, 5.15) are behind it beyond the spread
  const g1 = { maeReg: { mean: 5, std: 0, n: 2 } };
  assert(slackTermVerdict(rows, g1).reading.includes("is not the slack"));
  const ahead = slackTermVerdict(rows, { maeReg: { mean: 5.5, std: 0, n: 2 } }).reading;
  assert(ahead.includes("generation 1's ŷ_reg: 5.500 ± 0.000") && !ahead.includes("not the slack"));
  // the control: generation 1's loss retrained; behind generation 1 too, or not
  assertEquals(retrainedConfigs(target, 1).map((c) => [c.alpha, c.offspringRegression]), [[
    0,
    "l1",
  ]]);
  // ŷ_reg 5.0, 5.05: 5.025 ± 0.035 against generation 1's 5.0 ± 0: within the spread
  const control = [run([[5, 5, 5], [5.1, 5.2, 5.0]]), run([[5, 5, 5], [5.2, 5.1, 5.05]])];
  const three = slackTermRows(slack, plain, 2, control);
  assertEquals(three.map((r) => r.loss), ["slack", "l1", "retrained"]);
  assertAlmostEquals(three[2].maeReg.mean, 5.025, 1e-9);
  assert(slackTermVerdict(three, g1).reading.includes("the KL term (α > 0) is what costs it"));
  const far = slackTermRows(slack, plain, 2, [
    run([[5, 5, 5], [6, 6, 6.5]]),
    run([[5, 5, 5], [6, 6, 6.4]]),
  ]);
  assert(slackTermVerdict(far, g1).reading.includes("retraining alone moves the regression head"));
  const near = slackTermRows(slack, plain, 2, [
    run([[5, 5, 5], [6, 6, 5.1]]),
    run([[5, 5, 5], [6, 6, 5.15]]),
  ]); // 5.125 ± 0.035 against the plain-ℓ1 offspring's 5.15 ± 0.071
  assert(slackTermVerdict(near, g1).reading.includes("not told apart from retraining's"));
  assertEquals(
    slackTermDisplay(three)[2]["offspring regression"],
    "α = 0 and plain ℓ1: generation 1's loss, retrained",
  );
  const better = slackTermVerdict(slackTermRows(plain, slack));
  assertEquals([better.holds, better.clear], [true, true]);
  assertEquals(slackTermDisplay(rows)[1], {
    "offspring regression": "plain ℓ1 (Eq. 9)",
    "MAE ŷ, t = 2": "5.250 ± 0.071",
    "ŷ_ldl": "5.450 ± 0.071",
    "ŷ_reg": "5.150 ± 0.071",
  });
});
