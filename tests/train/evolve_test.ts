import { assert, assertEquals, assertRejects } from "@std/assert";
import { join } from "node:path";
import { initBackend } from "../../lib/backend/mod.ts";
import { DataError, NonFiniteLossError } from "../../lib/errors.ts";
import { exists } from "../../lib/fsutil.ts";
import { type AncestorStore, loadAncestorStore } from "../../lib/train/ancestor.ts";
import {
  type EvolutionResult,
  evolve,
  runEvolution,
  type RunStore,
} from "../../lib/train/evolve.ts";
import type { GenerationResult, RunMetrics } from "../../lib/train/run.ts";
import { tinyConfig, toySource } from "../helpers/tiny.ts";

await initBackend();
const quiet = () => {};
const train = toySource("toy-train", 96, 32, 1);
const test = toySource("toy-test", 32, 32, 2);
const metricsOf = (m: RunMetrics) =>
  m.generations.map((g) => [g.metrics, g.epochs.map((e) => e.loss)]);

Deno.test("generations 1→2: losses of Eq. 14 then Eq. 15, the ancestor store, run files", async () => {
  const root = await Deno.makeTempDir();
  const config = tinyConfig({ generations: 3 });
  const r = await runEvolution(config, { train, test, runsRoot: root, log: quiet });
  assert(r.complete);
  assertEquals(r.metrics.generations.map((g) => g.generation), [1, 2, 3]);
  const [g1, g2] = r.metrics.generations;
  assert(g1.epochs[0].l1 !== undefined && g1.epochs[0].kl === undefined, "t = 1 uses CE + L1");
  assert(
    g2.epochs[0].kl !== undefined && g2.epochs[0].slack !== undefined,
    "t = 2 uses KL + slack",
  );
  const log = await Deno.readTextFile(join(r.dir, "train.log"));
  assert(log.includes("gen 3/3 epoch 2/2"), "progress lines are kept in train.log");
  for (const f of ["config.json", "metrics.json", "gen-1/model/model.json", "gen-3/result.json"]) {
    assert(await exists(join(r.dir, f)), f);
  }
  // the store holds p^{t−1} at τ (rows sum to 1) and s^{t−1} for every training image
  const store = await loadAncestorStore(join(r.dir, "gen-1"));
  assertEquals([store.n, store.k, store.tau], [96, 62, 2]);
  const row = store.p.subarray(5 * 62, 6 * 62).reduce((a, b) => a + b, 0);
  assert(Math.abs(row - 1) < 1e-4, `row sums to ${row}`);
  // the browser format: a layers-model manifest that names its weight file
  const json = JSON.parse(await Deno.readTextFile(join(r.dir, "gen-3/model/model.json")));
  assertEquals(json.format, "layers-model");
  assertEquals(json.weightsManifest[0].paths, ["weights.bin"]);
  // a finished run is reused, not retrained
  const lines: string[] = [];
  await runEvolution(config, { train, test, runsRoot: root, log: (l) => lines.push(l) });
  assert(lines.some((l) => l.includes("generation 3: done earlier")));
  assert(!lines.some((l) => l.includes("epoch")));
});

Deno.test("determinism: the same config and seed give the same metrics twice", async () => {
  const config = tinyConfig({ seed: 7 });
  const a = await runEvolution(config, {
    train,
    test,
    runsRoot: await Deno.makeTempDir(),
    log: quiet,
  });
  const b = await runEvolution(config, {
    train,
    test,
    runsRoot: await Deno.makeTempDir(),
    log: quiet,
  });
  assertEquals(metricsOf(b.metrics), metricsOf(a.metrics));
  const c = await runEvolution(tinyConfig({ seed: 8 }), {
    train,
    test,
    runsRoot: await Deno.makeTempDir(),
    log: quiet,
  });
  assert(JSON.stringify(metricsOf(c.metrics)) !== JSON.stringify(metricsOf(a.metrics)));
});

