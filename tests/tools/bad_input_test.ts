/**
 * A user's mistake on the command line gets one clear line on stderr and a non-zero exit status
 * (2), never a stack trace: predict, train, study, notebook, export and report on their main
 * mistakes. Each tool runs in a child process with a time limit and a throwaway runs folder.
 */
import { assert, assertEquals, assertMatch } from "@std/assert";
import { join } from "node:path";
import { runTool, type ToolResult } from "../helpers/tool.ts";

const runs = await Deno.makeTempDir({ prefix: "cen-bad-input-runs-" });
const scratch = await Deno.makeTempDir({ prefix: "cen-bad-input-" });
/** A folder with no images, and one with a single (unreadable) image. */
const empty = join(scratch, "empty");
const oneImage = join(scratch, "one-image");
await Deno.mkdir(empty);
await Deno.writeTextFile(join(empty, "notes.txt"), "no pictures here\n");
await Deno.mkdir(oneImage);
await Deno.writeFile(join(oneImage, "a.png"), new Uint8Array([0x89, 0x50, 0x4e, 0x47]));

/** One mistake: the tool, its arguments, and what the one line must say. */
interface Case {
  task: string;
  args: string[];
  message: RegExp;
}

const CASES: Case[] = [
  { task: "predict", args: ["/nonexistent/face.jpg"], message: /\/nonexistent\/face\.jpg/ },
  { task: "predict", args: [empty], message: /no images/ },
  {
    task: "predict",
    args: [oneImage, "--align", "sideways"],
    message: /--align must be .*auto.*detect.*none/,
  },
  { task: "predict", args: [oneImage, "--run", "no-such-run"], message: /no-such-run/ },
  { task: "train", args: ["--profile", "huge"], message: /huge/ },
  { task: "train", args: ["--profile", "smoke", "--tau", "-1"], message: /config\.tau: / },
  {
    task: "train",
    args: ["--profile", "smoke", "--optim.epoch", "2"],
    message: /config\.optim\.epoch: unknown field/,
  },
  { task: "study", args: ["--profile", "huge"], message: /--profile must be one of/ },
  { task: "study", args: ["--workers", "two"], message: /--workers/ },
  // With --dry-run: were the flag ignored, the study would only be listed, never trained.
  {
    task: "study",
    args: ["--dry-run", "--profile", "smoke", "--frobnicate"],
    message: /unknown option --frobnicate/,
  },
  { task: "notebook", args: ["99-nothing"], message: /notebook not found: 99-nothing/ },
  {
    task: "notebook",
    args: ["06-ablations", "--frobnicate", "1"],
    message: /not a parameter of this notebook/,
  },
  {
    task: "notebook",
    args: ["06-ablations", "--tau", "three"],
    message: /parameters\.tau: expected a number/,
  },
  { task: "notebook", args: ["06-ablations", "--timeout", "soon"], message: /--timeout/ },
  { task: "export", args: [], message: /--run/ },
  { task: "export", args: ["--run", "no-such-run"], message: /no-such-run/ },
  { task: "report", args: ["--check-only", "99-nothing"], message: /99-nothing/ },
];

/** Asserts exit status 2, exactly one stderr line (no stack trace) matching `message`. */
function assertOneLine(r: ToolResult, message: RegExp): void {
  const lines = r.stderr.trim().split("\n");
  assertEquals(r.code, 2, `exit status ${r.code}; stderr:\n${r.stderr}`);
  assertEquals(lines.length, 1, `expected one line, got:\n${r.stderr}`);
  assertMatch(lines[0], message);
  assert(!/^\s+at /m.test(r.stderr), `a stack trace:\n${r.stderr}`);
}

for (const { task, args, message } of CASES) {
  Deno.test(`${task} ${args.join(" ").replace(scratch, "<tmp>")}: one line, exit 2`, async () => {
    const r = await runTool(`tools/${task}.ts`, args, {
      timeoutMs: 60_000,
      env: { CEN_RUNS_DIR: runs, CEN_RECORDS_DIR: `${runs}/_records` },
    });
    assertOneLine(r, message);
    assertEquals(r.stdout, "", "nothing on stdout (no CSV, no plan)");
  });
}

Deno.test("the refused commands wrote no runs", async () => {
  const left: string[] = [];
  for await (const e of Deno.readDir(runs)) left.push(e.name);
  await Deno.remove(runs, { recursive: true });
  await Deno.remove(scratch, { recursive: true });
  assertEquals(left, [], "a refused command wrote runs");
});
