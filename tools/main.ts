/**
 * `deno task main`: the main job on the embedded default. Executes every notebook with the
 * `default` profile (synthetic faces), publishes `results/html/*.html` + `index.html`, and checks
 * the pages in headless chromium when it is installed. Without Jupyter (tools/setup.sh could not
 * install it) it says so and runs the library end to end instead: `deno task train --profile tiny`.
 */
import { findChromium } from "../lib/report/browser.ts";
import { findJupyter } from "../lib/report/execute.ts";

const here = (f: string) => new URL(f, import.meta.url).pathname;
const run = async (args: string[]) =>
  (await new Deno.Command(Deno.execPath(), { args: ["run", "-A", ...args] }).spawn().status).code;

const jupyter = await findJupyter();
if (jupyter.reason) {
  console.error(`main: ${jupyter.reason}; running the library end to end instead (no notebooks).`);
  Deno.exit(await run([here("./train.ts"), "--profile", "tiny"]));
}
const check = (await findChromium()) ? ["--check"] : [];
if (check.length === 0) {
  console.error("main: chromium not found; the pages are not checked in a browser");
}
Deno.exit(await run([here("./report.ts"), "--profile", "default", ...check, ...Deno.args]));