Deno.test("resume: a run stopped after some epochs ends like an uninterrupted one", async () => {
  const config = tinyConfig({ optim: { epochs: 3 } });
  const whole = await runEvolution(config, {
    train,
    test,
    runsRoot: await Deno.makeTempDir(),
    log: quiet,
  });
  const root = await Deno.makeTempDir();
  const part = await runEvolution(config, {
    train,
    test,
    runsRoot: root,
    log: quiet,
    maxEpochsThisCall: 4,
  });
  assertEquals(part.complete, false);
  const lines: string[] = [];
  const rest = await runEvolution(config, {
    train,
    test,
    runsRoot: root,
    log: (l) => lines.push(l),
  });
  assert(lines.some((l) => l.includes("generation 2: resuming after epoch 1/3")), lines.join("\n"));
  assertEquals(metricsOf(rest.metrics), metricsOf(whole.metrics));
});

Deno.test("a NaN loss at the first step stops the run with a clear message; config.json is kept whole", async () => {
  const root = await Deno.makeTempDir();
  const config = tinyConfig({ generations: 1, optim: { epochs: 3, lr: 1e30 } });
  const err = await assertRejects(
    () => runEvolution(config, { train, test, runsRoot: root, log: quiet }),
    NonFiniteLossError,
    "non-finite loss",
  );
  assert(err.message.includes("last good checkpoint"));
  // nothing written before is lost: config.json is whole; any checkpoint left is whole JSON
  const dirs = [...Deno.readDirSync(root)];
  const dir = join(root, dirs[0].name);
  JSON.parse(await Deno.readTextFile(join(dir, "config.json")));
  if (await exists(join(dir, "gen-1/checkpoint.json"))) {
    const at = JSON.parse(await Deno.readTextFile(join(dir, "gen-1/checkpoint.json")));
    const state = JSON.parse(await Deno.readTextFile(join(dir, "gen-1", at.dir, "state.json")));
    assert(state.epochs.every((e: { loss: number }) => Number.isFinite(e.loss)));
  }
});

Deno.test("bad data: ages outside the config's range, wrong image size, empty set", async () => {
  const root = await Deno.makeTempDir();
  await assertRejects(
    () => runEvolution(tinyConfig({ minAge: 30 }), { train, test, runsRoot: root, log: quiet }),
    DataError,
    "outside config's 30–77",
  );
  await assertRejects(
    () => runEvolution(tinyConfig({ inputSize: 64 }), { train, test, runsRoot: root, log: quiet }),
    DataError,
    "config.inputSize is 64",
  );
  await assertRejects(
    async () =>
      await runEvolution(tinyConfig(), { train: toySource("e", 0, 32, 1), test, runsRoot: root }),
    DataError,
    "empty",
  );
});

Deno.test("online ancestor outputs and ancestor-initialised offspring run ([choice] options, docs/method.md)", async () => {
  const r = await runEvolution(
    tinyConfig({ ancestorOutputs: "online", offspringInit: "ancestor", optim: { epochs: 1 } }),
    { train, test, runsRoot: await Deno.makeTempDir(), log: quiet },
  );
  assert(r.complete);
  assert(Number.isFinite(r.metrics.generations[1].metrics.mae));
  assert(!(await exists(join(r.dir, "gen-1/ancestor.json"))), "online mode stores nothing");
});

