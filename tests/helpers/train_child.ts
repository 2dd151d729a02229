/**
 * Child process for the kill-and-resume tests: trains `tinyConfig(JSON arg)` into a runs root.
 *
 *   deno run -A tests/helpers/train_child.ts <runs root> <config overrides as JSON>
 *
 * With `CEN_TEST_PAUSE=<text>` set, every file operation (mkdir, writeFile, rename, remove,
 * copyFile) on a path containing `<text>` first prints `pause <op> <path>[ -> <path>]` on stdout
 * and waits for a line on stdin: the parent can look at (or copy) the files at that exact step,
 * then let the child go on with a line, or kill it there. The library is not changed: the
 * operations are wrapped on the `Deno` namespace, in this process only.
 *
 * @module
 */
import { runEvolution } from "../../lib/train/evolve.ts";
import { tinyConfig, toySource } from "./tiny.ts";

/** Reads stdin line by line (one reader for the whole process). */
const stdinLines = (async function* (): AsyncGenerator<string> {
  let buf = "";
  for await (const chunk of Deno.stdin.readable.pipeThrough(new TextDecoderStream())) {
    buf += chunk;
    let nl: number;
    while ((nl = buf.indexOf("\n")) >= 0) {
      yield buf.slice(0, nl);
      buf = buf.slice(nl + 1);
    }
  }
})();

/** Announces the operation and waits for the parent's go-ahead (exits if stdin closes). */
async function pause(op: string, paths: string): Promise<void> {
  Deno.stdout.writeSync(new TextEncoder().encode(`pause ${op} ${paths}\n`));
  const { done } = await stdinLines.next();
  if (done) Deno.exit(3);
}

type FileOp = (path: string | URL, ...rest: never[]) => Promise<unknown>;

/** Wraps `Deno[op]` so that it pauses first on paths containing `marker`. */
function wrap(op: "mkdir" | "writeFile" | "rename" | "remove" | "copyFile", marker: string): void {
  const ns = Deno as unknown as Record<string, FileOp>;
  const original = ns[op];
  ns[op] = async (path, ...rest) => {
    const to = op === "rename" || op === "copyFile" ? String(rest[0]) : undefined;
    const paths = to === undefined ? String(path) : `${path} -> ${to}`;
    if (paths.includes(marker)) await pause(op, paths);
    return await original(path, ...rest);
  };
}

const [root, json] = Deno.args;
const marker = Deno.env.get("CEN_TEST_PAUSE");
if (marker) {
  for (const op of ["mkdir", "writeFile", "rename", "remove", "copyFile"] as const) {
    wrap(op, marker);
  }
}
const config = tinyConfig(JSON.parse(json));
await runEvolution(config, {
  train: toySource("toy-train", 96, 32, 1),
  test: toySource("toy-test", 32, 32, 2),
  runsRoot: root,
});
