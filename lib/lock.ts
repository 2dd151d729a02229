/**
 * Locks on a filesystem that several processes, or several machines, share (a run, a generation,
 * a data cache being built): one holder at a time, the others wait, and a dead holder's lock is
 * taken over.
 *
 * - **Atomic.** The lock is a file whose content names its owner (host, pid, the pid's start time,
 *   a random token). It is written whole to a private temporary name and hard-linked to the lock's
 *   name, which fails when the name exists (atomic on local filesystems and on NFS); where hard
 *   links are not supported it is created with `createNew` instead.
 * - **Heartbeat.** While held, the lock file's modification time is refreshed every `heartbeatMs`
 *   from a Worker thread, so that a holder busy in long synchronous work (a training epoch never
 *   yields to the event loop) still beats.
 * - **Taking over.** A lock is dead when its owner runs on this host and its process is gone (or
 *   the pid now belongs to another process), or, for an owner on another host (or one whose
 *   liveness cannot be read), when its heartbeat is older than `staleMs`. A dead lock is removed
 *   under a short-lived breaker lock (`<path>.break`), which makes sure that two waiters that both
 *   judged it dead do not also remove the lock the first of them has just taken.
 *
 * - **Damage.** A lock file cut short, emptied or garbage is unreadable: left alone for 10 s (it may
 *   be being written), then taken over like a dead one. A folder in its place is a
 *   {@link DamagedFileError} naming it (nothing of ours makes one: it is removed by hand), and a
 *   lock that cannot be written (a file where its folder should be, a full disk) a
 *   {@link WriteError}; a killed writer's temporary file is ignored.
 *
 * Clocks of the hosts sharing the filesystem must agree to well within `staleMs` (Slurm and munge
 * require synchronised clocks anyway).
 *
 * @module
 */
import { DamagedFileError, WriteError } from "./errors.ts";
import { displayPath } from "./paths.ts";
import { basename, dirname, join } from "node:path";

/** Who holds a lock: the content of the lock file. */
export interface LockOwner {
  host: string;
  pid: number;
  /** The process's start time (field 22 of /proc/<pid>/stat), to tell a reused pid apart. */
  pidStart?: string;
  /** Random, unique to this holding of the lock. */
  token: string;
  /** When it was taken (ISO time). */
  since: string;
  /** What the lock protects, in words (for messages). */
  what?: string;
}

/** How to take a lock. */
export interface LockOptions {
  /** Progress lines: waiting for a holder, taking over a dead one. */
  log?: (line: string) => void;
  /** What the lock protects, in words (kept in the lock file, shown to waiters). */
  what?: string;
  /** How often the holder refreshes its heartbeat (default 10 s). */
  heartbeatMs?: number;
  /** A heartbeat older than this means a dead holder on another host (default 120 s). */
  staleMs?: number;
  /** How often a waiter looks again (default 500 ms). */
  pollMs?: number;
  /** Give up after waiting this long (a {@link LockTimeoutError}); default: wait for ever. */
  timeoutMs?: number;
}

/** A lock held by this process. `await using lock = await acquireLock(…)` releases it at scope end. */
export interface Lock extends AsyncDisposable {
  path: string;
  owner: LockOwner;
  /** True once another process took the lock over (our heartbeat found its file gone or not ours). */
  readonly lost: boolean;
  /** Stops the heartbeat and removes the lock file if it is still ours. Idempotent. */
  release(): Promise<void>;
}

/** Waiting for a lock took longer than `timeoutMs`. */
export class LockTimeoutError extends Error {
  constructor(readonly path: string, readonly holder: LockOwner | undefined, ms: number) {
    super(`lock ${path}: still held by ${describeOwner(holder)} after ${Math.round(ms / 1000)} s`);
    this.name = "LockTimeoutError";
  }
}

/** Defaults of {@link LockOptions}. */
export const LOCK_DEFAULTS = { heartbeatMs: 10_000, staleMs: 120_000, pollMs: 500 } as const;

/** A lock file that cannot be parsed (being written, or truncated) is left alone this long. */
const UNREADABLE_GRACE_MS = 10_000;
/** A breaker lock older than this was left by a process that died while breaking: removed. */
const BREAKER_STALE_MS = 10_000;

let hostName: string | undefined;
/** This machine's host name. */
export function thisHost(): string {
  hostName ??= Deno.hostname();
  return hostName;
}

/** The start time of process `pid` (field 22 of /proc/<pid>/stat); null if it does not exist, undefined without /proc. */
export function processStart(pid: number): string | null | undefined {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    // The command name (field 2) is in parentheses and may contain spaces: split after it.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return fields[19]; // field 22 overall: 3 + 19
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      try {
        Deno.statSync("/proc/self/stat");
        return null; // /proc works: the process is gone
      } catch {
        return undefined;
      }
    }
    return undefined;
  }
}

