/**
 * Runs a command-line tool (`deno run -A <script> ...`) in a child process with a time limit, so a
 * stuck tool fails its test instead of hanging the run.
 *
 * @module
 */
import { fileURLToPath } from "node:url";

/** What a tool printed and how it exited. */
export interface ToolResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The repository root (tests/helpers/../..). */
export const ROOT: string = fileURLToPath(new URL("../../", import.meta.url));

/** Options of {@link runTool}. */
export interface RunToolOptions {
  /** Kill the tool and fail after this many ms (default 120 000). */
  timeoutMs?: number;
  /** Extra environment (added to the parent's). */
  env?: Record<string, string>;
}

/**
 * Runs `script` (relative to the repository root, e.g. `tools/predict.ts`) with `args`. Throws
 * when the tool is still running after `timeoutMs` (it is killed).
 */
export async function runTool(
  script: string,
  args: readonly string[],
  opts: RunToolOptions = {},
): Promise<ToolResult> {
  const timeoutMs = opts.timeoutMs ?? 120_000;
  const signal = AbortSignal.timeout(timeoutMs);
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", script, ...args],
    cwd: ROOT,
    env: { NO_COLOR: "1", ...opts.env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    signal,
  }).output();
  const dec = new TextDecoder();
  const result = { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
  if (signal.aborted) {
    throw new Error(
      `${script} ${args.join(" ")} did not finish within ${timeoutMs / 1000} s and was killed; ` +
        `stderr so far:\n${result.stderr.slice(-2000)}`,
    );
  }
  return result;
}

/** The last non-empty line of `text`. */
export function lastLine(text: string): string {
  return text.trim().split("\n").at(-1) ?? "";
}
