/**
 * A run's log folded into one block of a notebook. While the run goes, its lines stream into a
 * collapsed `<details>` whose summary shows the latest line; when it ends, the summary becomes one
 * line (the run, what happened to each generation, the test MAE of each, where its full log is)
 * and the lines stay inside, collapsed. The run folder's `train.log` keeps the full log. Outside
 * Jupyter (a script, a test) only the summary line is printed, and on a failure the lines too.
 *
 * API:
 * - `foldRunLogs(opts?)`: `{ log, onRunEnd }`, options for `runConfig`, `runPretraining`,
 *   `runProfile` and `runAll` (which passes them on to each run).
 * - `runSummary(result)`: the one line of a finished run.
 * - `fatesText(fates)`: what happened to each generation, e.g. "generation 1 copied, 2–3 trained".
 * - `runLogHtml(block)`: the `<details>` block.
 *
 * @example
 * ```ts
 * import { runAll } from "../study/mod.ts";
 * import { runConfig } from "../experiment.ts";
 * import { profileConfig } from "../profiles.ts";
 * import { foldRunLogs } from "./runlog.ts";
 * const quiet = foldRunLogs();
 * const config = profileConfig("smoke");
 * await runConfig(config, { ...quiet, needWeights: true }); // one block
 * await runAll([config, { ...config, seed: 1 }], { label: "seed", ...quiet }); // one block per run
 * ```
 *
 * @module
 */
import { join } from "node:path";
import type { EvolutionResult, GenerationFate } from "../train/evolve.ts";
import { displayPath } from "../paths.ts";
import { inJupyter, type MimeBundle } from "./display.ts";
import { escapeHtml } from "./table.ts";

/** What `runConfig` and `runAll` take to fold each run's log (see `ExperimentOptions`). */
export interface FoldedRunLog {
  /** Collects a progress line of the current run. */
  log: (line: string) => void;
  /** Ends the current run's block: with its result, or undefined when the run threw. */
  onRunEnd: (result: EvolutionResult | undefined) => Promise<void>;
}

/** One block as it is drawn. */
export interface RunLogBlock {
  /** The header of the run (`runAll`'s "label i/n"), or "" for none. */
  title: string;
  /** The one-line summary. */
  summary: string;
  /** The run's progress lines. */
  lines: readonly string[];
  /** Drawn unfolded (a failed run). */
  open?: boolean;
}

/** One showing of a block. */
export interface BlockMessage {
  /** `text/html` (the block) and `text/plain` (its line; a failed run's lines too). */
  bundle: MimeBundle;
  /** The block's display id: an update replaces what was shown under it. */
  displayId: string;
  /** True when it replaces the block shown under `displayId`. */
  update: boolean;
  /** True when the run has ended (the last showing of the block). */
  final: boolean;
}

/** Where blocks are shown. */
export type ShowBlock = (message: BlockMessage) => Promise<void>;

/** Options of {@link foldRunLogs}. */
export interface FoldOptions {
  /** Where blocks go; default: Jupyter's display (live updates by display id), else stdout. */
  show?: ShowBlock;
  /** Least milliseconds between two live updates of a running block (default 1000). */
  updateMs?: number;
  /** The clock, in milliseconds (default `performance.now`). */
  now?: () => number;
}

/** The prefix of `runAll`'s header line ("── label i/n"). */
const HEADER = "── ";

/** Consecutive equal fates as one phrase: ["copied", "trained", "trained"] → "1 copied, 2–3 trained". */
export function fatesText(fates: readonly GenerationFate[]): string {
  const parts: string[] = [];
  let start = 0;
  for (let i = 1; i <= fates.length; i++) {
    if (i < fates.length && fates[i] === fates[start]) continue;
    const span = i - start > 1 ? `${start + 1}–${i}` : `${start + 1}`;
    parts.push(`${span} ${fates[start]}`);
    start = i;
  }
  return parts.length ? `generation ${parts.join(", ")}` : "no generation";
}

/** Where a run's full log is, as shown (`results/runs/<id>/train.log`), or "" when it has none. */
function logFileOf(result: EvolutionResult): string {
  const path = join(result.dir, "train.log");
  try {
    Deno.statSync(path);
    return displayPath(path);
  } catch {
    return "";
  }
}

