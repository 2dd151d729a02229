import { assert, assertAlmostEquals, assertEquals } from "@std/assert";
import { type CenConfig, makeConfig } from "../lib/config.ts";
import {
  balance,
  baselineTable,
  chooseEpochs,
  describeRun,
  epochCurve,
  finishedSoFar,
  harnessBaselines,
  lambda1Configs,
  lambda1Rows,
  lambda1Verdict,
  lookedUpRuns,
  lookup,
  meanStd,
  pretrainingRows,
  remainingCost,
  scratchConfigs,
  studyBackbones,
  studyFigureTaus,
  studyPlan,
  studySeeds,
  sweepValues,
  table1Rows,
  table1Verdict,
  table5Rows,
  table5Verdict,
  table6Best,
  table6Configs,
  table6Rows,
  variant,
} from "../lib/study/mod.ts";
import {
  baselineDisplay,
  formatMeanStd,
  pretrainingDisplay,
  table1Display,
  table5Display,
  table6Display,
} from "../lib/study/mod.ts";
import { generationIndexPath, generationKey, type RunMetrics } from "../lib/train/run.ts";
import { configHash } from "../lib/config.ts";
import { profileConfigs } from "../lib/experiment.ts";
import { profile } from "../lib/profiles.ts";
import { ConfigError } from "../lib/errors.ts";
import { writeRecord } from "../lib/train/record.ts";
import { tinyConfig } from "./helpers/tiny.ts";
import { assertRejects, assertThrows } from "@std/assert";

const fake = (maes: { mae: number; maeLdl: number; maeReg: number }[]): RunMetrics => ({
  id: "x",
  config: makeConfig(),
  backend: "cpu",
  generations: maes.map((m, i) => ({
    generation: i + 1,
    metrics: { ...m, ca3: 0, ca5: 0, ca7: 0, n: 1 },
    epochs: [],
    trainSeconds: 0,
  })),
});

Deno.test("mean ± sample std, by hand", () => {
  const m = meanStd([2, 4, 6]); // mean 4, variance (4 + 0 + 4) / 2 = 4
  assertEquals(m, { mean: 4, std: 2, n: 3 });
  assertEquals(formatMeanStd(m), "4.000 ± 2.000");
  assertEquals(formatMeanStd(meanStd([2.5])), "2.500");
  assertEquals(formatMeanStd(meanStd([])), "–");
});

Deno.test("Table 1 rows and verdicts come from the runs' metrics", () => {
  const rows = table1Rows({
    reg: [fake([{ mae: 0, maeLdl: 0, maeReg: 3 }])],
    ldl: [fake([{ mae: 0, maeLdl: 2.8, maeReg: 0 }])],
    both: [fake([{ mae: 2.5, maeLdl: 2.6, maeReg: 2.7 }])],
  });
  assertEquals(rows.map((r) => r.mean), [3, 2.8, 2.7, 2.6, 2.5]);
  const zero = { mean: 0, std: 0, n: 1 };
  assertEquals(rows[0], {
    setting: "Reg only",
    mean: 3,
    std: 0,
    n: 1,
    paper: 2.578,
    ca3: zero,
    ca5: zero,
    ca7: zero,
    paperCa: { ca3: 58.22, ca5: 79.01, ca7: 89.03 },
  });
  assertEquals(table1Display(rows)[4], {
    setting: "LDL+Reg, ŷ",
    "MAE (ours)": "2.500",
    "MAE (paper, Morph)": 2.22,
  });
  // With CA (AAF): ours beside the paper's MegaAge-Asian; the coupled heads have none.
  assertEquals(
    table1Display(rows, true)[4]["CA(3/5/7) % (paper, MegaAge-Asian)"],
    "60.8 / 80.1 / 90.5",
  );
  assertEquals(table1Display(rows, true)[4]["CA(3/5/7) % (ours)"], "0.0 / 0.0 / 0.0");
  assertEquals(table1Display(rows, true)[2]["CA(3/5/7) % (ours)"], "– / – / –");
  // the paper's Table 1 gives the coupled heads' CA too (ŷ_reg: 60.57 / 79.77 / 90.21)
  assertEquals(
    table1Display(rows, true)[2]["CA(3/5/7) % (paper, MegaAge-Asian)"],
    "60.6 / 79.8 / 90.2",
  );
  const v = table1Verdict(rows);
  assert(v.couplingBeatsSingle && v.averageBeatsHeads);
  const worse = table1Verdict(rows.map((r, i) => ({ ...r, mean: i === 4 ? 2.9 : r.mean })));
  assert(!worse.couplingBeatsSingle && worse.text.includes("NOT"));
});

