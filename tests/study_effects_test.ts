/** Paired effects, their 95% intervals, verdicts and the seeds that decide a claim (lib/study/effects.ts), by hand. */
import { assert, assertAlmostEquals, assertEquals } from "@std/assert";
import type { CenConfig } from "../lib/config.ts";
import {
  centralClaims,
  pairedEffect,
  powerAnalysis,
  seedsToDecide,
  t975,
  twoLevelBootstrap,
  withImageErrors,
} from "../lib/study/effects.ts";
import { predictionsPath, writeStoredPredictions } from "../lib/train/predictions.ts";
import type { RunMetrics } from "../lib/train/run.ts";

const bySeed = (xs: number[]) => new Map(xs.map((x, s) => [s, x]));
const target = { relative: 0.06, from: "paper" as const };
const claim = (cand: number[], ref = [10, 10, 10]) =>
  pairedEffect({ claim: "c", reference: bySeed(ref), candidate: bySeed(cand), target });

Deno.test("t975 follows the table, then 1.96 + 2.4/df", () => {
  assertEquals(t975(2), 4.303);
  assertEquals(t975(9), 2.262);
  assertAlmostEquals(t975(60), 2.0, 1e-9);
  assert(Number.isNaN(t975(0)));
});

Deno.test("pairedEffect: mean, t interval and relative gain by hand", () => {
  // d = −1, −0.5, −1.5: mean −1, sd 0.5, half-width 4.303 × 0.5 / √3 = 1.24217
  const e = claim([9, 9.5, 8.5]);
  assertEquals(e.n, 3);
  assertAlmostEquals(e.mean, -1, 1e-12);
  assertAlmostEquals(e.sd, 0.5, 1e-12);
  assertAlmostEquals(e.lo, -1 - 1.24217, 1e-4);
  assertAlmostEquals(e.hi, -1 + 1.24217, 1e-4);
  assertAlmostEquals(e.relative.mean, 0.1, 1e-12);
  assertAlmostEquals(e.relative.lo, -0.024217, 1e-5);
  assertAlmostEquals(e.relative.hi, 0.224217, 1e-5);
  assertEquals(e.verdict, "undecided");
});

Deno.test("pairedEffect: holds, does not hold, smaller than the paper's", () => {
  // d = −1, −0.9, −1.1: half-width 0.24844, relative gain in [0.0752, 0.1248]
  const holds = claim([9, 9.1, 8.9]);
  assertEquals(holds.verdict, "holds");
  assertEquals(holds.smallerThanTarget, false);
  // d = 0.1, 0, −0.1: relative gain in [−0.0248, 0.0248], below the paper's 6%
  assertEquals(claim([10.1, 10, 9.9]).verdict, "does not hold");
  // d = −0.3, −0.2, −0.25 (sd 0.05): gain in [1.38%, 3.62%]: a gain, smaller than 6%
  const small = claim([9.7, 9.8, 9.75]);
  assertEquals(small.verdict, "holds");
  assertEquals(small.smallerThanTarget, true);
  // pairs only where both sides have the seed
  const partial = pairedEffect({
    claim: "c",
    reference: new Map([[0, 10], [1, 10], [5, 10]]),
    candidate: new Map([[0, 9], [1, 9.5], [2, 1]]),
    target,
  });
  assertEquals(partial.seeds, [0, 1]);
  assertEquals(claim([9]).verdict, "undecided"); // one seed: no interval
});

Deno.test("seedsToDecide: the fewest n with 2·t(n−1)·sd/√n ≤ the target, bounded", () => {
  // sd 0.222, target 0.33: n = 9 gives 0.3413, n = 10 gives 0.3176
  assertEquals(seedsToDecide(0.222, 0.33, 6, 20), { seeds: 10, capped: false, needed: 10 });
  assertEquals(seedsToDecide(0.05, 0.33, 6, 20).seeds, 6); // the floor
  // sd 0.5, target 0.2: √n ≥ 5·t(n−1); n = 98: 9.899 < 9.924, n = 99: 9.950 ≥ 9.922
  assertEquals(seedsToDecide(0.5, 0.2, 6, 20), { seeds: 20, capped: true, needed: 99 });
});

/** A run of `seed` whose generations score `maes`. */
function run(seed: number, maes: number[], over: Partial<CenConfig> = {}): RunMetrics {
  const config = { seed, ...over } as CenConfig;
  const generations = maes.map((mae, i) => ({
    generation: i + 1,
    metrics: { mae, maeLdl: mae + 0.1, maeReg: mae + 0.2, ca3: 0, ca5: 0, ca7: 0, n: 1 },
    epochs: [],
    trainSeconds: 0,
  }));
  return { id: String(seed), config, backend: "wasm", generations };
}

