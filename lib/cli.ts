/**
 * The command line of every `deno task`: one parser and one top-level error handler.
 *
 * A command declares its options once (a {@link CommandSpec}); {@link runCli} then
 *
 * - answers `--help` / `-h` with the usage built from that declaration (stdout, exit 0);
 * - refuses an unknown option, a missing or mistyped value, or the wrong number of positional
 *   arguments with one line naming the mistake (stderr, exit 2) before the command does anything;
 * - runs the command and turns a {@link UserError} (a config, data, usage or not-found error) into
 *   one line and exit 2, and anything else into its stack trace and exit 1.
 *
 * Commands that take config fields (`--tau 3`, `--optim.epochs 4`, `--data.params.count 500`) or
 * notebook parameters declare `extra`: flags that are not options are then collected (as raw
 * strings) instead of refused; {@link flagsToConfig} turns them into a partial config, whose
 * validation names an unknown field.
 *
 * @example
 * ```ts
 * const SPEC = {
 *   name: "export",
 *   usage: "deno task export --run <id|dir> [--to <folder>]",
 *   summary: "Copies a run's final model to the export folder.",
 *   options: { run: { type: "string", value: "<id|dir>", help: "the run", required: true } },
 * } as const satisfies CommandSpec;
 * await runCli(SPEC, async ({ options }) => { console.log(options.run); });
 * ```
 *
 * @module
 */
import type { PartialConfig } from "./config.ts";
import { ConfigError, UsageError, UserError } from "./errors.ts";

/** The kind of value an option takes (`boolean` options take none). */
export type OptionType = "boolean" | "string" | "number" | "integer";

/** One `--name` option of a command. */
export interface OptionSpec {
  type: OptionType;
  /** One line for `--help`. */
  help: string;
  /** The value's placeholder in `--help`, e.g. `<id|dir>` (default: `<type>` or the choices). */
  value?: string;
  /** The only values accepted (string options). */
  choices?: readonly string[];
  /** May be given more than once; the values are collected in order. */
  repeat?: boolean;
  /** Must be given. */
  required?: boolean;
  /** Left out of `--help` (internal options). */
  hidden?: boolean;
}

/** What a command accepts besides its options. */
export interface CommandSpec {
  /** Short name used as the prefix of error lines, e.g. `predict`. */
  name: string;
  /** Synopsis line(s), e.g. `deno task predict <image|folder> [options]`. */
  usage: string | readonly string[];
  /** What the command does (a sentence or two). */
  summary: string;
  options: Readonly<Record<string, OptionSpec>>;
  /** Positional arguments allowed: `[min, max]` (default `[0, 0]`; `max` may be `Infinity`). */
  positionals?: readonly [number, number];
  /**
   * Flags that are not options are collected into `extra` (raw strings; `true` for a flag with no
   * value) instead of refused; `help` says in `--help` what they are (config fields, notebook
   * parameters, adapter options).
   */
  extra?: { help: string };
  /** Text after the options in `--help` (examples, lists). */
  epilog?: string;
}

type ValueOf<O extends OptionSpec> = O["repeat"] extends true ? string[]
  : O["type"] extends "boolean" ? boolean
  : O["type"] extends "string" ? (O["choices"] extends readonly (infer C)[] ? C : string)
  : number;

/** Parsed option values, typed by the spec (absent when not given). */
export type OptionValues<S extends CommandSpec> = {
  -readonly [K in keyof S["options"]]?: ValueOf<S["options"][K]>;
};

/** The parsed command line. */
export interface ParsedArgs<S extends CommandSpec> {
  options: OptionValues<S>;
  positionals: string[];
  /** Flags that are not options, when the spec declares `extra` (raw values, in order). */
  extra: Record<string, string | true>;
}

/** Thrown by {@link parseArgs} for `--help` / `-h`; carries the usage text. */
export class HelpRequested extends Error {
  constructor(readonly text: string) {
    super("help requested");
    this.name = "HelpRequested";
  }
}

/** Width of `--help` text. */
const HELP_WIDTH = 100;

