import { assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import { cumulativeAccuracy, epsilonError, mae, scoreAges } from "../lib/metrics.ts";
import { combinedAge, expectedAge, regressionAge } from "../lib/model/predict.ts";

const pred = [10, 20, 30, 44], age = [12, 20, 25, 40]; // errors 2, 0, 5, 4

Deno.test("Eq. 19: MAE", () => assertAlmostEquals(mae(pred, age), 11 / 4, 1e-12));

Deno.test("Eq. 21: CA(n) counts errors strictly below n", () => {
  assertEquals(cumulativeAccuracy(pred, age, 3), 50);
  assertEquals(cumulativeAccuracy(pred, age, 5), 75); // the error of exactly 5 does not count
  assertEquals(cumulativeAccuracy(pred, age, 7), 100);
});

Deno.test("Eq. 20: ε-error = mean(1 − exp(−(ŷ − μ)² / 2σ²))", () => {
  // (10 − 12)² / (2·2²) = 0.5 → 1 − e^−0.5 = 0.393469; exact hit → 0
  assertAlmostEquals(epsilonError([10, 20], [12, 20], [2, 3]), (1 - Math.exp(-0.5)) / 2, 1e-12);
});

Deno.test("Eqs. 16–18: expected age, de-normalised regression, their average", () => {
  assertAlmostEquals(expectedAge([0.2, 0.3, 0.5], 20), 21.3, 1e-12);
  assertAlmostEquals(regressionAge(0.5, { minAge: 16, maxAge: 77 }), 46.5, 1e-12);
  assertAlmostEquals(combinedAge(21.3, 46.5), 33.9, 1e-12);
});

Deno.test("scoreAges reports every metric, and bad input is an error", () => {
  const m = scoreAges({ y: pred, yLdl: age, yReg: pred }, age, {
    mean: age,
    std: [1, 1, 1, 1],
  });
  assertEquals(m.maeLdl, 0);
  assertEquals(m.ca5, 75);
  assertEquals(m.n, 4);
  assertEquals(typeof m.epsilon, "number");
  assertThrows(() => mae([1, 2], [1]), Error, "length mismatch");
  assertThrows(() => mae([], []), Error, "no predictions");
});
