/**
 * Every `deno task` answers `--help` with its usage (exit 0) and refuses an unknown flag with one
 * line, `<task>: …`, and exit 2 before doing any work.
 */
import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import { join } from "node:path";
import { ROOT, runTool } from "../helpers/tool.ts";

/** Each task's script and the arguments that reach its option parsing. */
const TASKS: { task: string; script: string; before?: string[] }[] = [
  { task: "train", script: "tools/train.ts" },
  { task: "study", script: "tools/study.ts" },
  { task: "report", script: "tools/report.ts" },
  { task: "notebook", script: "tools/notebook.ts", before: ["06-ablations"] },
  { task: "predict", script: "tools/predict.ts", before: ["x.jpg"] },
  { task: "export", script: "tools/export.ts", before: ["--run", "x"] },
  { task: "data", script: "tools/data.ts", before: ["split", "utkface", "/nowhere"] },
  { task: "baseline", script: "tools/baseline.ts" },
  { task: "main", script: "tools/main.ts" },
  { task: "bench", script: "bench/main.ts" },
  { task: "evaluate", script: "tools/evaluate.ts" },
  { task: "ship", script: "tools/ship.ts" },
  { task: "serve", script: "tools/serve.ts" },
];

for (const { task, script, before } of TASKS) {
  Deno.test(`deno task ${task} --help: its usage on stdout, exit 0`, async () => {
    const r = await runTool(script, ["--help"], { timeoutMs: 60_000 });
    assertEquals(r.code, 0, r.stderr);
    assert(r.stdout.startsWith(`usage: deno task ${task}`), `printed:\n${r.stdout}`);
    assertStringIncludes(r.stdout, "-h, --help");
  });

  Deno.test(`deno task ${task} --frobnicate: one line, exit 2`, async () => {
    const r = await runTool(script, [...before ?? [], "--frobnicate", "1"], { timeoutMs: 60_000 });
    assertEquals(r.code, 2, r.stderr);
    const lines = r.stderr.trim().split("\n");
    assertEquals(lines.length, 1, `more than one line:\n${r.stderr}`);
    assert(lines[0].startsWith(`${task}: `), lines[0]);
    assertStringIncludes(lines[0], "frobnicate");
    assertEquals(r.stdout, "");
  });
}

Deno.test("study --retrain plans every run as untrained; --verify-seed needs --verify", async () => {
  // the committed records (the suite points CEN_RECORDS_DIR at a scratch folder), an empty runs folder
  const env = {
    CEN_RUNS_DIR: await Deno.makeTempDir(),
    CEN_RECORDS_DIR: join(ROOT, "records", "runs"),
  };
  const finished = (out: string) =>
    [...out.matchAll(/\((\d+) finished\)/g)].reduce((a, m) => a + Number(m[1]), 0);
  const plain = await runTool("tools/study.ts", ["--profile", "default", "--dry-run"], { env });
  assertEquals(plain.code, 0, plain.stderr);
  assert(finished(plain.stdout) > 0, "the committed records serve some of the default study");
  const again = await runTool(
    "tools/study.ts",
    ["--profile", "default", "--dry-run", "--retrain"],
    {
      env,
    },
  );
  assertEquals(again.code, 0, again.stderr);
  assertEquals(finished(again.stdout), 0);
  const bad = await runTool("tools/study.ts", ["--profile", "default", "--verify-seed", "3"], {
    env,
  });
  assertEquals(bad.code, 2);
  assertStringIncludes(bad.stderr, "--verify-seed needs --verify");
});
