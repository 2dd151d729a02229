/**
 * The trainer pinned by values: the loss one step computes and descends (Eq. 14 at t = 1, Eq. 15
 * at t > 1, each head setting), the targets of a batch (stored or online ancestor, Eq. 10), the
 * offspring's starting weights, and a NaN that strikes after a checkpoint.
 */
import { assert, assertAlmostEquals, assertEquals, assertRejects, assertThrows } from "@std/assert";
import * as tf from "@tensorflow/tfjs-core";
import { initBackend } from "../../lib/backend/mod.ts";
import { NonFiniteLossError } from "../../lib/errors.ts";
import { exists } from "../../lib/fsutil.ts";
import type { LossSettings, LossTargets } from "../../lib/loss/cen.ts";
import { loadModel } from "../../lib/model/io.ts";
import { createCenModel } from "../../lib/model/resnet.ts";
import { predictTensor } from "../../lib/model/predict.ts";
import { batchTargets, checkFiniteWeights } from "../../lib/train/epoch.ts";
import { runEvolution } from "../../lib/train/evolve.ts";
import { initialModel } from "../../lib/train/generation.ts";
import { runPaths } from "../../lib/train/run.ts";
import { createSgd, disposeSgd } from "../../lib/train/sgd.ts";
import { trainableVariables, trainStep } from "../../lib/train/step.ts";
import { tinyConfig, toySource } from "../helpers/tiny.ts";

await initBackend();
const quiet = () => {};
const K = 5, B = 4, SIZE = 32;

/** A fixed batch: 4 images, classes, y, an ancestor's p (at τ) and Δs. */
function handBatch() {
  const x = tf.randomUniform([B, SIZE, SIZE, 3], -1, 1, "float32", 7) as tf.Tensor4D;
  const cls = [0, 2, 4, 1];
  const y = [0.1, 0.5, 0.9, 0.3];
  const pA = [
    [0.6, 0.2, 0.1, 0.05, 0.05],
    [0.1, 0.2, 0.4, 0.2, 0.1],
    [0, 0, 0.1, 0.3, 0.6],
    [0.25, 0.25, 0.25, 0.25, 0],
  ];
  const delta = [0.05, 0.2, 0, 0.4];
  const targets = (): LossTargets => ({
    classIndex: tf.tensor1d(cls, "int32"),
    y: tf.tensor1d(y),
    pAncestor: tf.tensor2d(pA),
    deltaAncestor: tf.tensor1d(delta),
  });
  return { x, cls, y, pA, delta, targets };
}

/** Eq. 14 / 15 by hand from the network's outputs z (`B × K`) and s (`B`). */
function byHand(
  t: number,
  z: number[][],
  s: number[],
  b: ReturnType<typeof handBatch>,
  c: LossSettings,
) {
  const logSoftmax = (row: number[], tau: number) => {
    const m = Math.max(...row.map((v) => v / tau));
    const lse = m + Math.log(row.reduce((a, v) => a + Math.exp(v / tau - m), 0));
    return row.map((v) => v / tau - lse);
  };
  const mean = (v: number[]) => v.reduce((a, x) => a + x, 0) / v.length;
  const ce = mean(z.map((row, i) => -logSoftmax(row, 1)[b.cls[i]]));
  const l1 = mean(s.map((v, i) => Math.abs(v - b.y[i])));
  const kl = mean(z.map((row, i) => {
    const lq = logSoftmax(row, c.tau);
    return b.pA[i].reduce((a, p, j) => a + (p > 0 ? p * (Math.log(p) - lq[j]) : 0), 0);
  }));
  const slack = mean(s.map((v, i) => Math.max(0, Math.abs(v - b.y[i]) - b.delta[i])));
  const heads = c.heads ?? "both";
  const ldl = t === 1 ? ce : c.alpha * kl + (1 - c.alpha) * ce;
  const reg = t === 1 ? c.lambda1 * l1 : c.lambdaT * slack;
  const total = heads === "ldl" ? ldl : heads === "reg" ? reg : ldl + reg;
  return { total, ce, l1, kl, slack };
}

const SETTINGS: LossSettings = { tau: 2, alpha: 0.3, lambda1: 4, lambdaT: 3, klTauSquared: false };

