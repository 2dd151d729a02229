/**
 * `deno task report [--profile default|real|paper] [--check] [names...]`: executes
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
import { buildReport, listNotebooks } from "../lib/report/build.ts";
import { checkPages, findChromium, formatCheck } from "../lib/report/browser.ts";
import { findJupyter, projectRoot } from "../lib/report/execute.ts";

import { PROFILE_NAMES as PROFILES } from "../lib/profiles.ts";

interface Args {
  profile: string;
  check: boolean;
  checkOnly: boolean;
  timeoutS: number;
  failFast: boolean;
  quiet: boolean;
  params: Record<string, string>;
  names: string[];
}

function parse(argv: string[]): Args {
  const a: Args = {
    profile: "default",
    check: false,
    checkOnly: false,
    timeoutS: 3600,
    failFast: false,
    quiet: false,
    params: {},
    names: [],
  };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].includes("=") && argv[i].startsWith("--")
      ? [argv[i].slice(0, argv[i].indexOf("=")), argv[i].slice(argv[i].indexOf("=") + 1)]
      : [argv[i], undefined];
    const value = () => inline ?? argv[++i] ?? fail(`${flag} needs a value`);
    if (flag === "--profile") a.profile = value();
    else if (flag === "--check") a.check = true;
    else if (flag === "--check-only") a.checkOnly = true;
    else if (flag === "--timeout") a.timeoutS = Number(value());
    else if (flag === "--fail-fast") a.failFast = true;
    else if (flag === "--quiet") a.quiet = true;
    else if (flag === "--param") {
      const kv = value();
      const eq = kv.indexOf("=");
      if (eq < 1) fail(`--param needs name=value, got ${kv}`);
      a.params[kv.slice(0, eq)] = kv.slice(eq + 1);
    } else if (flag.startsWith("--")) fail(`unknown option ${flag}`);
    else a.names.push(flag);
  }
  if (!PROFILES.includes(a.profile)) fail(`--profile must be one of ${PROFILES.join(", ")}`);
  if (!Number.isFinite(a.timeoutS) || a.timeoutS < 0) fail("--timeout must be ≥ 0 seconds");
  return a;
}

function fail(msg: string): never {
  console.error(`report: ${msg}`);
  Deno.exit(2);
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

async function main(): Promise<number> {
  const args = parse(Deno.args);
  const root = projectRoot();
  // The default profile publishes to results/html; another profile to results/<profile>/html, so
  // a smoke or real run never overwrites the default report.
  const out = args.profile === "default"
    ? join(root, "results")
    : join(root, "results", args.profile);
  const htmlDir = join(out, "html");
  if (args.profile !== "default") Deno.env.set("CEN_SUMMARY_DIR", join(out, "summary"));
  const notebooks = await listNotebooks(join(root, "notebooks"), args.names);
  const pageOf = (nb: string) =>
    join(htmlDir, nb.slice(nb.lastIndexOf("/") + 1).replace(/\.ipynb$/, ".html"));
  if (args.checkOnly) {
    return await check([join(htmlDir, "index.html"), ...notebooks.map(pageOf)]) ? 0 : 1;
  }
  if (notebooks.length === 0) fail("no notebooks/NN-*.ipynb to run");
  const probe = await findJupyter();
  if (!probe.python) fail(probe.reason ?? "no Jupyter");
  const t0 = performance.now();
  const report = await buildReport({
    notebooks,
    executedDir: join(out, "executed"),
    htmlDir,
    profile: args.profile,
    params: args.params,
    timeoutS: args.timeoutS,
    failFast: args.failFast,
    quiet: args.quiet,
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
  if (args.check) {
    const pages = report.entries.filter((e) => e.href).map((e) => join(htmlDir, e.href!));
    ok = (await check([report.indexPath, ...pages])) && ok;
  }
  return ok ? 0 : 1;
}

if (import.meta.main) Deno.exit(await main());
