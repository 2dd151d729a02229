import { assertEquals, assertStringIncludes, assertThrows } from "@std/assert";
import {
  type CommandSpec,
  flagsToConfig,
  HelpRequested,
  parseArgs,
  reportError,
} from "../lib/cli.ts";
import { ConfigError, DataError, UsageError } from "../lib/errors.ts";
import { mergePartial, profile, PROFILE_NAMES, profileConfig } from "../lib/profiles.ts";

const SPEC = {
  name: "demo",
  usage: "deno task demo <file> [options]",
  summary: "A command for the parser's test.",
  options: {
    run: { type: "string", value: "<id>", help: "a run" },
    align: { type: "string", choices: ["auto", "none"], help: "alignment" },
    workers: { type: "integer", help: "processes" },
    timeout: { type: "number", help: "seconds" },
    quiet: { type: "boolean", help: "less output" },
    param: { type: "string", repeat: true, help: "name=value" },
    secret: { type: "string", hidden: true, help: "internal" },
  },
  positionals: [1, 2],
} as const satisfies CommandSpec;

const CONFIG_SPEC = {
  name: "train",
  usage: "deno task train [--profile <name>] [--<field> value ...]",
  summary: "Trains.",
  options: { profile: { type: "string", help: "the profile" } },
  extra: { help: "config fields" },
} as const satisfies CommandSpec;

Deno.test("parseArgs: typed options in both spellings, repeats, positionals, --", () => {
  const p = parseArgs(SPEC, [
    "a.jpg",
    "--run",
    "r1",
    "--align=none",
    "--workers",
    "3",
    "--timeout=0.5",
    "--quiet",
    "--param",
    "k=1",
    "--param=j=2",
    "--",
    "--not-an-option",
  ]);
  assertEquals(p.options, {
    run: "r1",
    align: "none",
    workers: 3,
    timeout: 0.5,
    quiet: true,
    param: ["k=1", "j=2"],
  });
  assertEquals(p.positionals, ["a.jpg", "--not-an-option"]);
  assertEquals(p.extra, {});
  assertEquals(parseArgs(SPEC, ["x", "--timeout", "-1"]).options.timeout, -1);
});

Deno.test("parseArgs: every mistake is one UsageError line", () => {
  const cases: [string[], string][] = [
    [["a", "--frob"], "unknown option --frob"],
    [["a", "-x"], "unknown option -x"],
    [["a", "--run"], "--run needs a value"],
    [["a", "--run", "--quiet"], "--run needs a value"],
    [["a", "--align", "sideways"], '--align must be one of auto, none (got "sideways")'],
    [["a", "--workers", "2.5"], "--workers needs an integer"],
    [["a", "--timeout", "soon"], "--timeout needs a number"],
    [["a", "--quiet=loud"], "--quiet takes no value"],
    [["a", "--run", "x", "--run", "y"], "--run given twice"],
    [[], "missing argument (usage: deno task demo <file> [options])"],
    [["a", "b", "c"], 'unexpected argument "c"'],
  ];
  for (const [args, message] of cases) {
    assertThrows(() => parseArgs(SPEC, args), UsageError, message, args.join(" "));
  }
  const required = { ...SPEC, options: { run: { ...SPEC.options.run, required: true } } };
  assertThrows(() => parseArgs(required, ["a"]), UsageError, "--run is required");
});

Deno.test("parseArgs: --help anywhere wins and lists the visible options", () => {
  for (const args of [["--help"], ["a", "--frob", "-h"], ["--run", "--help"]]) {
    const e = assertThrows(() => parseArgs(SPEC, args), HelpRequested);
    assertStringIncludes(e.text, "usage: deno task demo <file> [options]");
    assertStringIncludes(e.text, "--run <id>");
    assertStringIncludes(e.text, "--align auto|none");
    assertStringIncludes(e.text, "--workers <n>");
    assertStringIncludes(e.text, "-h, --help");
    assertEquals(e.text.includes("--secret"), false);
  }
});

Deno.test("parseArgs: with `extra`, config-field flags are collected and typed by flagsToConfig", () => {
  const p = parseArgs(CONFIG_SPEC, [
    "--profile",
    "tiny",
    "--tau",
    "3",
    "--optim.epochs=2",
    "--data.augment",
    "false",
    "--data.params.name",
    "x",
    "--klTauSquared",
  ]);
  assertEquals(p.options, { profile: "tiny" });
  assertEquals(p.extra, {
    tau: "3",
    "optim.epochs": "2",
    "data.augment": "false",
    "data.params.name": "x",
    klTauSquared: true,
  });
  assertEquals(flagsToConfig(p.extra), {
    tau: 3,
    optim: { epochs: 2 },
    data: { augment: false, params: { name: "x" } },
    klTauSquared: true,
  });
  assertThrows(() => flagsToConfig({ "optim..epochs": "1" }), ConfigError, "malformed flag");
  assertThrows(() => parseArgs(CONFIG_SPEC, ["stray"]), UsageError, 'unexpected argument "stray"');
});

Deno.test("reportError: a user's mistake is one line and exit 2; a bug keeps its stack, exit 1", () => {
  const lines: string[] = [];
  const error = console.error;
  console.error = (...a: unknown[]) => lines.push(a.join(" "));
  try {
    assertEquals(reportError("demo", new UsageError("unknown option --frob")), 2);
    assertEquals(reportError("demo", new ConfigError("tau", "must be > 0")), 2);
    assertEquals(reportError("demo", new DataError("no images")), 2);
    assertEquals(reportError("demo", new TypeError("x is undefined")), 1);
  } finally {
    console.error = error;
  }
  assertEquals(lines.slice(0, 3), [
    "demo: unknown option --frob (see --help)",
    "demo: config.tau: must be > 0",
    "demo: no images",
  ]);
  assertStringIncludes(lines[3], "TypeError: x is undefined\n    at ");
});

Deno.test("profiles exist, merge overrides key by key, and reject unknown names", () => {
  assertEquals(PROFILE_NAMES.sort(), [
    "default",
    "paper",
    "real",
    "real-80",
    "real-96",
    "real-long",
    "shipped",
    "smoke",
    "tiny",
    "verdict-aaf",
    "verdict-utkface",
  ]);
  // The verdict study trains each target to the length its epoch curve chose.
  assertEquals(profileConfig("verdict-aaf").optim.epochs, 16);
  assertEquals(profileConfig("verdict-aaf").optim.lrStepEpochs, 12);
  const c = profileConfig("tiny", { tau: 3, optim: { epochs: 1 } });
  assertEquals([c.tau, c.optim.epochs, c.optim.batchSize], [3, 1, 32]);
  assertEquals(profileConfig("paper").optim.epochs, 160);
  assertThrows(() => profile("huge"), ConfigError, "unknown profile");
  assertThrows(() => profileConfig("tiny", { tau: -1 }), ConfigError, "config.tau");
  const merged = mergePartial({ data: { params: { a: 1 } } }, { data: { params: { b: 2 } } });
  assertEquals(merged.data?.params, { a: 1, b: 2 });
});
