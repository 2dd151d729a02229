/**
 * Checks a folder of run records as a whole (`deno task records check`): each file as
 * `checkRecordText` reads it (JSON, shape, finite metrics, id = hash of its config), each
 * generation's epoch log complete, each pretraining a record names present with the inputs it
 * names, and two versions of one run (a merge conflict's two sides, or two files holding the same
 * run) compared, their disagreeing metrics shown side by side. Runs that have not finished every
 * generation are notes, not problems: a study commits a run's record as each generation ends.
 *
 * @module
 */
import { join } from "node:path";
import { displayPath } from "../paths.ts";
import { inputsDigest } from "./inputs.ts";
import { checkRecordText, type RunRecord } from "./record.ts";

/** What {@link checkRecordsFolder} found. */
export interface RecordsReport {
  /** Record files read. */
  files: number;
  /** Records that passed every check. */
  good: number;
  /** One line per problem, naming its file. */
  problems: string[];
  /** One line per run that is recorded but not finished (not a problem). */
  notes: string[];
}

/** The two sides of a text with merge-conflict markers, or undefined when it has none. */
export function conflictSides(text: string): [string, string] | undefined {
  if (!/^<{7}( |$)/m.test(text)) return undefined;
  const ours: string[] = [];
  const theirs: string[] = [];
  let side: "both" | "ours" | "base" | "theirs" = "both";
  for (const line of text.split("\n")) {
    if (/^<{7}( |$)/.test(line)) side = "ours";
    else if (/^\|{7}( |$)/.test(line)) side = "base";
    else if (/^={7}$/.test(line) && side !== "both") side = "theirs";
    else if (/^>{7}( |$)/.test(line)) side = "both";
    else {
      if (side === "both" || side === "ours") ours.push(line);
      if (side === "both" || side === "theirs") theirs.push(line);
    }
  }
  return [ours.join("\n"), theirs.join("\n")];
}

/** Where two versions of one run's record disagree, metric by metric ("" when they agree). */
export function recordDifferences(a: RunRecord, b: RunRecord): string {
  const out: string[] = [];
  const n = Math.max(a.generations.length, b.generations.length);
  for (let t = 1; t <= n; t++) {
    const ma = a.generations[t - 1]?.metrics;
    const mb = b.generations[t - 1]?.metrics;
    if (!ma || !mb) {
      out.push(`generation ${t} only in the ${ma ? "first" : "second"}`);
      continue;
    }
    for (const k of ["mae", "maeLdl", "maeReg"] as const) {
      if (ma[k] !== mb[k]) {
        out.push(`generation ${t} ${k} ${ma[k].toFixed(3)} vs ${mb[k].toFixed(3)}`);
      }
    }
  }
  if (JSON.stringify(a.inputs) !== JSON.stringify(b.inputs)) out.push("inputs differ");
  return out.join(", ");
}

/** Why a record's generations are incomplete inside (an epoch log shorter than its config's E). */
function epochProblem(r: RunRecord): string | undefined {
  for (const g of r.generations) {
    if (g.epochs.length !== r.config.optim.epochs) {
      return `generation ${g.generation} logs ${g.epochs.length} epochs, its config trains ${r.config.optim.epochs}`;
    }
  }
  return undefined;
}

/** Checks every `*.json` record in `root`; see the module doc. */
export async function checkRecordsFolder(root: string): Promise<RecordsReport> {
  const report: RecordsReport = { files: 0, good: 0, problems: [], notes: [] };
  const names: string[] = [];
  for await (const e of Deno.readDir(root)) if (e.name.endsWith(".json")) names.push(e.name);
  names.sort();
  const byId = new Map<string, { path: string; record: RunRecord }>();
  const good: { path: string; record: RunRecord }[] = [];
  for (const name of names) {
    report.files++;
    const path = join(root, name);
    const shown = displayPath(path);
    let text: string;
    try {
      text = await Deno.readTextFile(path);
    } catch (e) {
      report.problems.push(`${shown}: cannot be read (${(e as Error).message})`);
      continue;
    }
    const sides = conflictSides(text);
    if (sides) {
      const [a, b] = await Promise.all(sides.map((s) => checkRecordText(s, path)));
      const diff = a.ok && b.ok ? recordDifferences(a.record, b.record) : "";
      report.problems.push(
        `${shown}: a merge conflict between two versions of the run` +
          (diff ? ` that disagree: ${diff}` : a.ok && b.ok ? " (they agree)" : "") +
          "; keep one side (git checkout --ours/--theirs) or delete it and train the run again",
      );
      continue;
    }
    const check = await checkRecordText(text, path);
    if (!check.ok) {
      const twin = check.reason.includes("not the run its file name says")
        ? await sameRunElsewhere(text, root)
        : "";
      report.problems.push(`${shown}: ${check.reason}${twin}`);
      continue;
    }
    const inner = epochProblem(check.record);
    if (inner) {
      report.problems.push(`${shown}: ${inner}`);
      continue;
    }
    byId.set(check.record.id, { path, record: check.record });
    good.push({ path, record: check.record });
  }
  for (const { path, record } of good) {
    const problem = pretrainingProblem(record, byId);
    if (problem) report.problems.push(`${displayPath(path)}: ${problem}`);
    else report.good++;
    const { generations } = record.config;
    if (record.generations.length < generations) {
      report.notes.push(
        `${
          displayPath(path)
        }: ${record.generations.length} of ${generations} generations recorded (unfinished)`,
      );
    }
  }
  return report;
}

/** The record's pretraining: recorded here, with the inputs this record says it started from. */
function pretrainingProblem(
  record: RunRecord,
  byId: Map<string, { path: string; record: RunRecord }>,
): string | undefined {
  const ref = record.inputs.pretrained;
  if (!ref || ref.startsWith("weights:")) return undefined;
  const [id, digest] = ref.split(":");
  const pre = byId.get(id);
  if (!pre) return `its pretraining ${id} has no (readable) record here`;
  if (inputsDigest(pre.record.inputs) !== digest) {
    return `it started from pretraining ${id} trained on other inputs than that record's`;
  }
  return undefined;
}

/** ", and <file> holds the same run: …" where another record file holds the run in `text`. */
async function sameRunElsewhere(text: string, root: string): Promise<string> {
  const id = (JSON.parse(text) as RunRecord).id;
  const path = join(root, `${id}.json`);
  try {
    const other = await checkRecordText(await Deno.readTextFile(path), path);
    if (!other.ok) return "";
    const diff = recordDifferences(other.record, JSON.parse(text) as RunRecord);
    return `; ${displayPath(path)} holds the same run` +
      (diff ? `, and they disagree: ${diff}` : "");
  } catch {
    return "";
  }
}