Deno.test("runs that differ only in τ share generation 1, each recording its ancestor store at its own τ (stale-τ bug)", async () => {
  const root = await Deno.makeTempDir();
  const a = await runEvolution(tinyConfig({ tau: 2 }), { train, test, runsRoot: root, log: quiet });
  const lines: string[] = [];
  const b = await runEvolution(tinyConfig({ tau: 3 }), {
    train,
    test,
    runsRoot: root,
    log: (l) => lines.push(l),
  });
  assert(a.id !== b.id);
  assertEquals(b.fates, ["copied", "trained"], lines.join("\n"));
  assert(lines.some((l) => l.startsWith("generation 1: same as")), lines.join("\n"));
  assertEquals(b.metrics.generations[0].metrics, a.metrics.generations[0].metrics);
  // generation 2 trains against the ancestor's p at its own τ, not the first run's
  assert(lines.some((l) => l.includes("recording the ancestor's p (τ = 3)")), lines.join("\n"));
  assertEquals((await loadAncestorStore(join(b.dir, "gen-1"))).tau, 3);
  assert(b.metrics.generations[1].metrics.mae !== a.metrics.generations[1].metrics.mae);
  // the same numbers as a τ = 3 run that reused nothing
  const alone = await runEvolution(tinyConfig({ tau: 3 }), {
    train,
    test,
    runsRoot: await Deno.makeTempDir(),
    log: quiet,
  });
  assertEquals(metricsOf(b.metrics), metricsOf(alone.metrics));
});

Deno.test("a damaged ancestor store is recorded again and the offspring trains", async () => {
  const runsRoot = await Deno.makeTempDir();
  const c = tinyConfig({ generations: 2, optim: { epochs: 1 } });
  const opts = { train, test, runsRoot, recordsRoot: null, log: () => {} };
  const first = await runEvolution(c, opts);
  const bin = join(first.dir, "gen-1", "ancestor.bin");
  const whole = await Deno.readFile(bin);
  await Deno.writeFile(bin, whole.subarray(0, 10)); // cut short
  await Deno.remove(join(first.dir, "gen-2"), { recursive: true });
  const lines: string[] = [];
  const again = await runEvolution(c, { ...opts, log: (l) => lines.push(l) });
  assertEquals(again.fates, ["done", "trained"]);
  assert(
    lines.some((l) => l.includes("ancestor store is damaged") && l.includes("ancestor.bin")),
    lines.join("\n"),
  );
  assertEquals((await Deno.readFile(bin)).length, whole.length);
});

Deno.test("evolve is the paper's loop: each generation from the store, kept, then the next one's ancestor", async () => {
  const calls: string[] = [];
  const fakeAncestor = (t: number) => ({ tau: t }) as unknown as AncestorStore;
  const store = (stopAt = Infinity): RunStore => ({
    generation: (t, ancestor) => {
      calls.push(
        `generation ${t} from ${
          ancestor ? (ancestor as unknown as { tau: number }).tau : "labels"
        }`,
      );
      return Promise.resolve(t >= stopAt ? undefined : ({ generation: t } as GenerationResult));
    },
    keep: (g) => Promise.resolve(void calls.push(`keep ${g.generation}`)),
    ancestor: (t) => Promise.resolve((calls.push(`ancestor ${t}`), fakeAncestor(t))),
    result: (complete) =>
      Promise.resolve((calls.push(`result ${complete}`), { complete } as EvolutionResult)),
    [Symbol.asyncDispose]: () => Promise.resolve(),
  });
  const c = tinyConfig({ generations: 3 });
  assertEquals((await evolve(c, store())).complete, true);
  assertEquals(calls, [
    "generation 1 from labels",
    "keep 1",
    "ancestor 1",
    "generation 2 from 1",
    "keep 2",
    "ancestor 2",
    "generation 3 from 2",
    "keep 3",
    "result true",
  ]);
  calls.length = 0;
  assertEquals((await evolve(c, store(2))).complete, false); // out of epochs in generation 2
  assertEquals(calls, [
    "generation 1 from labels",
    "keep 1",
    "ancestor 1",
    "generation 2 from 1",
    "result false",
  ]);
  calls.length = 0;
  await evolve(tinyConfig({ generations: 2, ancestorOutputs: "online" }), store());
  assertEquals(calls, [
    "generation 1 from labels",
    "keep 1",
    "generation 2 from labels",
    "keep 2",
    "result true",
  ]);
});
