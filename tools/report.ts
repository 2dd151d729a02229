/**
 * `deno task report [--profile <name>] [--check] [names...]`: executes
 * `notebooks/NN-*.ipynb` in order (or the named ones), writes `results/executed/<name>.ipynb`,
 * `results/html/<name>.html` and `results/html/index.html` with each notebook's summary numbers
 * (`results/summary/<name>.json`, see lib/report/summary.ts).
 *
 * Options: `--check` also loads every page in headless chromium (offline) and fails when a script
 * errs or a plot does not draw; `--check-only` checks the existing pages without executing;
 * `--timeout S` per-cell limit (default 3600; 0 = none); `--fail-fast`; `--quiet`;
 * `--param name=value` (repeatable) for notebooks that declare that parameter.
 * Exit status: 0 all ok, 1 a notebook failed or the check failed, 2 bad usage / no Jupyter.
 * @module
 */
import { join } from "node:path";
import { type CommandSpec, type OptionValues, runCli } from "../lib/cli.ts";
import { UsageError } from "../lib/errors.ts";
import { buildReport, listNotebooks } from "../lib/publish/build.ts";
import { checkPages, findChromium, formatCheck } from "../lib/publish/browser.ts";
import { findJupyter, projectRoot } from "../lib/publish/execute.ts";
import { RETRAINED_RECORDS_DIR } from "../lib/paths.ts";
import { PROFILE_NAMES } from "../lib/profiles.ts";

/** The options `deno task main` passes through to the report (all but --profile and checks). */
export const REPORT_RUN_OPTIONS = {
  timeout: {
    type: "number",
    value: "<seconds>",
    help: "per-cell limit in seconds (default 3600; 0 = none)",
  },
  "fail-fast": { type: "boolean", help: "stop at the first failing notebook" },
  quiet: { type: "boolean", help: "do not stream cell output" },
  retrain: {
    type: "boolean",
    help: "ignore the committed records and train every run the notebooks need (their records " +
      "go to results/runs/_retrained/records; records/ is left as it is)",
  },
  param: {
    type: "string",
    value: "<name=value>",
    repeat: true,
    help: "a notebook parameter, for the notebooks that declare it (repeatable)",
  },
} as const;

/** The command line of `deno task report`. */
export const REPORT_CLI = {
  name: "report",
  usage: "deno task report [--profile <name>] [--check | --check-only] [options] [names...]",
  summary: "Executes notebooks/NN-*.ipynb in order (or the named ones) and publishes " +
    "results/html/<name>.html with an index (another profile: results/<profile>/html).",
  options: {
    profile: {
      type: "string",
      value: "<name>",
      choices: PROFILE_NAMES,
      help: `the profile (default default): ${PROFILE_NAMES.join(", ")}`,
    },
    check: { type: "boolean", help: "also load every page in headless chromium" },
    "check-only": { type: "boolean", help: "check the existing pages; execute nothing" },
    ...REPORT_RUN_OPTIONS,
  },
  positionals: [0, Infinity],
  epilog: "Exit status: 0 all ok, 1 a notebook or the check failed, 2 bad usage or no Jupyter.",
} as const satisfies CommandSpec;

/** `--param name=value` pairs as a record. */
function paramsOf(pairs: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of pairs) {
    const eq = kv.indexOf("=");
    if (eq < 1) throw new UsageError(`--param needs name=value, got "${kv}"`);
    out[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  return out;
}

async function check(pages: string[]): Promise<boolean> {
  const chromium = await findChromium();
  if (!chromium) {
    console.error("report: --check needs chromium (bash tools/setup-system.sh)");
    return false;
  }
  const present: string[] = [];
  let missing = 0;
  for (const p of pages) {
    try {
      await Deno.stat(p);
      present.push(p);
    } catch {
      console.log(`FAIL ${p}: missing (run deno task report first)`);
      missing++;
    }
  }
  const results = await checkPages(present, { chromium });
  for (const r of results) console.log(formatCheck(r));
  const ok = results.every((r) => r.ok);
  console.log(`report check: ${results.filter((r) => r.ok).length}/${results.length} pages ok`);
  return ok && missing === 0 && results.length > 0;
}

/** Executes and publishes the notebooks (see the module note); returns the exit status. */
async function publish(
  { options, positionals }: { options: ReportOptions; positionals: string[] },
): Promise<number> {
  const args = {
    profile: options.profile ?? "default",
    timeoutS: options.timeout ?? 3600,
    params: paramsOf(options.param ?? []),
  };
  if (args.timeoutS < 0) throw new UsageError("--timeout must be ≥ 0 seconds");
  const root = projectRoot();
  // The default profile publishes to results/html; another profile to results/<profile>/html, so
  // a smoke or real run never overwrites the default report.
  const out = args.profile === "default"
    ? join(root, "results")
    : join(root, "results", args.profile);
  const htmlDir = join(out, "html");
  if (args.profile !== "default") Deno.env.set("CEN_SUMMARY_DIR", join(out, "summary"));
  // The notebooks' kernels inherit the environment: with --retrain they see no committed record.
  if (options.retrain) Deno.env.set("CEN_RECORDS_DIR", RETRAINED_RECORDS_DIR);
  const notebooks = await listNotebooks(join(root, "notebooks"), positionals);
  const pageOf = (nb: string) =>
    join(htmlDir, nb.slice(nb.lastIndexOf("/") + 1).replace(/\.ipynb$/, ".html"));
  if (options["check-only"]) {
    return await check([join(htmlDir, "index.html"), ...notebooks.map(pageOf)]) ? 0 : 1;
  }
  if (notebooks.length === 0) {
    console.error("report: no notebooks/NN-*.ipynb to run");
    return 2;
  }
  const probe = await findJupyter();
  if (!probe.python) {
    console.error(`report: ${probe.reason}`);
    return 2;
  }
  const t0 = performance.now();
  const report = await buildReport({
    notebooks,
    executedDir: join(out, "executed"),
    htmlDir,
    profile: args.profile,
    params: args.params,
    timeoutS: args.timeoutS,
    failFast: !!options["fail-fast"],
    quiet: !!options.quiet,
  });
  const wall = (performance.now() - t0) / 1000;
  console.log(
    `report: ${report.indexPath} (${report.entries.length} notebooks, ${wall.toFixed(0)} s wall)`,
  );
  for (const e of report.entries) {
    console.log(
      `  ${e.status === "ok" ? "ok    " : "FAILED"} ${e.name} (${e.seconds.toFixed(1)} s)` +
        (e.error ? ` ${e.error}` : ""),
    );
  }
  let ok = report.ok;
  if (options.check) {
    const pages = report.entries.filter((e) => e.href).map((e) => join(htmlDir, e.href!));
    ok = (await check([report.indexPath, ...pages])) && ok;
  }
  return ok ? 0 : 1;
}

type ReportOptions = OptionValues<typeof REPORT_CLI>;

if (import.meta.main) await runCli(REPORT_CLI, publish);
