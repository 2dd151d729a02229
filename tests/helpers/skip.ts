/**
 * Tests that cannot run here (no Chromium, no Jupyter, no oneDNN, no real data) say so: they are
 * registered with `ignore: true`, so Deno lists them as ignored, and their reason is recorded
 * for the summary `tools/test.sh` prints before its last line.
 *
 * ```ts
 * Deno.test({ name: "…", ignore: skipUnless(chromium !== undefined, NO_CHROMIUM), fn });
 * ```
 *
 * Each skipped test appends one line, `<reason>\t<kind>\t<file>`, to the file named by the
 * environment variable `CEN_SKIP_LOG` (tools/test.sh sets it), and the reason is printed once per
 * test file. `kind` is `test` (a whole test ignored) or `check` (a part of a running test left
 * out, see {@link skipCheck}).
 *
 * @module
 */

/** Why a test is skipped: what is missing, and how to get it. */
export const NO_CHROMIUM = "no Chromium (bash tools/setup-system.sh)";
/** Jupyter (jupyter_client, nbformat, nbconvert) is missing. */
export const NO_JUPYTER = "no Jupyter (bash tools/setup-system.sh)";
/** oneDNN (Debian's libdnnl2) does not load. */
export const NO_ONEDNN = "no oneDNN (bash tools/setup-native.sh)";

/** The CPU or oneDNN cannot compute in bfloat16: `why` says which. */
export function noBf16(why: string): string {
  return `no bfloat16 compute (${why})`;
}

/** Real data is not configured: `variable` is unset. */
export function noRealData(variable: string): string {
  return `no real data (${variable} unset)`;
}

/** A file the test needs is absent. */
export function noFile(what: string): string {
  return `no ${what}`;
}

const printed = new Set<string>();

/** Appends one skip record and prints the reason once per (file, reason). */
function record(reason: string, kind: "test" | "check", where: string): void {
  const file = where.replace(/^file:\/\/.*?\/tests\//, "tests/");
  const key = `${file}\t${reason}`;
  if (!printed.has(key)) {
    printed.add(key);
    console.log(`skip (${kind === "test" ? "ignored" : "partly"}) ${file}: ${reason}`);
  }
  const log = Deno.env.get("CEN_SKIP_LOG");
  if (log) Deno.writeTextFileSync(log, `${reason}\t${kind}\t${file}\n`, { append: true });
}

/** The caller's file, from a stack trace (for the record). */
function callerFile(): string {
  const frames = (new Error().stack ?? "").split("\n").slice(1);
  const own = import.meta.url;
  const frame = frames.find((f) => !f.includes(own)) ?? "";
  return frame.match(/(file:\/\/[^\s)]+?):\d+:\d+/)?.[1] ?? "unknown";
}

/**
 * The `ignore` flag of a test that needs `condition`: false when it holds; otherwise true, with
 * `reason` recorded. Call it once per test (each call counts one skipped test).
 */
export function skipUnless(condition: boolean, reason: string): boolean {
  if (condition) return false;
  record(reason, "test", callerFile());
  return true;
}

/**
 * Records that a running test leaves out a part (e.g. the browser check of pages that were
 * built) because `reason`; returns whether the part can run (`condition`).
 */
export function skipCheck(condition: boolean, reason: string): boolean {
  if (!condition) record(reason, "check", callerFile());
  return condition;
}