/** What this process writes as owner. */
export function ownerHere(what?: string): LockOwner {
  const start = processStart(Deno.pid);
  return {
    host: thisHost(),
    pid: Deno.pid,
    ...(start ? { pidStart: start } : {}),
    token: crypto.randomUUID(),
    since: new Date().toISOString(),
    ...(what ? { what } : {}),
  };
}

/** "host:pid (what)". */
export function describeOwner(o: LockOwner | undefined): string {
  if (!o) return "an unknown process";
  return `${o.host}:${o.pid}${o.what ? ` (${o.what})` : ""}`;
}

/** What {@link lockVerdict} knows about this machine. */
export interface LockHere {
  host: string;
  /** A process's start time: a string if it runs, null if it does not, undefined if unknown. */
  processStart(pid: number): string | null | undefined;
}

/**
 * Whether a lock file is dead, and why: `owner` as parsed (undefined: unreadable), `ageMs` since
 * its last heartbeat. Undefined means alive (wait for it). Pure given `here`.
 */
export function lockVerdict(
  owner: LockOwner | undefined,
  ageMs: number,
  staleMs: number,
  here: LockHere,
): string | undefined {
  if (!owner) {
    return ageMs > UNREADABLE_GRACE_MS
      ? `unreadable lock file, untouched for ${Math.round(ageMs / 1000)} s`
      : undefined;
  }
  if (owner.host === here.host) {
    const start = here.processStart(owner.pid);
    if (start === null) return `its process ${owner.pid} on this host is gone`;
    if (start !== undefined) {
      if (owner.pidStart !== undefined && owner.pidStart !== start) {
        return `pid ${owner.pid} on this host now belongs to another process`;
      }
      return undefined; // alive on this host: however old its heartbeat, wait
    }
  }
  if (ageMs > staleMs) {
    return `its heartbeat is ${Math.round(ageMs / 1000)} s old (more than ${
      Math.round(staleMs / 1000)
    } s)`;
  }
  return undefined;
}

/** Reads a lock file: its owner (undefined if unparsable) and heartbeat age; undefined if absent. */
export async function readLock(
  path: string,
): Promise<{ owner: LockOwner | undefined; ageMs: number; mtime: number } | undefined> {
  let text: string, info: Deno.FileInfo;
  try {
    info = await Deno.stat(path);
    if (info.isDirectory) {
      throw new DamagedFileError(
        displayPath(path),
        "a folder where a lock file should be",
        `remove it (rm -r ${displayPath(path)}): no process can take or hold this lock`,
      );
    }
    text = await Deno.readTextFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    throw e;
  }
  let owner: LockOwner | undefined;
  try {
    const o = JSON.parse(text);
    if (o && typeof o.host === "string" && typeof o.pid === "number") owner = o;
    // The earlier format (the data cache's lock): a bare pid, written on this host.
    if (Number.isInteger(o) && o > 0) owner = { host: thisHost(), pid: o, token: "", since: "" };
  } catch { /* being written */ }
  const mtime = info.mtime?.getTime() ?? 0;
  return { owner, ageMs: Date.now() - mtime, mtime };
}

/**
 * The live holder of the lock at `path`, or undefined when the lock is free, unreadable, or held
 * by a dead process (the next {@link acquireLock} takes it over). A look, not a claim: it may
 * change right after.
 */
export async function liveHolder(
  path: string,
  staleMs: number = LOCK_DEFAULTS.staleMs,
): Promise<LockOwner | undefined> {
  const held = await readLock(path);
  if (!held?.owner) return undefined;
  const dead = lockVerdict(held.owner, held.ageMs, staleMs, { host: thisHost(), processStart });
  return dead === undefined ? held.owner : undefined;
}

/** Creates `path` with `text` only if it does not exist; false if it does. */
async function createExclusive(path: string, text: string): Promise<boolean> {
  const tmp = join(
    dirname(path),
    `.${basename(path)}.${thisHost()}.${Deno.pid}.${crypto.randomUUID().slice(0, 8)}.tmp`,
  );
  await Deno.writeTextFile(tmp, text);
  try {
    await Deno.link(tmp, path);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.AlreadyExists) return false;
    // No hard links here (some FUSE or SMB mounts): create it in place instead.
    try {
      const f = await Deno.open(path, { createNew: true, write: true });
      try {
        await f.write(new TextEncoder().encode(text));
      } finally {
        f.close();
      }
      return true;
    } catch (e2) {
      if (e2 instanceof Deno.errors.AlreadyExists) return false;
      throw e2;
    }
  } finally {
    await Deno.remove(tmp).catch(() => {});
  }
}

/**
 * {@link createExclusive} for a lock (its folder made first): a lock that cannot be written (a
 * file where its folder should be, a full disk) is a {@link WriteError} naming it.
 */
