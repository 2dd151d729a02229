/**
 * What a finished run is reused for, input by input: every config field, the data and the
 * pretrained weights. A base run trains two generations; each case then asks for a run that differs
 * in one input and checks which generations are reused and which are trained again.
 */
import { assert, assertEquals } from "@std/assert";
import { join } from "node:path";
import { bf16Unavailable, initBackend } from "../../lib/backend/mod.ts";
import { DEFAULT_CONFIG, type PartialConfig } from "../../lib/config.ts";
import type { SampleSource } from "../../lib/data/types.ts";
import { exists } from "../../lib/fsutil.ts";
import { runEvolution } from "../../lib/train/evolve.ts";
import { noBf16, skipCheck } from "../helpers/skip.ts";
import { tinyConfig, toySource } from "../helpers/tiny.ts";

await initBackend();
/** Why this machine cannot train in bfloat16 (its case is then left out), or undefined. */
const noBf16Here = bf16Unavailable();
const train = toySource("toy-train", 48, 32, 1);
const test = toySource("toy-test", 16, 32, 2);

/** The same images as `source` with another fingerprint, as a folder with other files gives. */
function otherFiles(source: SampleSource, fingerprint: string): SampleSource {
  return { ...source, fingerprint, batches: (o) => source.batches(o) };
}

type Fate = "reused" | "trained";

/** Runs `over` in `root` and says, per generation, whether it was reused or trained. */
async function fates(
  root: string,
  over: PartialConfig,
  data: { train?: SampleSource; test?: SampleSource } = {},
): Promise<Fate[]> {
  const lines: string[] = [];
  const config = tinyConfig({ optim: { epochs: 1 }, ...over });
  await runEvolution(config, {
    train: data.train ?? train,
    test: data.test ?? test,
    runsRoot: root,
    log: (l) => lines.push(l),
  });
  return Array.from(
    { length: config.generations },
    (_, i) => lines.some((l) => l.startsWith(`gen ${i + 1}/`)) ? "trained" : "reused",
  );
}

/** Config fields with another valid value; the fate of generations 1 and 2 when it changes. */
const CASES: [string, PartialConfig, Fate[]][] = [
  ["seed", { seed: 1 }, ["trained", "trained"]],
  ["backbone", { backbone: "resnet18-tiny" }, ["trained", "trained"]],
  ["minAge", { minAge: 10 }, ["trained", "trained"]],
  ["maxAge", { maxAge: 80 }, ["trained", "trained"]],
  ["lambda1", { lambda1: 2 }, ["trained", "trained"]],
  ["heads", { heads: "ldl" }, ["trained", "trained"]],
  ["labelSigma", { labelSigma: 2 }, ["trained", "trained"]],
  ["optim.lr", { optim: { lr: 0.02, epochs: 1 } }, ["trained", "trained"]],
  ["optim.momentum", { optim: { momentum: 0.5, epochs: 1 } }, ["trained", "trained"]],
  ["optim.weightDecay", { optim: { weightDecay: 0, epochs: 1 } }, ["trained", "trained"]],
  ["optim.lrStepEpochs", { optim: { lrStepEpochs: 1, epochs: 1 } }, ["trained", "trained"]],
  ["optim.lrGamma", { optim: { lrGamma: 0.5, epochs: 1 } }, ["trained", "trained"]],
  ["optim.epochs", { optim: { epochs: 2 } }, ["trained", "trained"]],
  ["optim.batchSize", { optim: { batchSize: 8, epochs: 1 } }, ["trained", "trained"]],
  ["data.dataset", { data: { dataset: "toy2", params: {}, augment: true } }, [
    "trained",
    "trained",
  ]],
  ["data.params", { data: { dataset: "toy", params: { v: 2 }, augment: true } }, [
    "trained",
    "trained",
  ]],
  ["data.augment", { data: { dataset: "toy", params: {}, augment: false } }, [
    "trained",
    "trained",
  ]],
  ["tau", { tau: 3 }, ["reused", "trained"]],
  ["alpha", { alpha: 0.25 }, ["reused", "trained"]],
  ["lambdaT", { lambdaT: 1 }, ["reused", "trained"]],
  ["klTauSquared", { klTauSquared: true }, ["reused", "trained"]],
  ["ancestorOutputs", { ancestorOutputs: "online" }, ["reused", "trained"]],
  ["offspringInit", { offspringInit: "ancestor" }, ["reused", "trained"]],
  ["offspringRegression", { offspringRegression: "l1" }, ["reused", "trained"]],
  ["generations", { generations: 3 }, ["reused", "reused", "trained"]],
  ...(noBf16Here ? [] : [["precision", { precision: "bf16" }, ["trained", "trained"]] as [
    string,
    PartialConfig,
    Fate[],
  ]]),
];

