/**
 * `deno task main`: the main job on the embedded default. Executes every notebook with the
 * `default` profile (synthetic faces), publishes `results/html/*.html` + `index.html`, and checks
 * the pages in headless chromium when it is installed. Without Jupyter (tools/setup.sh could not
 * install it) it says so and runs the library end to end instead: `deno task train --profile tiny`.
 *
 * @module
 */
import { type CommandSpec, runCli } from "../lib/cli.ts";
import { findChromium } from "../lib/publish/browser.ts";
import { findJupyter } from "../lib/publish/execute.ts";
import { REPORT_RUN_OPTIONS } from "./report.ts";

/** The command line of `deno task main` (its options go on to `deno task report`). */
export const MAIN_CLI = {
  name: "main",
  usage:
    "deno task main [--timeout S] [--fail-fast] [--quiet] [--retrain] [--param name=value] [names...]",
  summary: "The main job: every notebook on the default profile, published to results/html/ " +
    "and checked in headless chromium when it is installed (without Jupyter: deno task train " +
    "--profile tiny instead).",
  options: REPORT_RUN_OPTIONS,
  positionals: [0, Infinity],
} as const satisfies CommandSpec;

const here = (f: string) => new URL(f, import.meta.url).pathname;

/** Runs a Deno script with all permissions; resolves to its exit code. */
async function run(args: string[]): Promise<number> {
  return (await new Deno.Command(Deno.execPath(), { args: ["run", "-A", ...args] }).spawn().status)
    .code;
}

if (import.meta.main) {
  await runCli(MAIN_CLI, async () => {
    const jupyter = await findJupyter();
    if (jupyter.reason) {
      console.error(
        `main: ${jupyter.reason}; running the library end to end instead (no notebooks).`,
      );
      return await run([here("./train.ts"), "--profile", "tiny"]);
    }
    const check = (await findChromium()) ? ["--check"] : [];
    if (check.length === 0) {
      console.error("main: chromium not found; the pages are not checked in a browser");
    }
    return await run([here("./report.ts"), "--profile", "default", ...check, ...Deno.args]);
  });
}
