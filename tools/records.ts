/**
 * `deno task records check [<folder>]`: checks every run record in `records/runs` (or the folder
 * given) — JSON, shape, id = hash of its config, finite metrics, complete epoch logs, the
 * pretraining it names present with the same inputs, and two versions of one run (a merge
 * conflict, a copy) shown side by side — and prints one line per problem on stdout, then a
 * summary. Exit status 1 when there is a problem, 0 otherwise (unfinished runs are only noted).
 *
 * @module
 */
import { type CommandSpec, type ParsedArgs, runCli, runCommand } from "../lib/cli.ts";
import { NotFoundError, UsageError } from "../lib/errors.ts";
import { exists } from "../lib/fsutil.ts";
import { displayPath } from "../lib/paths.ts";
import { DEFAULT_RECORDS_ROOT } from "../lib/train/record.ts";
import { checkRecordsFolder } from "../lib/train/records_check.ts";

/** The command line of `deno task records`. */
export const RECORDS_CLI = {
  name: "records",
  usage: "deno task records check [<folder>]",
  summary: "check: validates every run record (default records/runs): one line per problem, " +
    "exit status 1 if there is any.",
  options: {},
  positionals: [1, 2],
} as const satisfies CommandSpec;

/** Runs the command line `args` in this process; resolves to the exit status. */
export function main(args: readonly string[]): Promise<number> {
  return runCommand(RECORDS_CLI, run, args);
}

async function run(args: ParsedArgs<typeof RECORDS_CLI>): Promise<number> {
  const [command, folder = DEFAULT_RECORDS_ROOT] = args.positionals;
  if (command !== "check") throw new UsageError(`unknown command "${command}" (check)`);
  if (!(await exists(folder))) throw new NotFoundError(`no records folder ${folder}`);
  const report = await checkRecordsFolder(folder);
  for (const line of report.problems) console.log(line);
  for (const line of report.notes) console.log(`note: ${line}`);
  console.log(
    `${displayPath(folder)}: ${report.files} records, ${report.good} good, ` +
      `${report.problems.length} problem${report.problems.length === 1 ? "" : "s"}`,
  );
  return report.problems.length ? 1 : 0;
}

if (import.meta.main) await runCli(RECORDS_CLI, run);