for (const heads of ["both", "ldl", "reg"] as const) {
  Deno.test(`trainStep computes and descends Eq. 14 (t = 1) and Eq. 15 (t = 2), heads ${heads}`, () => {
    for (const t of [1, 2]) {
      const settings = { ...SETTINGS, heads };
      const model = createCenModel({
        backbone: "resnet10-tiny",
        inputSize: SIZE,
        numAges: K,
        seed: 3,
      });
      const b = handBatch();
      const [zT, sT] = model.apply(b.x, { training: true }) as tf.Tensor[];
      const want = byHand(t, zT.arraySync() as number[][], Array.from(sT.dataSync()), b, settings);
      tf.dispose([zT, sT]);
      const sgd = createSgd(trainableVariables(model));
      const hp = { lr: 0.002, momentum: 0, weightDecay: 0 };
      const got = trainStep(model, sgd, b.x, b.targets(), t, settings, hp);
      assertAlmostEquals(got.total, want.total, 1e-4 * Math.max(1, want.total), `t=${t} total`);
      assertAlmostEquals(got.ce, want.ce, 1e-4, `t=${t} ce`);
      if (t === 1) {
        assertAlmostEquals(got.l1!, want.l1, 1e-4);
        assertEquals([got.kl, got.slack], [undefined, undefined]);
      } else {
        assertAlmostEquals(got.kl!, want.kl, 1e-4);
        assertAlmostEquals(got.slack!, want.slack, 1e-4);
        assertEquals(got.l1, undefined);
      }
      // the step went downhill: the same batch now has a lower loss
      let last = got.total;
      for (let i = 0; i < 3; i++) {
        last = trainStep(model, sgd, b.x, b.targets(), t, settings, hp).total;
      }
      assert(last < got.total, `t=${t}, heads ${heads}: ${got.total} → ${last}`);
      disposeSgd(sgd);
      model.dispose();
      b.x.dispose();
    }
  });
}

Deno.test("the trainer logs the loss of Eq. 14 at t = 1 and Eq. 15 at t = 2, epoch by epoch", async () => {
  const train = toySource("toy-train", 64, SIZE, 1), test = toySource("toy-test", 16, SIZE, 2);
  const c = tinyConfig({ alpha: 0.3, lambda1: 2, lambdaT: 3 });
  const r = await runEvolution(c, { train, test, runsRoot: await Deno.makeTempDir(), log: quiet });
  for (const g of r.metrics.generations) {
    for (const e of g.epochs) {
      const want = g.generation === 1
        ? e.ce + c.lambda1 * e.l1!
        : c.alpha * e.kl! + (1 - c.alpha) * e.ce + c.lambdaT * e.slack!;
      assertAlmostEquals(e.loss, want, 1e-4, `generation ${g.generation} epoch ${e.epoch}`);
    }
  }
});

Deno.test("batch targets: stored ancestor rows by image index; online from the ancestor on this batch", () => {
  const c = tinyConfig({ minAge: 20, maxAge: 24, tau: 2 }); // k = 5
  const ages = Int32Array.from([20, 22, 24]);
  const indices = Int32Array.from([2, 0, 1]);
  const x = tf.randomUniform([3, SIZE, SIZE, 3], -1, 1, "float32", 5) as tf.Tensor4D;
  const store = {
    tau: 2,
    k: 5,
    n: 3,
    p: Float32Array.from({ length: 15 }, (_, i) => i / 100),
    s: Float32Array.from([0.1, 0.6, 0.9]),
  };
  const t1 = batchTargets(c, 1, ages, indices, x, undefined, undefined);
  assertEquals(Array.from(t1.classIndex.dataSync()), [0, 2, 4]);
  assertEquals(Array.from(t1.y.dataSync()), [0, 0.5, 1]);
  assertEquals(t1.pAncestor, undefined);
  const stored = batchTargets(c, 2, ages, indices, x, store, undefined);
  const p = stored.pAncestor!.arraySync();
  assertEquals(p[0].map((v) => Math.round(v * 100)), [10, 11, 12, 13, 14]); // image 2's row
  assertEquals(p[1].map((v) => Math.round(v * 100)), [0, 1, 2, 3, 4]); // image 0's row
  const delta = Array.from(stored.deltaAncestor!.dataSync()); // Eq. 10: |s(index) − y|
  [0.9 - 0, 0.5 - 0.1, 1 - 0.6].forEach((d, i) => assertAlmostEquals(delta[i], d, 1e-6));
  const ancestor = createCenModel({
    backbone: "resnet10-tiny",
    inputSize: SIZE,
    numAges: 5,
    seed: 9,
  });
  const online = batchTargets(c, 2, ages, indices, x, undefined, ancestor);
  const want = predictTensor(ancestor, x, c, 2);
  const got = online.pAncestor!.dataSync();
  want.p.forEach((v, i) => assertAlmostEquals(got[i], v, 1e-6));
  const dOnline = online.deltaAncestor!.dataSync();
  [0, 0.5, 1].forEach((y, i) => assertAlmostEquals(dOnline[i], Math.abs(want.s[i] - y), 1e-6));
  ancestor.dispose();
  tf.dispose([x, ...Object.values(t1), ...Object.values(stored), ...Object.values(online)]);
});

