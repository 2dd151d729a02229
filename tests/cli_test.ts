import { assertEquals, assertThrows } from "@std/assert";
import { flagsToConfig, parseFlags } from "../lib/cli.ts";
import { ConfigError } from "../lib/errors.ts";
import { mergePartial, profile, PROFILE_NAMES, profileConfig } from "../lib/profiles.ts";

Deno.test("flags become a partial config with typed values", () => {
  const { flags, rest } = parseFlags([
    "06-ablations",
    "--tau",
    "3",
    "--optim.epochs=2",
    "--data.augment",
    "false",
    "--x",
  ]);
  assertEquals(rest, ["06-ablations"]);
  assertEquals(flags, { tau: 3, "optim.epochs": 2, "data.augment": false, x: true });
  assertEquals(flagsToConfig({ tau: 3, "optim.epochs": 2 }), { tau: 3, optim: { epochs: 2 } });
});

Deno.test("profiles exist, merge overrides key by key, and reject unknown names", () => {
  assertEquals(PROFILE_NAMES.sort(), [
    "default",
    "paper",
    "real",
    "real-80",
    "real-96",
    "real-long",
    "smoke",
    "tiny",
  ]);
  const c = profileConfig("tiny", { tau: 3, optim: { epochs: 1 } });
  assertEquals([c.tau, c.optim.epochs, c.optim.batchSize], [3, 1, 32]);
  assertEquals(profileConfig("paper").optim.epochs, 160);
  assertThrows(() => profile("huge"), ConfigError, "unknown profile");
  assertThrows(() => profileConfig("tiny", { tau: -1 }), ConfigError, "config.tau");
  const merged = mergePartial({ data: { params: { a: 1 } } }, { data: { params: { b: 2 } } });
  assertEquals(merged.data?.params, { a: 1, b: 2 });
});
