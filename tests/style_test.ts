/**
 * `deno task check` passes: `deno fmt --check`, `deno lint`, `deno check` of lib/, tools/, bench/
 * and tests/ (`deno test` type-checks only the modules tests import), and the notebooks' code
 * cells (tools/check_notebooks.ts). Notebooks are left out of the fmt check (deno.json): Deno
 * 2.9's `fmt --check` reports a fresh clone's `.ipynb` files as unformatted with an empty diff
 * (byte-identical to what `deno fmt` writes); their cells are type-checked instead.
 */
import { assertEquals } from "@std/assert";
import { projectRoot } from "../lib/publish/execute.ts";
import { LIMIT, withDeadline } from "./helpers/deadline.ts";

/** Runs `deno <args>` in the repository root (killed, and the test failed, past `ms`). */
async function run(args: string[], ms: number): Promise<{ code: number; out: string }> {
  const r = await withDeadline(
    ms,
    `deno ${args.join(" ")}`,
    (signal) =>
      new Deno.Command(Deno.execPath(), {
        args,
        cwd: projectRoot(),
        stdout: "piped",
        stderr: "piped",
        env: { NO_COLOR: "1" },
        signal,
      }).output(),
  );
  const dec = new TextDecoder();
  return { code: r.code, out: dec.decode(r.stdout) + dec.decode(r.stderr) };
}

Deno.test("deno task check passes (fmt, lint, type-check of code and notebooks)", async () => {
  const r = await run(["task", "check"], 2 * LIMIT.tool); // four tools one after another
  assertEquals(r.code, 0, r.out.slice(-3000));
});
