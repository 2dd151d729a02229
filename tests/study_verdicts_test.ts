/**
 * The claims as verdicts (lib/study/verdicts.ts) and their labels (lib/study/verdicts.ts):
 * each verdict checked on rows whose comparison is done by hand, both ways, with the seeds'
 * spread deciding "clear" and too few seeds marking it provisional.
 */
import { assert, assertEquals, assertStringIncludes, assertThrows } from "@std/assert";
import {
  baselineVerdict,
  convergenceVerdict,
  couplingVerdicts,
  evolutionVerdicts,
  lambda1Verdicts,
  type MeanStd,
  pretrainingVerdict,
  provisional,
  type Table1Row,
  type Table5Row,
  table6Verdict,
} from "../lib/study/mod.ts";
import { verdictDisplay, verdictLabel } from "../lib/study/mod.ts";

const m = (mean: number, std = 0.05, n = 3): MeanStd => ({ mean, std, n });
const none = m(NaN, 0, 0);
const t1 = (setting: string, mean: number, paper: number, std = 0.05): Table1Row => ({
  setting,
  ...m(mean, std),
  paper,
  ca3: none,
  ca5: none,
  ca7: none,
});
const t5 = (t: number, mean: number, n = 3): Table5Row => ({
  t,
  ...m(mean, n > 1 ? 0.05 : 0, n),
  delta: null,
  paper: [2.446, 2.3, 2.241, 2.229][t - 1],
  maeLdl: none,
  maeReg: none,
  ca3: none,
  ca5: none,
  ca7: none,
});

/** Table 1's rows: Reg only 7.0, LDL only 6.8, the coupled heads 7.2 / 6.9, and ŷ (± its std). */
const table1 = (y: number, yStd = 0.05): Table1Row[] => [
  t1("Reg only", 7.0, 2.578),
  t1("LDL only", 6.8, 2.323),
  t1("LDL+Reg, ŷ_reg", 7.2, 2.243),
  t1("LDL+Reg, ŷ_ldl", 6.9, 2.231),
  t1("LDL+Reg, ŷ", y, 2.22, yStd),
];

Deno.test("coupling: ŷ 6.70 beats both heads and both single-head models by more than the spread", () => {
  const rows = table1(6.7);
  const [coupling, average] = couplingVerdicts(rows);
  assertEquals([coupling.holds, coupling.clear, average.holds, average.clear], [
    true,
    true,
    true,
    true,
  ]);
  assertStringIncludes(coupling.reading, "(LDL only): 0.100 years better"); // 6.7 − 6.8
  assertStringIncludes(average.reading, "(ŷ_ldl): 0.200 years better"); // 6.7 − 6.9
  assertStringIncludes(coupling.paper, "ŷ 2.220 vs Reg only 2.578, LDL only 2.323");
  assertEquals(verdictLabel(coupling), "holds");
});

Deno.test("coupling fails within the spread: ŷ 6.85 ± 0.2 against LDL only 6.80 ± 0.05", () => {
  const rows = table1(6.85, 0.2);
  const [coupling, average] = couplingVerdicts(rows);
  assertEquals([coupling.holds, coupling.clear], [false, false]); // |6.85 − 6.80| = 0.05 < 0.2
  assertStringIncludes(coupling.reading, "depends on λ₁");
  assertEquals([average.holds, average.clear], [true, false]); // 6.85 < 6.9, by 0.05 < 0.2
  assertEquals(verdictLabel(coupling), "does not hold (within the spread over seeds)");
});

