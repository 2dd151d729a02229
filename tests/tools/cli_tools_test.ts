/**
 * Every `deno task` answers `--help` with its usage (exit 0) and refuses an unknown flag with one
 * line (exit 2) before doing any work.
 */
import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import { runTool } from "../helpers/tool.ts";

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
];

/** Runs the tools two at a time (the machine has two cores). */
async function eachTask<T>(f: (t: typeof TASKS[number]) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < TASKS.length; i += 2) {
    out.push(...await Promise.all(TASKS.slice(i, i + 2).map(f)));
  }
  return out;
}

Deno.test("every deno task answers --help with its usage and exit 0", async () => {
  await eachTask(async ({ task, script }) => {
    const r = await runTool(script, ["--help"], { timeoutMs: 60_000 });
    assertEquals(r.code, 0, `${task} --help: ${r.stderr}`);
    assert(r.stdout.startsWith(`usage: deno task ${task}`), `${task} --help printed:\n${r.stdout}`);
    assertStringIncludes(r.stdout, "-h, --help");
  });
});

Deno.test("every deno task refuses an unknown flag with one line and exit 2", async () => {
  await eachTask(async ({ task, script, before }) => {
    const r = await runTool(script, [...before ?? [], "--frobnicate", "1"], {
      timeoutMs: 60_000,
    });
    assertEquals(r.code, 2, `${task}: ${r.stderr}`);
    const lines = r.stderr.trim().split("\n");
    assertEquals(lines.length, 1, `${task} printed more than one line:\n${r.stderr}`);
    assert(lines[0].startsWith(`${task}: `), lines[0]);
    assertStringIncludes(lines[0], "frobnicate");
    assertEquals(r.stdout, "");
  });
});