Deno.test("Table 5 verdict: largest gain first, best generation", () => {
  const g = (mae: number) => ({ mae, maeLdl: mae - 0.1, maeReg: mae + 0.3 });
  const rows = table5Rows([fake([g(3), g(2.5), g(2.4), g(2.45)])], "resnet10-tiny");
  assertAlmostEquals(rows[1].mean, 2.5, 1e-12);
  assertEquals([rows[0].paper, rows[0].delta], [2.446, null]);
  assertAlmostEquals(rows[1].delta!, -0.5, 1e-12);
  const display = (t: number, y: string, d: string, paper: number, ldl: string, reg: string) => ({
    t,
    "MAE (ours)": y,
    "Δ vs t−1": d,
    "MAE (paper, resnet10-tiny, Morph)": paper,
    "ŷ_ldl (ours)": ldl,
    "ŷ_reg (ours)": reg,
  });
  assertEquals(table5Display(rows, "resnet10-tiny").slice(0, 2), [
    display(1, "3.000", "", 2.446, "2.900", "3.300"),
    display(2, "2.500", "-0.500", 2.3, "2.400", "2.800"),
  ]);
  const v = table5Verdict(rows);
  assertEquals([v.evolutionHelps, v.largestGainFirst, v.bestGeneration], [true, true, 3]);
});

Deno.test("Table 6: sweeps include the centre, share generation 1, pick the best value", async () => {
  assertEquals(sweepValues({ tau: 2.5, alpha: 0.5, lambda: 4, generation: 2 }).tau, [
    1,
    2,
    2.5,
    3,
    4,
  ]);
  const target = makeConfig({ backbone: "resnet10-tiny", inputSize: 32 });
  const sweeps = table6Configs(target, { tau: 2, alpha: 0.5, lambda: 4, generation: 2 }, 2);
  assertEquals(sweeps.tau.map((s) => s.value), [1, 2, 3, 4]);
  assertEquals(sweeps.lambda[0].configs.map((c) => c.seed), [0, 1]);
  const all = Object.values(sweeps).flatMap((s) =>
    s.flatMap((v) => v.configs.filter((c) => c.seed === 0))
  );
  const keys = new Set(await Promise.all(all.map((c) => generationKey(c, 1))));
  assertEquals(keys.size, 1, "every sweep shares one generation 1");
  const g = (mae: number) => ({ mae, maeLdl: mae - 0.5, maeReg: mae + 0.5 });
  const rows = table6Rows("tau", [
    { value: 1, runs: [fake([g(3), g(2.2)])] },
    { value: 2, runs: [fake([g(3), g(2.0)]), fake([g(3), g(1.8)])] },
  ], 2);
  assertEquals(table6Best("tau", rows), { ours: 2, paper: 2, agrees: true });
  assertEquals(table6Display("tau", rows, 2)[1], {
    tau: 2,
    "MAE t=2 (ours)": "1.900 ± 0.141",
    "MAE (paper, ResNet18, Morph)": 1.905,
    "ŷ_ldl (ours)": "1.400 ± 0.141",
    "ŷ_reg (ours)": "2.400 ± 0.141",
  });
});

Deno.test("baselines: the strongest one and CEN's gain over it", () => {
  const t = baselineTable(
    [{ method: "CE", maes: [6, 6.2] }, { method: "L1", maes: [5.5, 5.7] }, {
      method: "face-api",
      maes: [5.9],
    }],
    [{ method: "CEN t=1", maes: [5.4, 5.6] }, { method: "CEN t=3", maes: [5.1, 5.3] }],
  );
  assertEquals([t.strongest, t.bestCen], ["L1", "CEN t=3"]);
  assertAlmostEquals(t.gain, 5.6 - 5.2, 1e-12);
  assertEquals(baselineDisplay(t.rows)[1], {
    method: "L1",
    kind: "baseline",
    MAE: "5.600 ± 0.141",
  });
  assert(t.text.includes("CEN better by 0.400"));
});