Deno.test("centralClaims pairs each claim's runs by seed, with the paper's effects", () => {
  const t5 = [run(0, [6, 5.8, 5.9]), run(1, [6.2, 6.1, 6.0]), run(2, [6.1, 6.2, 5.9])];
  const claims = centralClaims({
    table5: t5,
    backbone: "resnet10-tiny",
    table1: {
      reg: [run(0, [6.5]), run(1, [6.4])],
      ldl: [run(0, [6.3]), run(1, [6.2])],
      both: [run(0, [6]), run(1, [6.2])],
    },
    lambda1: [
      { lambda1: 1, runs: [run(0, [6.4]), run(1, [6.6])] },
      { lambda1: 2, runs: [run(0, [6.3]), run(1, [6.3])] },
      { lambda1: 4, runs: [run(0, [6]), run(1, [6.2])] },
    ],
  });
  assertEquals(claims.map((c) => c.claim), [
    "evolution: t = 2 beats t = 1 (Table 5, resnet10-tiny)",
    "evolution: the best offspring (t = 3) beats t = 1 (Table 5, resnet10-tiny)",
    "coupling: LDL+Reg ŷ beats Reg only (Table 1)",
    "coupling: LDL+Reg ŷ beats LDL only (Table 1)",
    "λ₁ = 4 beats the best other λ₁ (2)",
  ]);
  assertAlmostEquals(claims[0].target.relative, (2.446 - 2.3) / 2.446, 1e-12);
  assertAlmostEquals(claims[1].target.relative, (2.446 - 2.229) / 2.446, 1e-12);
  // Reg only is read on its regression head, LDL only on its LDL head
  assertEquals([...claims[2].reference.values()], [6.7, 6.6000000000000005]);
  assertEquals([...claims[3].reference.values()], [6.3999999999999995, 6.3]);
  assertEquals(claims[4].target.from, "minimum effect of interest");
  const effects = claims.map(pairedEffect);
  assertAlmostEquals(effects[0].mean, (-0.2 - 0.1 + 0.1) / 3, 1e-12);
  const power = powerAnalysis(effects, 6, 20);
  assertEquals(power.length, 5);
  for (const p of power) assert(p.seeds >= 6 && p.seeds <= 20);
});

const f32 = (xs: number[]) => Float32Array.from(xs);

Deno.test("twoLevelBootstrap: seeds then images, by hand", () => {
  // every image 1 year better in every seed: the interval is the point
  const same = [0, 1, 2].map(() => ({ reference: f32([3, 4, 5]), candidate: f32([2, 3, 4]) }));
  assertEquals(twoLevelBootstrap(same), { lo: -1, hi: -1 });
  // two seeds, no spread within: seed means −1 and −3; resampled pairs give −1, −2, −3 (¼, ½, ¼)
  const seedsOnly = [
    { reference: f32([5, 5]), candidate: f32([4, 4]) },
    { reference: f32([5, 5]), candidate: f32([2, 2]) },
  ];
  const b = twoLevelBootstrap(seedsOnly, { draws: 4000, seed: 3 });
  assertEquals([b.lo, b.hi], [-3, -1]);
  // one seed, images differing by 0 and −2: resampled means 0, −1, −2 (¼, ½, ¼)
  const imagesOnly = [{ reference: f32([5, 5]), candidate: f32([5, 3]) }];
  const c = twoLevelBootstrap(imagesOnly, { draws: 4000, seed: 3 });
  assertEquals([c.lo, c.hi], [-2, 0]);
  // deterministic for a seed
  assertEquals(
    twoLevelBootstrap(imagesOnly, { seed: 9 }),
    twoLevelBootstrap(imagesOnly, { seed: 9 }),
  );
});

Deno.test("withImageErrors: a claim's interval rebuilds from the predictions kept beside the records", async () => {
  const dir = await Deno.makeTempDir();
  const ages = [20, 30, 40, 50];
  // seed s: generation 1 errs by 2 years on every image, generation 2 by 1 (+ s/10 on image 0)
  const runs = [0, 1, 2].map((s) => run(s, [2, 1 + s / 40]));
  for (const [s, r] of runs.entries()) {
    const g1 = ages.map((a) => a + 2);
    const g2 = ages.map((a, i) => a + 1 + (i === 0 ? s / 10 : 0));
    await writeStoredPredictions(dir, r.id, ages, [{ yLdl: g1, yReg: g1 }, { yLdl: g2, yReg: g2 }]);
  }
  const [claim] = centralClaims({ table5: runs, backbone: "resnet10-tiny" });
  const withImages = await withImageErrors(claim, dir);
  assertEquals(withImages.images?.size, 3);
  assertAlmostEquals(withImages.images!.get(1)!.candidate[0], 1.1, 1e-5);
  const e = pairedEffect(withImages);
  assertEquals(e.interval, "seeds and images (bootstrap)");
  assert(e.lo >= -1 - 1e-6 && e.hi <= -0.9 + 1e-6, `${e.lo} ${e.hi}`);
  assertEquals(pairedEffect(claim).interval, "seeds (t)");
  // one seed's predictions missing: the interval stays over seeds
  await Deno.remove(predictionsPath(dir, runs[2].id));
  assertEquals((await withImageErrors(claim, dir)).images, undefined);
});