Deno.test("offspringInit: the offspring starts from its ancestor's final weights, or not", async () => {
  const train = toySource("toy-train", 48, SIZE, 1), test = toySource("toy-test", 16, SIZE, 2);
  const root = await Deno.makeTempDir();
  for (const init of ["ancestor", "pretrained"] as const) {
    const c = tinyConfig({ offspringInit: init, generations: 2, optim: { epochs: 1 } });
    await runEvolution(c, { train, test, runsRoot: root, log: quiet });
    const paths = await runPaths(c, root);
    const gen1 = await loadModel(paths.gen(1).model);
    const start = await initialModel(c, 2, paths, root, quiet);
    const same = gen1.getWeights().every((w, i) => {
      const a = w.dataSync(), b = start.getWeights()[i].dataSync();
      return a.every((v, j) => v === b[j]);
    });
    assertEquals(same, init === "ancestor", `offspringInit ${init}`);
    gen1.dispose();
    start.dispose();
  }
});

Deno.test("a NaN loss after a checkpoint keeps that checkpoint, and the run resumes from it", async () => {
  const train = toySource("toy-train", 48, SIZE, 1), test = toySource("toy-test", 16, SIZE, 2);
  const root = await Deno.makeTempDir();
  const c = tinyConfig({ generations: 1, optim: { epochs: 3 } });
  await runEvolution(c, { train, test, runsRoot: root, log: quiet, maxEpochsThisCall: 1 });
  const paths = await runPaths(c, root);
  const pointer = JSON.parse(await Deno.readTextFile(paths.gen(1).checkpoint));
  assertEquals(pointer.epochsDone, 1);
  // A divergence in epoch 2: the optimizer state the checkpoint restores becomes infinite, so the
  // first update sends the weights to infinity (the checkpoint's own bytes are kept aside).
  const velocities = `${paths.gen(1).dir}/${pointer.dir}/optimizer.bin`;
  const good = await Deno.readFile(velocities);
  await Deno.writeFile(
    velocities,
    new Uint8Array(new Float32Array(good.length / 4).fill(Infinity).buffer),
  );
  const err = await assertRejects(
    () => runEvolution(c, { train, test, runsRoot: root, log: quiet }),
    NonFiniteLossError,
    "epoch 2",
  );
  assert(err.message.includes("after epoch 1"), err.message);
  assertEquals(JSON.parse(await Deno.readTextFile(paths.gen(1).checkpoint)), pointer);
  assert(await exists(`${paths.gen(1).dir}/${pointer.dir}/model.json`), "the checkpoint is whole");
  await Deno.writeFile(velocities, good);
  const lines: string[] = [];
  const r = await runEvolution(c, { train, test, runsRoot: root, log: (l) => lines.push(l) });
  assert(lines.some((l) => l.includes("resuming after epoch 1/3")), lines.join("\n"));
  assert(r.complete);
  const straight = await runEvolution(c, {
    train,
    test,
    runsRoot: await Deno.makeTempDir(),
    log: quiet,
  });
  assertEquals(r.metrics.generations[0].metrics, straight.metrics.generations[0].metrics);
});

Deno.test("a non-finite weight after an epoch is an error even when the loss stayed finite", () => {
  const ok = tf.variable(tf.tensor1d([1, 2]));
  const bad = tf.variable(tf.tensor2d([[0.5, NaN]]));
  const where = { t: 2, e: 4, kept: { path: "ckpt", epochsDone: 4 } };
  checkFiniteWeights([ok], where);
  const err = assertThrows(() => checkFiniteWeights([ok, bad], where), NonFiniteLossError);
  assert(err.message.includes(`${bad.name}[1] = NaN`), err.message);
  assert(err.message.includes("generation 2, epoch 5"), err.message);
  assert(err.message.includes("after epoch 4"), err.message);
  tf.dispose([ok, bad]);
});