/**
 * One line for a finished run: "run <id>: generation 1 copied, 2–3 trained; test MAE 9.918 →
 * 10.968 → 10.976; full log: results/runs/<id>/train.log".
 */
export function runSummary(result: EvolutionResult): string {
  const maes = result.metrics.generations.map((g) => g.metrics.mae.toFixed(3));
  const parts = [`run ${result.id}: ${fatesText(result.fates)}`];
  if (maes.length) parts.push(`test MAE ${maes.join(" → ")}`);
  if (!result.complete) parts.push("stopped before its last generation");
  const log = logFileOf(result);
  if (log) parts.push(`full log: ${log}`);
  return parts.join("; ");
}

/** The block as HTML: a `<details>` with the summary line and the lines in a scrolling `<pre>`. */
export function runLogHtml(block: RunLogBlock): string {
  const head = block.title ? `<b>${escapeHtml(block.title)}</b> · ` : "";
  return `<details class="cen-run-log"${block.open ? " open" : ""}>` +
    `<summary>${head}${escapeHtml(block.summary)}</summary>` +
    `<pre style="max-height: 24em; overflow: auto; font-size: 0.85em">` +
    `${escapeHtml(block.lines.join("\n"))}</pre></details>`;
}

/** The block as plain text: its title and summary line (and its lines, when drawn open). */
function runLogText(block: RunLogBlock): string {
  const line = block.title ? `${block.title} · ${block.summary}` : block.summary;
  return block.open ? [line, ...block.lines].join("\n") : line;
}

/** The MIME bundle of a block. */
function bundleOf(block: RunLogBlock): MimeBundle {
  return { "text/html": runLogHtml(block), "text/plain": runLogText(block) };
}

/** Shows a block in Jupyter (by display id: updates replace it), else prints its final text. */
async function defaultShow(m: BlockMessage): Promise<void> {
  if (inJupyter()) {
    await Deno.jupyter.display(m.bundle, { raw: true, update: m.update, display_id: m.displayId });
  } else if (m.final) {
    console.log(m.bundle["text/plain"]);
  }
}

/** Splits the collected lines into `runAll`'s header (the title) and the run's own lines. */
function titled(lines: readonly string[]): { title: string; lines: string[] } {
  const [first, ...rest] = lines;
  return first?.startsWith(HEADER)
    ? { title: first.slice(HEADER.length), lines: rest }
    : { title: "", lines: [...lines] };
}

/**
 * Options for `runConfig`/`runAll` that fold each run's log into one collapsed block (see the
 * module doc). One instance serves any number of runs, one after another.
 */
export function foldRunLogs(opts: FoldOptions = {}): FoldedRunLog {
  const show = opts.show ?? defaultShow;
  const updateMs = opts.updateMs ?? 1000;
  const now = opts.now ?? (() => performance.now());
  let lines: string[] = [];
  let displayId = "";
  let lastShown = -Infinity;
  let chain: Promise<void> = Promise.resolve();
  const enqueue = (message: BlockMessage) => {
    chain = chain.then(() => show(message)).catch((e) => console.error(`run log: ${e}`));
  };
  const log = (line: string) => {
    lines.push(line);
    const first = displayId === "";
    if (first) displayId = `cen-run-${crypto.randomUUID()}`;
    if (!first && now() - lastShown < updateMs) return;
    lastShown = now();
    const bundle = bundleOf({ ...titled(lines), summary: `running… ${line}` });
    enqueue({ bundle, displayId, update: !first, final: false });
  };
  const onRunEnd = async (result: EvolutionResult | undefined) => {
    const t = titled(lines);
    const block = result
      ? { ...t, summary: runSummary(result) }
      : { ...t, summary: "the run failed: its log so far is below", open: true };
    const update = displayId !== "";
    const id = displayId || `cen-run-${crypto.randomUUID()}`;
    enqueue({ bundle: bundleOf(block), displayId: id, update, final: true });
    lines = [];
    displayId = "";
    lastShown = -Infinity;
    await chain;
  };
  return { log, onRunEnd };
}
