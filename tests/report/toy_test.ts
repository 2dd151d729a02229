import * as tf from "@tensorflow/tfjs-core";
import { assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import { initBackend } from "../../lib/backend/mod.ts";
import { crossEntropy, klDivergence, ldlLoss, softmaxT } from "../../lib/loss/ldl.ts";
import { l1Loss } from "../../lib/loss/regression.ts";
import {
  bumpLogits,
  fitLogits,
  linspace,
  mapScalar,
  toArray,
  toNumber,
  toRows,
} from "../../lib/report/toy.ts";

await initBackend();

Deno.test("bumpLogits: one value per age, the height at the centre, 0 far away", () => {
  const bumps = [{ age: 15, height: 2 }, { age: 25, height: 1, width: 1 }];
  const z = bumpLogits({ minAge: 10, maxAge: 30 }, bumps);
  assertEquals(z.length, 21);
  assertAlmostEquals(z[5], 2, 1e-6); // age 15 (the other bump adds e^−50)
  assertAlmostEquals(z[6], 2 * Math.exp(-1 / 18), 1e-9); // age 16, width 3
  assertAlmostEquals(z[15], 1 + 2 * Math.exp(-100 / 18), 1e-9); // age 25
  assertAlmostEquals(z[20], 3 * Math.exp(-12.5), 1e-12); // age 30: e^−25/2 + 2·e^−225/18
  assertThrows(() => bumpLogits({ minAge: 5, maxAge: 5 }, []), RangeError);
  assertThrows(() => bumpLogits({ minAge: 0, maxAge: 5 }, [{ age: 2, height: 1, width: 0 }]));
});

Deno.test("toNumber, toArray, toRows read values and dispose the tensor", () => {
  const before = tf.memory().numTensors;
  assertEquals(toNumber(tf.scalar(3)), 3);
  assertEquals(toArray(tf.tensor2d([[1, 2], [3, 4]])), [1, 2, 3, 4]);
  assertEquals(toRows(tf.tensor2d([[1, 2], [3, 4]])), [[1, 2], [3, 4]]);
  assertEquals(tf.memory().numTensors, before);
  assertThrows(() => toNumber(tf.tensor1d([1, 2])), RangeError, "2 values");
  assertEquals(tf.memory().numTensors, before);
});

Deno.test("mapScalar evaluates a loss at each x without leaking tensors", () => {
  const y = tf.tensor1d([0.5]);
  const before = tf.memory().numTensors;
  const v = mapScalar([0, 0.25, 0.5, 1], (s) => l1Loss(tf.tensor1d([s]), y));
  v.forEach((x, i) => assertAlmostEquals(x, [0.5, 0.25, 0, 0.5][i], 1e-7));
  assertEquals(tf.memory().numTensors, before);
  y.dispose();
});

Deno.test("linspace includes both ends", () => {
  assertEquals(linspace(0, 1, 5), [0, 0.25, 0.5, 0.75, 1]);
  assertThrows(() => linspace(0, 1, 1), RangeError);
});

Deno.test("fitLogits: KL alone at τ recovers the target's logits up to a constant", () => {
  const target = [1, 0, -1, 0.5];
  const p = softmaxT(tf.tensor2d([target]), 2);
  const z = fitLogits((z) => klDivergence(p, z, 2), [0, 0, 0, 0], { steps: 2000, lr: 4 });
  const got = toArray(softmaxT(tf.tensor2d([z]), 1));
  const want = toArray(softmaxT(tf.tensor2d([target]), 1));
  got.forEach((g, i) => assertAlmostEquals(g, want[i], 1e-3));
  p.dispose();
});

Deno.test("fitLogits: adding cross-entropy (Eq. 7, α < 1) moves mass to the label", () => {
  const p = softmaxT(tf.tensor2d([[2, 0, 0, 0]]), 2);
  const label = tf.tensor1d([3], "int32");
  const z = fitLogits(
    (z) => ldlLoss(klDivergence(p, z, 2), crossEntropy(z, label), 0.5),
    [0, 0, 0, 0],
  );
  const q = toArray(softmaxT(tf.tensor2d([z]), 1));
  assertEquals(q.indexOf(Math.max(...q)), 3);
  p.dispose();
  label.dispose();
});