Deno.test("baselines: a CEN row without a finite MAE is passed over, not taken as the best", () => {
  const t = baselineTable(
    [{ method: "DLDL", maes: [6.8, 6.9] }],
    [{ method: "CEN t=1", maes: [] }, { method: "CEN t=2", maes: [6.5, 6.7] }],
  );
  assertEquals(t.bestCen, "CEN t=2");
  assertAlmostEquals(t.gain, 6.85 - 6.6, 1e-12);
  const none = baselineTable([{ method: "DLDL", maes: [6.8] }], [{ method: "CEN t=1", maes: [] }]);
  assertEquals([none.bestCen, none.text], [undefined, "no CEN result"]);
  assert(Number.isNaN(none.gain));
});

Deno.test("harness baselines: CE from LDL-only ŷ_ldl, L1 from Reg-only ŷ_reg, DLDL's ŷ_ldl", () => {
  const b = harnessBaselines(
    {
      reg: [fake([{ mae: 9, maeLdl: 9, maeReg: 3 }])],
      ldl: [fake([{ mae: 9, maeLdl: 2.8, maeReg: 9 }])],
    },
    [fake([{ mae: 9, maeLdl: 2.9, maeReg: 9 }])],
  );
  assertEquals(b, [
    { method: "CE + expectation", maes: [2.8] },
    { method: "L1 regression", maes: [3] },
    { method: "DLDL (σ = 2)", maes: [2.9] },
  ]);
});

Deno.test("pretraining rows: scratch against pretrained generation 1, by hand", () => {
  const pre = [fake([{ mae: 9, maeLdl: 0, maeReg: 0 }]), fake([{ mae: 11, maeLdl: 0, maeReg: 0 }])];
  const scratch = [
    fake([{ mae: 12, maeLdl: 0, maeReg: 0 }]),
    fake([{ mae: 12, maeLdl: 0, maeReg: 0 }]),
  ];
  const r = pretrainingRows(pre, scratch);
  assertEquals(r.rows[1], { start: "from scratch", mean: 12, std: 0, n: 2 });
  assertEquals(pretrainingDisplay(r.rows), [
    { start: "pretrained backbone", "MAE ŷ, t = 1": "10.000 ± 1.414", seeds: 2 }, // std of 9, 11 = √2
    { start: "from scratch", "MAE ŷ, t = 1": "12.000 ± 0.000", seeds: 2 },
  ]);
  assert(r.helps);
  assert(r.text.includes("helps by 2.000"));
  assert(!pretrainingRows(scratch, pre).helps);
});

Deno.test("scratch configs drop the pretrained backbone and keep one generation per seed", () => {
  const target = makeConfig({ pretrained: "abc", generations: 4, seed: 5 });
  const cs = scratchConfigs(target, 3);
  assertEquals(cs.map((c) => [c.seed, c.generations, c.pretrained]), [
    [5, 1, null],
    [6, 1, null],
    [7, 1, null],
  ]);
});

Deno.test("study seeds and backbones: the parameter, or the profile's default; bad names fail", () => {
  assertEquals(studySeeds("real", 0), 3);
  assertEquals(studySeeds("default", 0), 1);
  assertEquals(studySeeds("real", 2), 2);
  assertEquals(studyBackbones("real", ""), ["resnet10-tiny", "resnet18-tiny"]);
  assertEquals(studyBackbones("default", " resnet18-tiny "), ["resnet18-tiny"]);
  assertThrows(() => studyBackbones("default", "resnet50"), ConfigError, "resnet50");
});

Deno.test("balance: longest first onto the least loaded worker", () => {
  // costs 5, 4, 3, 3, 1 → w0: 5, then w1: 4, w1: 4+3, w0: 5+3, w1: 7+1
  assertEquals(balance(["a", "b", "c", "d", "e"], [5, 4, 3, 3, 1], 2), [["a", "d"], [
    "b",
    "c",
    "e",
  ]]);
  assertEquals(balance(["a"], [1], 3), [["a"], [], []]);
});