/** Word-wraps `text` into lines of at most `width` columns. */
function wrap(text: string, width = HELP_WIDTH): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return [...lines, line];
}

/** The `--help` text of a command. */
export function helpText(spec: CommandSpec): string {
  const usage = typeof spec.usage === "string" ? [spec.usage] : [...spec.usage];
  const rows: [string, string][] = Object.entries(spec.options)
    .filter(([, o]) => !o.hidden)
    .map(([name, o]) => [`--${name}${o.type === "boolean" ? "" : ` ${placeholder(o)}`}`, o.help]);
  rows.push(["-h, --help", "show this help and exit"]);
  const width = Math.min(28, Math.max(...rows.map(([l]) => l.length)) + 2);
  const pad = " ".repeat(width + 2);
  const option = ([flag, help]: [string, string]) => {
    const text = wrap(help, HELP_WIDTH - pad.length);
    const first = flag.length >= width ? `  ${flag}\n${pad}` : `  ${flag.padEnd(width)}`;
    return first + text.join(`\n${pad}`);
  };
  const lines = [
    `usage: ${usage[0]}`,
    ...usage.slice(1).map((u) => `       ${u}`),
    "",
    ...wrap(spec.summary),
    "",
    "options:",
    ...rows.map(option),
  ];
  if (spec.extra) lines.push("", ...wrap(spec.extra.help));
  if (spec.epilog) lines.push("", spec.epilog);
  return lines.join("\n");
}

function placeholder(o: OptionSpec): string {
  return o.value ?? (o.choices ? o.choices.join("|") : `<${o.type === "integer" ? "n" : o.type}>`);
}

/** Checks and converts one option value. */
function convert(name: string, o: OptionSpec, raw: string): string | number | boolean {
  if (o.type === "boolean") {
    if (raw === "true" || raw === "false") return raw === "true";
    throw new UsageError(`--${name} takes no value (got "${raw}")`);
  }
  if (o.type === "string") {
    if (o.choices && !o.choices.includes(raw)) {
      throw new UsageError(`--${name} must be one of ${o.choices.join(", ")} (got "${raw}")`);
    }
    return raw;
  }
  const n = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(n) || (o.type === "integer" && !Number.isInteger(n))) {
    throw new UsageError(
      `--${name} needs ${o.type === "integer" ? "an integer" : "a number"} (got "${raw}")`,
    );
  }
  return n;
}

/** Splits `--name=value` into its parts (`value` undefined without `=`). */
function splitFlag(arg: string): [string, string | undefined] {
  const eq = arg.indexOf("=");
  return eq > 2 ? [arg.slice(2, eq), arg.slice(eq + 1)] : [arg.slice(2), undefined];
}

/**
 * Parses `args` against `spec`. `--name value` and `--name=value` are both accepted; `--` ends the
 * options. Throws {@link HelpRequested} for `--help`/`-h` and {@link UsageError} for a mistake.
 */
