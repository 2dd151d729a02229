/**
 * Turns `--key value` command-line flags into a partial config, so any field can be overridden
 * without editing code: `--tau 3`, `--optim.epochs 4`, `--data.params.count 500`.
 *
 * @module
 */
import type { PartialConfig } from "./config.ts";
import { ConfigError } from "./errors.ts";

function parseValue(raw: string): unknown {
  if (raw === "true") return true;
  if (raw === "false") return false;
  if (raw === "null") return null;
  if (raw !== "" && !Number.isNaN(Number(raw))) return Number(raw);
  return raw;
}

/** Splits arguments into flags (`--a.b value` or `--a.b=value`) and positional arguments. */
export function parseFlags(args: string[]): { flags: Record<string, unknown>; rest: string[] } {
  const flags: Record<string, unknown> = {};
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (!a.startsWith("--")) {
      rest.push(a);
      continue;
    }
    const eq = a.indexOf("=");
    if (eq > 0) flags[a.slice(2, eq)] = parseValue(a.slice(eq + 1));
    else if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
      flags[a.slice(2)] = parseValue(args[++i]);
    } else flags[a.slice(2)] = true;
  }
  return { flags, rest };
}

/** Builds a partial config from dotted keys (`optim.epochs` → `{ optim: { epochs } }`). */
export function flagsToConfig(flags: Record<string, unknown>): PartialConfig {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(flags)) {
    const path = key.split(".");
    if (path.some((p) => p.length === 0)) throw new ConfigError(key, "malformed flag");
    let node = out;
    for (const p of path.slice(0, -1)) node = (node[p] ??= {}) as Record<string, unknown>;
    node[path[path.length - 1]] = value;
  }
  return out as PartialConfig;
}