Deno.test("reuse by config field: each field either reuses or retrains each generation", async (t) => {
  const covered = new Set([...CASES.map(([f]) => f.split(".")[0]), "inputSize"]);
  if (!skipCheck(noBf16Here === undefined, noBf16(noBf16Here ?? ""))) covered.add("precision");
  for (const field of Object.keys(DEFAULT_CONFIG)) {
    if (field === "pretrained") continue; // its own test below
    assert(covered.has(field), `no reuse case for config field "${field}"`);
  }
  for (const key of Object.keys(DEFAULT_CONFIG.optim)) {
    assert(CASES.some(([f]) => f === `optim.${key}`), `no reuse case for optim.${key}`);
  }
  const root = await Deno.makeTempDir();
  assertEquals(await fates(root, {}), ["trained", "trained"]);
  assertEquals(await fates(root, {}), ["reused", "reused"], "the same run again");
  for (const [field, over, want] of CASES) {
    await t.step(field, async () => {
      assertEquals(await fates(root, over), want);
    });
  }
  await t.step("inputSize", async () => {
    const at48 = {
      train: toySource("toy-train", 48, 48, 1),
      test: toySource("toy-test", 16, 48, 2),
    };
    assertEquals(await fates(root, { inputSize: 48 }, at48), ["trained", "trained"]);
  });
});

Deno.test("reuse by data: other images (another data folder) retrain every generation", async () => {
  const root = await Deno.makeTempDir();
  const a = { train: otherFiles(train, "folder-a"), test: otherFiles(test, "test-a") };
  assertEquals(await fates(root, {}, a), ["trained", "trained"]);
  assertEquals(await fates(root, {}, a), ["reused", "reused"]);
  // the same config on another folder's images: the run is moved aside, not reused
  const b = { train: otherFiles(train, "folder-b"), test: a.test };
  assertEquals(await fates(root, {}, b), ["trained", "trained"]);
  assert(await exists(join(root, "_stale")), "the earlier run is kept under _stale/");
  // another test set, and a τ-only variant on other data: nothing shared across data
  assertEquals(await fates(root, {}, { ...b, test: otherFiles(test, "test-b") }), [
    "trained",
    "trained",
  ]);
  assertEquals(await fates(root, { tau: 3 }, a), ["trained", "trained"]);
  // in-memory sources without a fingerprint are told apart by their name and ages
  const plain = await Deno.makeTempDir();
  assertEquals(await fates(plain, {}), ["trained", "trained"]);
  assertEquals(await fates(plain, {}, { train: toySource("toy-train", 48, 32, 5) }), [
    "trained",
    "trained",
  ]);
});

Deno.test("reuse by pretrained weights: a pretraining run trained again retrains its targets", async () => {
  const root = await Deno.makeTempDir();
  const pre = tinyConfig({
    generations: 1,
    optim: { epochs: 1 },
    data: { dataset: "pre", params: {}, augment: true },
  });
  const preRun = await runEvolution(pre, { train, test, runsRoot: root, log: () => {} });
  assertEquals(await fates(root, { pretrained: preRun.id }), ["trained", "trained"]);
  assertEquals(await fates(root, { pretrained: preRun.id }), ["reused", "reused"]);
  // the pretraining run is redone on other images: same id, other weights
  await runEvolution(pre, {
    train: toySource("toy-train", 48, 32, 9),
    test,
    runsRoot: root,
    log: () => {},
  });
  assertEquals(await fates(root, { pretrained: preRun.id }), ["trained", "trained"]);
});