Deno.test("study plan: each run once, ancestors before offspring, the notebooks' configs", async () => {
  const phases = await studyPlan("real", { seeds: 2 });
  const ids = await Promise.all(phases.map((p) => Promise.all(p.configs.map(configHash))));
  const all = ids.flat();
  assertEquals(new Set(all).size, all.length, "a run listed twice");
  const main = await profileConfigs("real");
  const phaseOf = async (c: Parameters<typeof configHash>[0]) => {
    const h = await configHash(c);
    return ids.findIndex((p) => p.includes(h));
  };
  assertEquals(await phaseOf(main.pretrain!), 0);
  assertEquals(await phaseOf(scratchConfigs(main.target, 2)[1]), 0);
  assertEquals(
    await phaseOf(
      table6Configs(main.target, { tau: 2, alpha: 0.5, lambda: 4, generation: 2 }, 2).tau[0]
        .configs[1],
    ),
    2,
  );
  assertEquals(await phaseOf(main.target), 2); // Table 5's 4-generation run
  // every generation-1 ancestor an offspring needs is trained in an earlier phase
  for (const [p, phase] of phases.entries()) {
    if (p < 2) continue;
    for (const c of phase.configs) {
      const key = await generationKey(c, 1);
      const earlier = phases.slice(1, p).flatMap((q) => q.configs);
      const keys = await Promise.all(earlier.map((e) => generationKey(e, 1)));
      assert(
        keys.includes(key),
        `phase ${p}: no earlier ancestor for ${c.backbone} seed ${c.seed}`,
      );
    }
  }
  // ResNet18-Tiny's runs start from its own pretrained backbone
  const r18 = phases[2].configs.filter((c) => c.backbone === "resnet18-tiny");
  assertEquals(r18.length, 2);
  const r18pre = phases[0].configs.find((c) => c.backbone === "resnet18-tiny")!;
  assertEquals(r18[0].pretrained, await configHash(r18pre));
  await assertRejects(() => studyPlan("nope"), ConfigError);
});

Deno.test("verdict study: pretraining, the epoch curve, then generation 1 at E with λ₁ sweep and scratch", async () => {
  const phases = await studyPlan("verdict-utkface");
  assertEquals(phases.map((p) => p.name), [
    "pretraining and scratch runs",
    "epoch curve",
    "generation 1",
    "offspring",
    "reused generations and figures",
  ]);
  const main = await profileConfigs("verdict-utkface");
  assertEquals(phases[0].configs.length, 1); // the pretraining alone: scratch runs wait for E
  assertEquals(phases[0].configs[0].inputSize, main.target.inputSize);
  const onTest = (c: CenConfig) => c.data.params.validation === undefined;
  const curve = phases[1].configs.filter(onTest);
  assertEquals(curve.map((c) => c.optim.epochs), [4, 8, 16, 32, 64, 128]);
  // and the same curve on a validation part of the training images, to choose E without the test
  const onValidation = phases[1].configs.filter((c) => !onTest(c));
  assertEquals(onValidation.map((c) => c.optim.epochs), [4, 8, 16, 32, 64, 128]);
  assert(onValidation.every((c) => c.data.params.validation === 0.2));
  assertEquals(curve.map((c) => c.optim.lrStepEpochs), [3, 6, 12, 24, 48, 96]);
  assert(curve.every((c) => c.generations === 1 && c.seed === main.target.seed));
  // the curve's run at the profile's length is Table 1's seed-0 "both" run: listed once
  const e = main.target.optim.epochs;
  const atE = curve.find((c) => c.optim.epochs === e)!;
  assertEquals(await configHash(atE), await configHash(variant(main.target, { generations: 1 })));
  const g1 = phases[2].configs;
  // the central claims' tables train the seeds the profile declared to decide them
  const declared = profile("verdict-utkface").study.decisiveSeeds!;
  for (const lambda1 of [0.5, 1, 2]) {
    assertEquals(
      g1.filter((c) => c.lambda1 === lambda1 && c.heads === "both").length,
      declared.lambda1,
    );
  }
  for (const heads of ["reg", "ldl"]) {
    assertEquals(g1.filter((c) => c.heads === heads && c.labelSigma === 0).length, declared.table1);
  }
  const chains = phases[3].configs.filter((c) =>
    c.generations === 4 && c.offspringRegression !== "l1"
  );
  assertEquals(chains.length, declared.table5);
  assertEquals(g1.filter((c) => c.pretrained === null).length, 3); // scratch, at E
  assert(g1.every((c) => c.optim.epochs === e));
  // the slack term's test: Table 5's offspring with the plain ℓ1, 3 seeds, sharing its generation 1
  const plain = phases[3].configs.filter((c) => c.offspringRegression === "l1" && c.alpha > 0);
  assertEquals(plain.map((c) => [c.seed, c.generations]), [[0, 2], [1, 2], [2, 2]]);
  assertEquals(await generationKey(plain[0], 1), await generationKey(main.target, 1));
  // and its control, generation 1's own loss retrained at t = 2 (α = 0, plain ℓ1)
  const control = phases[3].configs.filter((c) => c.offspringRegression === "l1" && c.alpha === 0);
  assertEquals(control.map((c) => [c.seed, c.generations]), [[0, 2], [1, 2], [2, 2]]);
  // AAF: the same without Table 6, the τ figure and the plain-ℓ1 offspring
  const aaf = await studyPlan("verdict-aaf");
  const offspring = aaf.find((p) => p.name === "offspring")!.configs;
  // Table 5's declared seeds, no plain-ℓ1 offspring
  assertEquals(offspring.length, profile("verdict-aaf").study.decisiveSeeds!.table5);
  // seeds given: every table at that count
  assertEquals((await studyPlan("verdict-aaf", { seeds: 3 })).at(-1)!.configs.length, 3);
  assert(offspring.every((c) => c.data.dataset === "aaf" && c.generations === 4));
  assertEquals(aaf.find((p) => p.name === "reused generations and figures"), undefined);
});