async function createLockFile(path: string, text: string): Promise<boolean> {
  try {
    await Deno.mkdir(dirname(path), { recursive: true });
    return await createExclusive(path, text);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new WriteError(path, `cannot create the lock ${displayPath(path)}: ${why}`);
  }
}

/**
 * Removes the lock file `path` if it is still the one judged dead (same token, same heartbeat),
 * under the breaker lock, so that a lock taken in the meantime is never removed. False when
 * another process holds the breaker.
 */
async function breakLock(
  path: string,
  judged: { token?: string; mtime: number },
): Promise<boolean> {
  const breaker = `${path}.break`;
  if (!(await createExclusive(breaker, JSON.stringify(ownerHere("breaking a dead lock"))))) {
    const b = await readLock(breaker);
    if (b && b.ageMs > BREAKER_STALE_MS) await Deno.remove(breaker).catch(() => {});
    return false; // someone else is breaking it: look again later
  }
  try {
    const now = await readLock(path);
    if (now && now.owner?.token === judged.token && now.mtime === judged.mtime) {
      await Deno.remove(path).catch(() => {});
    }
    return true;
  } finally {
    await Deno.remove(breaker).catch(() => {});
  }
}

/** The heartbeat Worker: touches the lock file while it is still ours; says "lost" otherwise. */
const HEARTBEAT_SOURCE = `
self.onmessage = (e) => {
  const { path, token, everyMs } = e.data;
  const beat = () => {
    try {
      const owner = JSON.parse(Deno.readTextFileSync(path));
      if (owner.token !== token) throw new Error("not ours");
      const now = new Date();
      Deno.utimeSync(path, now, now);
    } catch {
      clearInterval(timer);
      self.postMessage("lost");
    }
  };
  const timer = setInterval(beat, everyMs);
};
`;
let heartbeatUrl: string | undefined;

function startHeartbeat(path: string, token: string, everyMs: number, onLost: () => void): Worker {
  heartbeatUrl ??= URL.createObjectURL(
    new Blob([HEARTBEAT_SOURCE], { type: "application/javascript" }),
  );
  const worker = new Worker(heartbeatUrl, { type: "module" });
  worker.onmessage = () => onLost();
  worker.postMessage({ path, token, everyMs });
  return worker;
}

/**
 * Takes the lock `path` (its folder is created): waits while a live process holds it and takes
 * over a dead one's (see the module doc). `options` may be just a log function.
 */
export async function acquireLock(
  path: string,
  options: LockOptions | ((line: string) => void) = {},
): Promise<Lock> {
  const opts: LockOptions = typeof options === "function" ? { log: options } : options;
  const log = opts.log ?? (() => {});
  const staleMs = opts.staleMs ?? LOCK_DEFAULTS.staleMs;
  const pollMs = opts.pollMs ?? LOCK_DEFAULTS.pollMs;
  const here: LockHere = { host: thisHost(), processStart };
  const owner = ownerHere(opts.what);
  const started = Date.now();
  let toldAbout: string | undefined;
  for (;;) {
    if (await createLockFile(path, JSON.stringify(owner) + "\n")) break;
    const held = await readLock(path);
    if (!held) continue; // released between our attempt and our look: try again
    const dead = lockVerdict(held.owner, held.ageMs, staleMs, here);
    if (dead) {
      log(`lock ${displayPath(path)}: taking over from ${describeOwner(held.owner)}: ${dead}`);
      if (!(await breakLock(path, { token: held.owner?.token, mtime: held.mtime }))) {
        await new Promise((r) => setTimeout(r, pollMs));
      }
      continue;
    }
    if (opts.timeoutMs !== undefined && Date.now() - started > opts.timeoutMs) {
      throw new LockTimeoutError(path, held.owner, Date.now() - started);
    }
    if (toldAbout !== held.owner?.token) {
      log(`lock ${displayPath(path)}: held by ${describeOwner(held.owner)}; waiting`);
      toldAbout = held.owner?.token;
    }
    await new Promise((r) => setTimeout(r, pollMs));
  }
  let lost = false, released = false;
  const worker = startHeartbeat(
    path,
    owner.token,
    opts.heartbeatMs ?? LOCK_DEFAULTS.heartbeatMs,
    () => {
      if (released) return;
      lost = true;
      log(`lock ${displayPath(path)}: LOST (another process took it over while we held it)`);
    },
  );
  const release = async () => {
    if (released) return;
    released = true;
    worker.terminate();
    const now = await readLock(path).catch(() => undefined);
    if (now?.owner?.token === owner.token) await Deno.remove(path).catch(() => {});
  };
  return {
    path,
    owner,
    get lost() {
      return lost;
    },
    release,
    [Symbol.asyncDispose]: release,
  };
}