Deno.test("coupling and each head: ŷ_ldl 6.9 vs LDL only 6.8 fails it; both heads better holds it", () => {
  const [, , each] = couplingVerdicts(table1(6.85)); // ŷ_reg 7.2 vs 7.0, ŷ_ldl 6.9 vs 6.8
  assertEquals([each.holds, each.clear], [false, true]); // both worse, by 0.2 and 0.1 > 0.05
  assertStringIncludes(each.reading, "ŷ_reg 0.200 years worse, ŷ_ldl 0.100 years worse");
  assertStringIncludes(each.paper, "ŷ_reg 2.243 vs Reg only 2.578; ŷ_ldl 2.231 vs LDL only 2.323");
  const better = table1(6.6).map((
    r,
    i,
  ) => (i === 2 ? { ...r, mean: 6.96 } : i === 3 ? { ...r, mean: 6.7 } : r));
  const [, , both] = couplingVerdicts(better); // ŷ_reg 6.96 vs 7.0 (within ±0.05), ŷ_ldl 6.7 vs 6.8
  assertEquals([both.holds, both.clear], [true, false]);
  const mixed = table1(6.6).map((r, i) => (i === 3 ? { ...r, mean: 6.5 } : r)); // only ŷ_ldl better
  const [, , one] = couplingVerdicts(mixed);
  assertEquals([one.holds, one.clear], [false, true]); // decided by ŷ_reg 7.2 vs 7.0 alone
  const loose = table1(6.85).map((r, i) => (i === 2 ? { ...r, mean: 7.03 } : r)); // ŷ_reg within
  assertEquals(couplingVerdicts(loose)[2].clear, true); // ŷ_ldl's loss (0.1 > 0.05) is clear
  const close = loose.map((r, i) => (i === 3 ? { ...r, mean: 6.83 } : r)); // both within ±0.05
  assertEquals(couplingVerdicts(close)[2].clear, false);
});

Deno.test("evolution: 7.0 → 6.7 → 6.6 helps, the largest gain first; one seed is never clear", () => {
  const [helps, first] = evolutionVerdicts([t5(1, 7.0), t5(2, 6.7), t5(3, 6.6)], "resnet10-tiny");
  assertEquals([helps.holds, helps.clear, first.holds, first.clear], [true, true, true, true]);
  assertStringIncludes(helps.reading, "t = 3 against t = 1: 0.400 years better");
  assertEquals(first.ours, "gains 0.300, 0.100");
  assertEquals(first.paper, "gains 0.146, 0.059");
  const [h1, f1] = evolutionVerdicts(
    [t5(1, 7.0, 1), t5(2, 7.2, 1), t5(3, 6.9, 1)],
    "resnet10-tiny",
  );
  assertEquals([h1.holds, h1.clear, f1.holds, f1.clear], [true, false, false, false]); // gains −0.2, 0.3
  assertStringIncludes(f1.reading, "depends on the ancestor's soft labels");
  assert(!h1.reading.includes("by head"), "no heads measured, none named");
  const heads = (r: Table5Row, ldl: number, reg: number) => ({
    ...r,
    maeLdl: m(ldl),
    maeReg: m(reg),
  });
  const [traded] = evolutionVerdicts(
    [heads(t5(1, 7.08), 6.93, 7.47), heads(t5(2, 7.07), 7.21, 7.23), heads(t5(3, 7.0), 7.38, 7.31)],
    "resnet10-tiny",
  );
  assertStringIncludes(
    traded.reading,
    "by head, t = 1 → 3: ŷ_ldl 6.930 → 7.380, ŷ_reg 7.470 → 7.310",
  );
});

Deno.test("Table 6: τ = 2 best (5.8) against the next best τ = 3 (5.9) by more than ±0.05", () => {
  const rows = [1, 2, 3, 4].map((value, i) => ({
    value,
    ...m([6.0, 5.8, 5.9, 6.1][i]),
    paper: null,
    maeLdl: none,
    maeReg: none,
  }));
  const v = table6Verdict("tau", rows, 2);
  assertEquals([v.holds, v.clear], [true, true]);
  assertStringIncludes(v.paper, "τ = 1, 2, 3, 4: 2.096, 1.905, 1.941, 1.970");
  const worse = table6Verdict(
    "tau",
    rows.map((r) => (r.value === 4 ? { ...r, mean: 5.79 } : r)),
    2,
  );
  assertEquals([worse.holds, worse.clear], [false, false]); // 5.79 vs 5.80: within ±0.05
  assertStringIncludes(worse.reading, "our best τ = 4");
});