Deno.test("epoch curve: E is the first length whose double changes the MAE by < 0.1, or overfits", () => {
  const pt = (epochs: number, mae: number) => ({ epochs, mae, maeLdl: mae, maeReg: mae, ca5: 0 });
  // 4 → 8 gains 1.0, 8 → 16 gains 0.3, 16 → 32 gains 0.05: E = 16
  assertEquals(chooseEpochs([pt(4, 7), pt(8, 6), pt(16, 5.7), pt(32, 5.65)]), {
    epochs: 16,
    reason: "converged",
    mae: 5.7,
    maeDoubled: 5.65,
  });
  // 8 → 16 gets worse: E = 8 (overfits)
  assertEquals(chooseEpochs([pt(4, 7), pt(8, 6), pt(16, 6.2), pt(32, 6.4)]).epochs, 8);
  assertEquals(chooseEpochs([pt(4, 7), pt(8, 6), pt(16, 6.2)]).reason, "overfits");
  // still gaining ≥ 0.1 at every doubling: the longest, not converged
  assertEquals(chooseEpochs([pt(4, 7), pt(8, 6), pt(16, 5)]), {
    epochs: 16,
    reason: "not converged",
    mae: 5,
  });
  assertThrows(() => chooseEpochs([]), Error, "no finished runs");
  // points come from runs' generation 1, sorted by length
  const run = (epochs: number, mae: number): RunMetrics => ({
    ...fake([{ mae, maeLdl: mae + 1, maeReg: mae + 2 }]),
    config: makeConfig({ optim: { epochs } }),
  });
  assertEquals(epochCurve([run(8, 6), run(4, 7)]).map((p) => [p.epochs, p.mae, p.maeReg]), [
    [4, 7, 9],
    [8, 6, 8],
  ]);
});

Deno.test("λ₁ sweep: configs per value and seed; rows of ŷ, ŷ_ldl, ŷ_reg over seeds", () => {
  const sweep = lambda1Configs(makeConfig({ generations: 4 }), 2, [0.5, 4]);
  assertEquals(sweep.map((s) => s.configs.map((c) => [c.lambda1, c.seed, c.generations])), [
    [[0.5, 0, 1], [0.5, 1, 1]],
    [[4, 0, 1], [4, 1, 1]],
  ]);
  const rows = lambda1Rows([{
    lambda1: 0.5,
    runs: [fake([{ mae: 5, maeLdl: 4, maeReg: 6 }]), fake([{ mae: 7, maeLdl: 6, maeReg: 8 }])],
  }]);
  assertEquals(rows[0].lambda1, 0.5);
  assertEquals(rows[0].mae.mean, 6);
  assertAlmostEquals(rows[0].mae.std, Math.SQRT2, 1e-12);
  assertEquals([rows[0].maeLdl.mean, rows[0].maeReg.mean], [5, 7]);
  const ms = (mean: number, std = 0.1) => ({ mean, std, n: 3 });
  const row = (lambda1: number, mae: number, ldl: number) => ({
    lambda1,
    mae: ms(mae),
    maeLdl: ms(ldl),
    maeReg: ms(mae),
  });
  const v = lambda1Verdict([row(0.5, 6.0, 5.9), row(1, 5.8, 5.7), row(4, 5.9, 6.4)]);
  assertEquals([v.bestLambda1, v.ldlStarvesAtTop], [1, true]); // 6.4 − 5.7 > 0.1
  assertEquals(lambda1Verdict([row(1, 5.8, 5.7), row(4, 5.9, 5.75)]).ldlStarvesAtTop, false);
});

