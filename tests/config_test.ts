import { assertEquals, assertNotEquals, assertThrows } from "@std/assert";
import { join } from "node:path";
import { type CenConfig, configHash, DEFAULT_CONFIG, makeConfig, numAges } from "../lib/config.ts";
import { ConfigError } from "../lib/errors.ts";
import { generationKey } from "../lib/train/run.ts";

Deno.test("defaults follow docs/method.md (Training)", () => {
  const c = makeConfig();
  assertEquals([c.tau, c.alpha, c.lambda1, c.lambdaT, c.generations], [2, 0.5, 4, 4, 4]);
  assertEquals([c.optim.lr, c.optim.momentum, c.optim.weightDecay], [0.001, 0.9, 1e-4]);
  assertEquals([c.optim.lrStepEpochs, c.optim.lrGamma, c.optim.epochs], [40, 0.1, 160]);
  assertEquals(numAges(c), 62); // Morph: 16–77
});

Deno.test("invalid values are rejected with a message naming the field", () => {
  const bad: [Parameters<typeof makeConfig>[0], string][] = [
    [{ tau: 0 }, "config.tau"],
    [{ tau: -1 }, "config.tau"],
    [{ alpha: 1.5 }, "config.alpha"],
    [{ alpha: -0.1 }, "config.alpha"],
    [{ backbone: "resnet50" as never }, "config.backbone"],
    [{ minAge: 40, maxAge: 40 }, "config.maxAge"],
    [{ minAge: 50, maxAge: 20 }, "empty age range"],
    [{ optim: { batchSize: 0 } }, "config.optim.batchSize"],
    [{ optim: { batchSize: -4 } }, "config.optim.batchSize"],
    [{ inputSize: 100 }, "config.inputSize"],
    [{ generations: 0 }, "config.generations"],
    [{ tau: NaN }, "config.tau"],
    [{ ancestorOutputs: "later" as never }, "config.ancestorOutputs"],
    [{ offspringRegression: "l2" as never }, "config.offspringRegression"],
    [{ precision: "fp16" as never }, "config.precision"],
    [{ colour: "red" } as never, "config.colour"],
  ];
  for (const [partial, text] of bad) {
    assertThrows(() => makeConfig(partial), ConfigError, text, JSON.stringify(partial));
  }
});

Deno.test("the run id is a hash of the config: stable, key-order free, sensitive to values", async () => {
  const a = await configHash(makeConfig({ tau: 3 }));
  const b = await configHash(makeConfig({ tau: 3 }));
  const reordered = JSON.parse(JSON.stringify(makeConfig({ tau: 3 })));
  const swapped = Object.fromEntries(Object.entries(reordered).reverse());
  assertEquals(a, b);
  assertEquals(a, await configHash(swapped as typeof DEFAULT_CONFIG));
  assertNotEquals(a, await configHash(makeConfig({ tau: 2 })));
  assertEquals(a.length, 12);
});

Deno.test("a field added later hashes only off its default: earlier run ids stay valid", async () => {
  const c = makeConfig({ tau: 3 });
  const { offspringRegression: _, ...before } = c; // a config written before the field existed
  assertEquals(c.offspringRegression, "slack");
  assertEquals(await configHash(c), await configHash(before as CenConfig));
  assertNotEquals(
    await configHash(c),
    await configHash(makeConfig({ tau: 3, offspringRegression: "l1" })),
  );
});

Deno.test("precision hashes only off its default: f32 runs keep their ids, bf16 is a new run", async () => {
  const c = makeConfig({ tau: 3 });
  const { precision: _, ...before } = c; // a config written before the field existed
  assertEquals(c.precision, "f32");
  assertEquals(await configHash(c), await configHash(before as CenConfig));
  const bf16 = makeConfig({ tau: 3, precision: "bf16" });
  assertNotEquals(await configHash(c), await configHash(bf16));
  // Generations too: a bf16 generation 1 is never reused for an f32 run, nor the reverse.
  assertEquals(await generationKey(c, 1), await generationKey(before as CenConfig, 1));
  assertNotEquals(await generationKey(c, 1), await generationKey(bf16, 1));
  assertNotEquals(await generationKey(c, 2), await generationKey(bf16, 2));
});

Deno.test("every committed record is named by the hash of its config, read with today's defaults", async () => {
  const dir = join(import.meta.dirname!, "..", "records", "runs");
  let n = 0;
  for await (const e of Deno.readDir(dir)) {
    if (!e.name.endsWith(".json")) continue;
    const record = JSON.parse(await Deno.readTextFile(join(dir, e.name)));
    const config = makeConfig(record.config as Parameters<typeof makeConfig>[0]);
    assertEquals(await configHash(config), record.id, e.name);
    n++;
  }
  assertNotEquals(n, 0);
});