Deno.test("λ₁ sweep: 1 beats the paper's 4, and ŷ_ldl at 4 starves against the best smaller λ₁", () => {
  const row = (lambda1: number, mae: number, ldl: number) => ({
    lambda1,
    mae: m(mae),
    maeLdl: m(ldl, 0.03),
    maeReg: m(mae + 0.3),
  });
  const [best, starve] = lambda1Verdicts([
    row(0.5, 6.95, 6.82),
    row(1, 6.88, 6.81),
    row(4, 7.08, 6.93),
  ]);
  assertEquals([best.holds, best.clear], [false, true]); // 6.88 vs 7.08, spread 0.05
  assertEquals(starve.holds, false); // 6.93 − 6.81 = 0.12 > 0.03
  assertStringIncludes(starve.reading, "at λ₁ = 4 ŷ_ldl is 6.930 against 6.810 at λ₁ = 1");
  assert(!starve.reading.includes("best λ₁ by ŷ"), "the starving reading is about ŷ_ldl alone");
  assertStringIncludes(best.reading, "best λ₁ 1 (6.880 ± 0.050), λ₁ = 4: 7.080 ± 0.050");
  const [four, fed] = lambda1Verdicts([row(1, 6.88, 6.81), row(4, 6.8, 6.82)]);
  assertEquals(fed.holds, true); // 6.82 − 6.81 = 0.01 < 0.03
  assertEquals([four.holds, four.clear], [true, true]); // 6.80 vs 6.88, spread 0.05
  assertEquals(
    four.reading,
    "λ₁ = 4: 6.800 ± 0.050; the next best, λ₁ = 1: 6.880 ± 0.050 (0.080 years worse)",
  );
  assertThrows(() => lambda1Verdicts([row(1, 6.88, 6.81)]), Error, "no row at the paper's λ₁ = 4");
});

Deno.test("pretraining, baselines and convergence verdicts, by hand", () => {
  const p = pretrainingVerdict(m(7.0, 0.2), m(9.9, 0.5), "real-pretrain");
  assertEquals([p.holds, p.clear], [true, true]);
  assertStringIncludes(p.reading, "2.900 years gained");
  const b = baselineVerdict("CEN beats DLDL", [
    { method: "DLDL", kind: "baseline", ...m(6.8) },
    { method: "CEN t = 2", kind: "CEN", ...m(6.9) },
    { method: "CEN t = 1", kind: "CEN", ...m(7.0) },
  ], "paper");
  assertEquals([b.holds, b.clear], [false, true]); // best CEN 6.9 vs 6.8
  assertStringIncludes(b.ours, "CEN t = 2 6.900 ± 0.050 vs DLDL 6.800 ± 0.050");
  assertStringIncludes(b.reading, "strongest baseline: 0.100 years worse");
  // An off-the-shelf model scored once: its one number has no spread over seeds, so CEN's spread
  // alone judges the gap (1.3 years against ±0.05: apart); one seed of a seeded run is not judged.
  const fixed = { method: "face-api", kind: "baseline" as const, ...m(4.2, 0, 1) };
  const cen = { method: "CEN t = 1", kind: "CEN" as const, ...m(5.5) };
  assertEquals(baselineVerdict("x", [fixed, cen], "p").clear, false);
  const exact = baselineVerdict("x", [{ ...fixed, exact: true }, cen], "p");
  assertEquals([exact.holds, exact.clear], [false, true]);
  assertStringIncludes(exact.reading, "1.300 years worse");
  const close = baselineVerdict("x", [{ ...fixed, mean: 5.47, exact: true }, cen], "p");
  assertEquals(close.clear, false); // 0.03 < ±0.05
  assertThrows(
    () => baselineVerdict("x", [{ method: "DLDL", kind: "baseline", ...m(6.8) }], "p"),
    Error,
    "no CEN row",
  );
  const c = convergenceVerdict(
    { epochs: 16, reason: "overfits", mae: 6.883, maeDoubled: 7.056 },
    16,
  );
  assertEquals([c.holds, c.ours], [true, "curve: 6.883 at 16, 7.056 at 32"]);
  assert(!convergenceVerdict({ epochs: 64, reason: "not converged", mae: 5.5 }, 64).holds);
});

Deno.test("a verdict on fewer seeds than planned is marked provisional in its label and table row", () => {
  const p = pretrainingVerdict(m(7.0, 0.2), m(9.9, 0.5), "real-pretrain");
  assertEquals(provisional(p, 3, 3), p);
  const one = provisional(p, 1, 3);
  assertEquals(verdictLabel(one), "holds; provisional: 1 of 3 seeds");
  assertEquals(verdictDisplay([one])[0].verdict, "holds; provisional: 1 of 3 seeds");
});
