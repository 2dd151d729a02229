/**
 * Run records (lib/train/record.ts): a finished run's small outputs let another machine, with no
 * run folders, rebuild its numbers without training, and resume a study where it stopped.
 */
import { assert, assertEquals } from "@std/assert";
import { join } from "node:path";
import { initBackend } from "../../lib/backend/mod.ts";
import type { CenConfig } from "../../lib/config.ts";
import type { SampleSource } from "../../lib/data/types.ts";
import { exists } from "../../lib/fsutil.ts";
import { type EvolutionOptions, runEvolution } from "../../lib/train/evolve.ts";
import { readRecord } from "../../lib/train/record.ts";
import { runConfig, runProfile, servePretraining } from "../../lib/experiment.ts";
import { tinyConfig, toySource } from "../helpers/tiny.ts";

await initBackend();
const train = toySource("toy-train", 48, 32, 1), test = toySource("toy-test", 16, 32, 2);

/** Runs `config` on a machine whose runs folder is `runsRoot` (a fresh one by default). */
async function on(
  records: string,
  config: CenConfig,
  opts: Partial<EvolutionOptions> & { train?: SampleSource } = {},
) {
  return await runEvolution(config, {
    train,
    test,
    runsRoot: opts.runsRoot ?? await Deno.makeTempDir(),
    recordsRoot: records,
    log: () => {},
    ...opts,
  });
}

Deno.test("a complete record serves the run on a machine without its folder; other inputs train", async () => {
  const records = await Deno.makeTempDir();
  const c = tinyConfig({ optim: { epochs: 1 } });
  const before = new Date().toISOString();
  const first = await on(records, c);
  const after = new Date().toISOString();
  const rec = await readRecord(records, first.id);
  assertEquals(rec?.generations, first.metrics.generations);
  for (const g of rec!.generations) {
    assert(
      g.finishedAt! >= before && g.finishedAt! <= after,
      `generation ${g.generation} finished at ${g.finishedAt}`,
    );
  }
  assertEquals(rec?.config, c);
  // another machine: no run folders, the committed records
  const fresh = await Deno.makeTempDir();
  const again = await on(records, c, { runsRoot: fresh });
  assertEquals(again.fates, ["recorded", "recorded"]);
  assertEquals(again.metrics.generations, first.metrics.generations);
  assert(!(await exists(join(fresh, first.id, "gen-1"))), "nothing was trained");
  // other images: the record does not serve them
  const other = await on(records, c, { runsRoot: fresh, train: toySource("toy-train", 48, 32, 7) });
  assertEquals(other.fates, ["trained", "trained"]);
  // the record now holds the other images' run; the first images' run trains and records again
  assertEquals((await on(records, c)).fates, ["trained", "trained"]);
  // weights needed: trained although the record could serve it; the record stays as committed
  const committed = await Deno.readTextFile(join(records, `${first.id}.json`));
  const lines: string[] = [];
  const retrained = await on(records, c, { needWeights: true, log: (l) => lines.push(l) });
  assertEquals(retrained.fates, ["trained", "trained"]);
  assertEquals(await Deno.readTextFile(join(records, `${first.id}.json`)), committed);
  assert(lines.some((l) => l.includes("which stays as it is")), lines.join("\n"));
});

Deno.test("an incomplete record is not served; a target's pretraining known only by its record", async () => {
  const records = await Deno.makeTempDir();
  const c = tinyConfig({ generations: 1, optim: { epochs: 1 } });
  const pre = await on(records, c);
  // a config asking for more generations is another run: trained, not served
  assertEquals((await on(records, tinyConfig({ optim: { epochs: 1 } }))).fates, [
    "trained",
    "trained",
  ]);
  // a target that starts from the pretraining, recorded on machine A
  const machineA = await Deno.makeTempDir();
  assertEquals((await on(records, c, { runsRoot: machineA, needWeights: true })).fates, [
    "trained",
  ]);
  const target = tinyConfig({ pretrained: pre.id, generations: 1, optim: { epochs: 1 }, seed: 3 });
  const t1 = await on(records, target, { runsRoot: machineA });
  assertEquals(t1.fates, ["trained"]);
  // machine B has neither run folder: the target is served by its record, its pretraining's
  // identity coming from the pretraining's record
  const t2 = await on(records, target);
  assertEquals(t2.fates, ["recorded"]);
  assertEquals(t2.metrics.generations, t1.metrics.generations);
});

Deno.test("a recorded pretraining is served to a notebook, and trained again when a target needs its weights here", async () => {
  const records = await Deno.makeTempDir(), cacheRoot = await Deno.makeTempDir();
  const small = (dataset: string, over: Partial<CenConfig> = {}) =>
    tinyConfig({
      generations: 1,
      optim: { epochs: 1 },
      minAge: 0,
      maxAge: 100,
      data: { dataset, params: { count: 60 }, augment: false },
      ...over,
    });
  const pre = small("synthetic-pretrain");
  const machineA = {
    runsRoot: await Deno.makeTempDir(),
    recordsRoot: records,
    cacheRoot,
    log: () => {},
  };
  const p = await runConfig(pre, machineA);
  // machine B: only the records; a target that starts from the pretraining and was never trained
  const lines: string[] = [];
  const machineB = {
    ...machineA,
    runsRoot: await Deno.makeTempDir(),
    log: (l: string) => lines.push(l),
  };
  // a notebook's pretraining is served by its record: no weights trained for it yet
  assertEquals((await servePretraining(pre, machineB)).fates, ["recorded"]);
  assert(!(await exists(join(machineB.runsRoot, p.id, "gen-1", "model", "weights.bin"))));
  const target = small("synthetic-target", { pretrained: p.id, minAge: 16, maxAge: 77, seed: 4 });
  const t = await runConfig(target, machineB);
  assertEquals(t.fates, ["trained"]);
  assert(
    lines.some((l) => l.includes(`pretrained run ${p.id} has no weights here`)),
    lines.join("\n"),
  );
  assert(await exists(join(machineB.runsRoot, p.id, "gen-1", "model", "weights.bin")));
});

Deno.test("runProfile trains no pretraining when the target's record serves it", async () => {
  const records = await Deno.makeTempDir(), cacheRoot = await Deno.makeTempDir();
  const overrides = { generations: 1 };
  const a = { runsRoot: await Deno.makeTempDir(), recordsRoot: records, cacheRoot, log: () => {} };
  const first = await runProfile("smoke", overrides, a);
  assertEquals(first.pretrain?.fates, ["trained"]);
  assertEquals(first.target.fates, ["trained"]);
  // a fresh clone: only the records
  const b = { ...a, runsRoot: await Deno.makeTempDir() };
  const again = await runProfile("smoke", overrides, b);
  assertEquals(again.pretrain?.fates, ["recorded"]);
  assertEquals(again.target.fates, ["recorded"]);
  assertEquals(again.target.metrics.generations, first.target.metrics.generations);
  assertEquals(
    [...Deno.readDirSync(b.runsRoot)].filter((e) => e.isDirectory && !e.name.startsWith("_"))
      .length,
    0,
  );
});
