/**
 * Time limits for tests that wait on other processes: a stuck child (a kernel, a browser, a
 * tool) fails its test with a message instead of hanging the run.
 *
 * @module
 */

/** Generous limits, in ms: far above a loaded CI machine's times, far below "hung". */
export const LIMIT = {
  /** A `deno run` of a tool, a `deno check`, `deno fmt` or `deno lint`. */
  tool: 180_000,
  /** A notebook run through the executor, or a browser check of a few pages. */
  notebook: 300_000,
  /** The smoke report: every notebook at the smoke profile. */
  report: 1_800_000,
} as const;

/**
 * Runs `f` with an AbortSignal that fires after `ms` (pass it to `Deno.Command`, which then kills
 * the child); rejects with "`what` did not finish within N s" when the limit passes first, even
 * if `f` ignores the signal.
 */
export async function withDeadline<T>(
  ms: number,
  what: string,
  f: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const signal = AbortSignal.timeout(ms);
  let onAbort = () => {};
  const expired = new Promise<never>((_, reject) => {
    onAbort = () => reject(new Error(`${what} did not finish within ${ms / 1000} s (stuck?)`));
    signal.addEventListener("abort", onAbort, { once: true });
  });
  try {
    return await Promise.race([f(signal), expired]);
  } finally {
    signal.removeEventListener("abort", onAbort);
  }
}
