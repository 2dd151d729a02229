/**
 * Run records (lib/train/record.ts): a finished run's small outputs let another machine, with no
 * run folders, rebuild its numbers without training, and resume a study where it stopped.
 */
import { assert, assertEquals } from "@std/assert";
import { join } from "node:path";
import { initBackend } from "../../lib/backend.ts";
import { exists } from "../../lib/fsutil.ts";
import { runEvolution } from "../../lib/train/evolve.ts";
import { readRecord } from "../../lib/train/record.ts";
import { tinyConfig, toySource } from "../helpers/tiny.ts";

await initBackend();
const quiet = () => {};
const train = toySource("toy-train", 48, 32, 1), test = toySource("toy-test", 16, 32, 2);

Deno.test("a complete record serves the run on a machine without its folder; other inputs train", async () => {
  const records = await Deno.makeTempDir();
  const c = tinyConfig({ optim: { epochs: 1 } });
  const first = await runEvolution(c, {
    train,
    test,
    runsRoot: await Deno.makeTempDir(),
    recordsRoot: records,
    log: quiet,
  });
  const rec = await readRecord(records, first.id);
  assertEquals(
    rec?.generations.map((g) => g.metrics),
    first.metrics.generations.map((g) => g.metrics),
  );
  assertEquals(rec?.config, c);
  // another machine: no run folders, the committed records
  const fresh = await Deno.makeTempDir();
  const again = await runEvolution(c, {
    train,
    test,
    runsRoot: fresh,
    recordsRoot: records,
    log: quiet,
  });
  assertEquals(again.fates, ["recorded", "recorded"]);
  assertEquals(again.metrics.generations, first.metrics.generations);
  assert(!(await exists(join(fresh, first.id, "gen-1"))), "nothing was trained");
  // other images: the record does not serve them
  const other = toySource("toy-train", 48, 32, 7);
  const retrained = await runEvolution(c, {
    train: other,
    test,
    runsRoot: fresh,
    recordsRoot: records,
    log: quiet,
  });
  assertEquals(retrained.fates, ["trained", "trained"]);
  // weights needed: trained although the record could serve it
  const weights = await runEvolution(c, {
    train,
    test,
    runsRoot: await Deno.makeTempDir(),
    recordsRoot: records,
    needWeights: true,
    log: quiet,
  });
  assertEquals(weights.fates, ["trained", "trained"]);
});

Deno.test("an incomplete record is not served; a target's pretraining known only by its record", async () => {
  const records = await Deno.makeTempDir();
  const c = tinyConfig({ generations: 1, optim: { epochs: 1 } });
  const pre = await runEvolution(c, {
    train,
    test,
    runsRoot: await Deno.makeTempDir(),
    recordsRoot: records,
    log: quiet,
  });
  // a config asking for more generations is another run: trained, not served
  const longer = tinyConfig({ generations: 2, optim: { epochs: 1 } });
  const l = await runEvolution(longer, {
    train,
    test,
    runsRoot: await Deno.makeTempDir(),
    recordsRoot: records,
    log: quiet,
  });
  assertEquals(l.fates, ["trained", "trained"]);
  // a target that starts from the pretraining, recorded on machine A
  const machineA = await Deno.makeTempDir();
  const needed = { runsRoot: machineA, recordsRoot: records, needWeights: true, log: quiet };
  assertEquals((await runEvolution(c, { train, test, ...needed })).fates, ["trained"]);
  const target = tinyConfig({ pretrained: pre.id, generations: 1, optim: { epochs: 1 }, seed: 3 });
  const t1 = await runEvolution(target, {
    train,
    test,
    runsRoot: machineA,
    recordsRoot: records,
    log: quiet,
  });
  assertEquals(t1.fates, ["trained"]);
  // machine B has neither run folder: the target is served by its record, its pretraining's
  // identity coming from the pretraining's record
  const t2 = await runEvolution(target, {
    train,
    test,
    runsRoot: await Deno.makeTempDir(),
    recordsRoot: records,
    log: quiet,
  });
  assertEquals(t2.fates, ["recorded"]);
  assertEquals(t2.metrics.generations, t1.metrics.generations);
});