Deno.test("remaining cost counts only generations not recorded under the runs root", async () => {
  const root = await Deno.makeTempDir();
  try {
    const c = makeConfig({ generations: 3, inputSize: 64, optim: { epochs: 2 } });
    const full = await remainingCost(c, root);
    await Deno.mkdir(`${root}/_generations`);
    await Deno.writeTextFile(generationIndexPath(root, await generationKey(c, 1)), "{}");
    assertAlmostEquals(await remainingCost(c, root), (full * 2) / 3);
    // a generation an earlier run of the plan will train is counted once
    const planned = new Set<string>();
    const first = await remainingCost(c, root, planned);
    assertEquals(await remainingCost(c, root, planned), 0);
    assertAlmostEquals(first, (full * 2) / 3);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("describeRun names what tells runs apart", () => {
  const c = makeConfig({
    seed: 2,
    heads: "ldl",
    labelSigma: 2,
    generations: 1,
    pretrained: "x",
    lambda1: 0.5,
    optim: { epochs: 8 },
  });
  assertEquals(
    describeRun(c),
    `${c.data.dataset} ${c.backbone} ${c.inputSize}px E=8 heads=ldl σ=2 λ₁=0.5 τ=${c.tau} ` +
      `α=${c.alpha} λ=${c.lambdaT} T=1 seed=2 pretrained`,
  );
  assert(describeRun(makeConfig()).endsWith(" scratch"));
});

Deno.test("04's τ figure: the notebook's list, else the profile's (none where its study has no ablations)", () => {
  assertEquals(studyFigureTaus("smoke", ""), [1, 2, 3, 4]);
  assertEquals(studyFigureTaus("verdict-aaf", ""), []); // AAF's verdict study: no Table 6, no τ figure
  assertEquals(studyFigureTaus("verdict-aaf", "2, 3"), [2, 3]);
  assertThrows(() => studyFigureTaus("smoke", "1,x"), ConfigError, 'not a temperature τ > 0: "x"');
  assertThrows(() => studyFigureTaus("smoke", "0"), ConfigError, "figureTaus");
});

Deno.test("looked-up runs: a recorded run is found, a missing one is named once however often asked", async () => {
  const roots = { runsRoot: await Deno.makeTempDir(), recordsRoot: await Deno.makeTempDir() };
  const done = tinyConfig({ generations: 1, seed: 11 }), absent = tinyConfig({ seed: 12 });
  const id = await configHash(done);
  const g = fake([{ mae: 4.2, maeLdl: 4.1, maeReg: 4.5 }]).generations;
  const inputs = { trainer: 1, train: "t", test: "s", pretrained: null };
  await writeRecord(roots.recordsRoot, {
    id,
    config: done,
    inputs,
    backend: "cpu",
    generations: g,
  });
  const missing: string[] = [];
  const found = lookedUpRuns(missing, roots);
  const first = await found([done, absent]);
  const again = await found([absent, done]);
  assertEquals([first.length, again.length], [1, 1]);
  assertEquals(first[0].generations[0].metrics.mae, 4.2);
  assertEquals(missing, [describeRun(absent)]);
  // a run with 1 of its 2 generations recorded: not looked up, but counted so far
  const half = tinyConfig({ generations: 2, seed: 13 });
  const halfId = await configHash(half);
  await writeRecord(roots.recordsRoot, {
    id: halfId,
    config: half,
    inputs,
    backend: "cpu",
    generations: g,
  });
  assertEquals(await lookup(half, roots.runsRoot, roots.recordsRoot), undefined);
  assertEquals((await finishedSoFar(half, roots.runsRoot, roots.recordsRoot))?.generations, g);
  assertEquals(await finishedSoFar(absent, roots.runsRoot, roots.recordsRoot), undefined);
});

Deno.test("Table 5 rows: each head's MAE over seeds beside ŷ's", () => {
  const g = (mae: number, maeLdl: number, maeReg: number) => ({ mae, maeLdl, maeReg });
  const rows = table5Rows([
    fake([g(5.5, 5.4, 6.0), g(5.4, 5.3, 6.1)]),
    fake([g(5.6, 5.2, 6.2), g(5.8, 5.5, 6.3)]),
  ], "resnet10-tiny");
  assertAlmostEquals(rows[1].maeLdl.mean, 5.4, 1e-12);
  assertAlmostEquals(rows[1].maeLdl.std, Math.SQRT2 * 0.1, 1e-12);
  assertAlmostEquals(rows[0].maeReg.mean, 6.1, 1e-12);
  assertEquals(rows[1].maeReg.n, 2);
});
