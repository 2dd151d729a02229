/**
 * The codebase stays `deno fmt` and `deno lint` clean. Notebooks are left out of the fmt check:
 * Deno 2.9's `fmt --check` reports a fresh clone's `.ipynb` files as unformatted with an empty
 * diff (byte-identical to what `deno fmt` writes); `tests/report/` checks their cells instead.
 * `deno test` type-checks only the modules tests import: the command-line tools are checked here.
 */
import { assertEquals } from "@std/assert";
import { LIMIT, withDeadline } from "./helpers/deadline.ts";

/** Runs `deno <args>` (killed, and the test failed, past the tool limit). */
async function run(args: string[]): Promise<{ code: number; out: string }> {
  const r = await withDeadline(
    LIMIT.tool,
    `deno ${args.join(" ")}`,
    (signal) =>
      new Deno.Command(Deno.execPath(), {
        args,
        stdout: "piped",
        stderr: "piped",
        env: { NO_COLOR: "1" },
        signal,
      }).output(),
  );
  return {
    code: r.code,
    out: new TextDecoder().decode(r.stdout) + new TextDecoder().decode(r.stderr),
  };
}

Deno.test("deno fmt --check finds nothing to reformat", async () => {
  const r = await run(["fmt", "--check", "--ignore=notebooks"]);
  assertEquals(r.code, 0, r.out.slice(-3000));
});

Deno.test("every tools/*.ts and bench/*.ts type-checks (deno test checks only what tests import)", async () => {
  const r = await run(["check", "--quiet", "tools/", "bench/"]);
  assertEquals(r.code, 0, r.out.slice(-3000));
});

Deno.test("deno lint finds no problem", async () => {
  const r = await run(["lint"]);
  assertEquals(r.code, 0, r.out.slice(-3000));
});