export function parseArgs<S extends CommandSpec>(spec: S, args: readonly string[]): ParsedArgs<S> {
  if (args.some((a) => a === "--help" || a === "-h")) throw new HelpRequested(helpText(spec));
  const options: Record<string, unknown> = {};
  const positionals: string[] = [];
  const extra: Record<string, string | true> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--") {
      positionals.push(...args.slice(i + 1));
      break;
    }
    if (!arg.startsWith("--") || arg.length === 2) {
      if (arg.startsWith("-") && arg.length > 1 && !/^-[\d.]/.test(arg)) {
        throw new UsageError(`unknown option ${arg}`);
      }
      positionals.push(arg);
      continue;
    }
    const [name, inline] = splitFlag(arg);
    const next = args[i + 1];
    const hasNext = next !== undefined && !next.startsWith("--");
    const o = spec.options[name];
    if (!o) {
      if (!spec.extra) throw new UsageError(`unknown option --${name}`);
      if (name === "" || name.startsWith("-")) throw new UsageError(`malformed option ${arg}`);
      extra[name] = inline ?? (hasNext ? args[++i] : true);
      continue;
    }
    let raw = inline;
    if (raw === undefined && o.type !== "boolean") {
      if (!hasNext) throw new UsageError(`--${name} needs a value (${placeholder(o)})`);
      raw = args[++i];
    }
    const value = raw === undefined ? true : convert(name, o, raw);
    if (o.repeat) ((options[name] ??= []) as unknown[]).push(value);
    else if (name in options) throw new UsageError(`--${name} given twice`);
    else options[name] = value;
  }
  for (const [name, o] of Object.entries(spec.options)) {
    if (o.required && !(name in options)) throw new UsageError(`--${name} is required`);
  }
  const [min, max] = spec.positionals ?? [0, 0];
  if (positionals.length < min || positionals.length > max) {
    throw new UsageError(
      positionals.length > max
        ? `unexpected argument${positionals.length - max > 1 ? "s" : ""} ${
          positionals.slice(max).map((p) => JSON.stringify(p)).join(" ")
        }`
        : `missing argument (usage: ${
          typeof spec.usage === "string" ? spec.usage : spec.usage[0]
        })`,
    );
  }
  return { options: options as OptionValues<S>, positionals, extra };
}

/**
 * The one place where a command's errors end: a {@link UserError} prints
 * `<name>: <message>` (a usage error adds `(see --help)`) and gives exit status 2; any other
 * error prints its stack and gives 1. Returns the exit status.
 */
export function reportError(name: string, e: unknown): number {
  if (e instanceof UserError) {
    const hint = e instanceof UsageError ? " (see --help)" : "";
    console.error(`${name}: ${e.message}${hint}`);
    return 2;
  }
  console.error(e instanceof Error ? (e.stack ?? String(e)) : e);
  return 1;
}

/**
 * Parses `args` against `spec` and runs `body`; resolves to the exit status: 0 for `--help` (the
 * usage printed) or when `body` returns nothing, `body`'s number otherwise, 2 for a usage mistake
 * or another {@link UserError} (one line printed), 1 for an unexpected error (its stack printed).
 */
export async function runCommand<S extends CommandSpec>(
  spec: S,
  body: (args: ParsedArgs<S>) => Promise<number | void> | number | void,
  args: readonly string[],
): Promise<number> {
  try {
    return (await body(parseArgs(spec, args))) ?? 0;
  } catch (e) {
    if (!(e instanceof HelpRequested)) return reportError(spec.name, e);
    console.log(e.text);
    return 0;
  }
}

/** {@link runCommand} on `args` (default `Deno.args`), then exits with its status. */
export async function runCli<S extends CommandSpec>(
  spec: S,
  body: (args: ParsedArgs<S>) => Promise<number | void> | number | void,
  args: readonly string[] = Deno.args,
): Promise<never> {
  Deno.exit(await runCommand(spec, body, args));
}

/** Types a raw flag value: `true`, `false`, `null` and numbers; anything else stays a string. */
export function typedValue(raw: string | true): unknown {
  if (raw === true || raw === "true") return true;
  if (raw === "false") return false;
  if (raw === "null") return null;
  if (raw !== "" && !Number.isNaN(Number(raw))) return Number(raw);
  return raw;
}

/**
 * Builds a partial config from dotted flags (`optim.epochs` → `{ optim: { epochs } }`), typing
 * each value with {@link typedValue}. Validation (unknown fields, ranges) is `makeConfig`'s.
 */
export function flagsToConfig(flags: Record<string, string | true | unknown>): PartialConfig {
  const out: Record<string, unknown> = {};
  for (const [key, raw] of Object.entries(flags)) {
    const path = key.split(".");
    if (path.some((p) => p.length === 0)) throw new ConfigError(key, "malformed flag");
    let node = out;
    for (const p of path.slice(0, -1)) node = (node[p] ??= {}) as Record<string, unknown>;
    node[path[path.length - 1]] = typeof raw === "string" || raw === true ? typedValue(raw) : raw;
  }
  return out as PartialConfig;
}
