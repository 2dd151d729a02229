/**
 * The locks of the trainer (lib/lock.ts), under `<runs root>/_locks/`, so that processes on one
 * machine or on many (Slurm tasks sharing the runs folder) never train the same thing twice:
 *
 * - `run-<id>.lock`: one process works in a run's folder at a time (held by `runEvolution` for
 *   the whole run); a second one waits, then finds the run finished (or resumes it from its last
 *   checkpoint if the first died).
 * - `gen-<generation key>.lock`: one process trains a given generation at a time, whichever run
 *   it belongs to (runs that differ only in τ share generation 1); the others wait, then copy
 *   the finished generation instead of training it (`reuseGeneration` in evolve.ts).
 *
 * The locks live outside the run folders because a run folder may be moved aside (claimRunDir)
 * while its lock is held. Lock order: a run lock, then at most one generation lock at a time, and
 * no run lock is taken while a generation lock is held, so waiting never deadlocks.
 *
 * Heartbeat and staleness: `CEN_LOCK_HEARTBEAT_S` (default 10) and `CEN_LOCK_STALE_S` (default
 * 120; a holder on another host whose heartbeat is older is taken as dead).
 *
 * @module
 */
import { type EnvName, envSetting } from "../paths.ts";
import { join, resolve } from "node:path";
import type { CenConfig } from "../config.ts";
import { acquireLock, describeOwner, liveHolder, type Lock, type LockOptions } from "../lock.ts";
import { DEFAULT_RUNS_ROOT, generationKey } from "./run.ts";

/** The folder of the trainer's lock files under a runs root. */
export function locksDir(runsRoot: string = DEFAULT_RUNS_ROOT): string {
  return join(resolve(runsRoot), "_locks");
}

/** Heartbeat and staleness from the environment (seconds), else lib/lock.ts's defaults. */
export function lockTimingFromEnv(
  env: (name: string) => string | undefined = (n) => envSetting(n as EnvName),
): Pick<LockOptions, "heartbeatMs" | "staleMs"> {
  const seconds = (name: string) => {
    const v = Number(env(name));
    return env(name) !== undefined && Number.isFinite(v) && v > 0 ? v * 1000 : undefined;
  };
  const out: Pick<LockOptions, "heartbeatMs" | "staleMs"> = {};
  const h = seconds("CEN_LOCK_HEARTBEAT_S"), s = seconds("CEN_LOCK_STALE_S");
  if (h !== undefined) out.heartbeatMs = h;
  if (s !== undefined) out.staleMs = s;
  return out;
}

const runLockPath = (id: string, runsRoot: string | undefined) =>
  join(locksDir(runsRoot), `run-${id}.lock`);

/** Takes the lock of run `id` (waits while another live process works in it). */
export function lockRun(
  id: string,
  runsRoot: string | undefined,
  log: (line: string) => void,
): Promise<Lock> {
  return acquireLock(runLockPath(id, runsRoot), {
    log,
    what: `run ${id}`,
    ...lockTimingFromEnv(),
  });
}

/** Takes the lock of generation `t` of `config` (shared by every run with its generation key). */
export async function lockGeneration(
  config: CenConfig,
  t: number,
  runsRoot: string | undefined,
  log: (line: string) => void,
): Promise<Lock> {
  const key = await generationKey(config, t);
  return await acquireLock(join(locksDir(runsRoot), `gen-${key}.lock`), {
    log,
    what: `generation ${t} (key ${key})`,
    ...lockTimingFromEnv(),
  });
}

/**
 * Who works in run `id` now ("host:pid (run …)"), or undefined when no live process does: a
 * study worker puts such a run at the end of its list instead of waiting for it.
 */
export async function runHolder(id: string, runsRoot?: string): Promise<string | undefined> {
  const owner = await liveHolder(runLockPath(id, runsRoot), lockTimingFromEnv().staleMs);
  return owner ? describeOwner(owner) : undefined;
}
