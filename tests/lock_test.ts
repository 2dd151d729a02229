/**
 * lib/lock.ts: when a lock is dead (by values), exclusion, taking over a dead holder on this host
 * and a stale one on another, the heartbeat (also while the holder is busy in synchronous work),
 * a lost lock, and several processes racing for one lock (also over a dead holder's lock): never
 * two holders at once.
 */
import { assert, assertEquals, assertRejects } from "@std/assert";
import { join } from "node:path";
import {
  acquireLock,
  type LockHere,
  LockTimeoutError,
  lockVerdict,
  ownerHere,
  processStart,
  readLock,
  thisHost,
} from "../lib/lock.ts";
import { withDeadline } from "./helpers/deadline.ts";

const HERE: LockHere = {
  host: "node-a",
  processStart: (pid) => (pid === 100 ? "5000" : pid === 200 ? "7000" : null),
};
const owner = (host: string, pid: number, pidStart?: string) => ({
  host,
  pid,
  ...(pidStart ? { pidStart } : {}),
  token: "t",
  since: "2026-01-01T00:00:00Z",
});
const STALE = 60_000;

Deno.test("lockVerdict: same host goes by the process, another host by the heartbeat", () => {
  // This host, process alive (same start time): wait, however old the heartbeat.
  assertEquals(lockVerdict(owner("node-a", 100, "5000"), 10 * STALE, STALE, HERE), undefined);
  // This host, alive, no start time recorded: wait.
  assertEquals(lockVerdict(owner("node-a", 100), 10 * STALE, STALE, HERE), undefined);
  // This host, process gone: dead at once, even with a fresh heartbeat.
  assertEquals(
    lockVerdict(owner("node-a", 300), 0, STALE, HERE),
    "its process 300 on this host is gone",
  );
  // This host, the pid now belongs to another process.
  assertEquals(
    lockVerdict(owner("node-a", 200, "6999"), 0, STALE, HERE),
    "pid 200 on this host now belongs to another process",
  );
  // Another host: fresh heartbeat → wait; older than the bound → dead.
  assertEquals(lockVerdict(owner("node-b", 300), STALE - 1, STALE, HERE), undefined);
  assertEquals(
    lockVerdict(owner("node-b", 300), 61_000, STALE, HERE),
    "its heartbeat is 61 s old (more than 60 s)",
  );
  // This host without /proc (liveness unknown): the heartbeat decides.
  const noProc: LockHere = { host: "node-a", processStart: () => undefined };
  assertEquals(lockVerdict(owner("node-a", 100), 1000, STALE, noProc), undefined);
  assert(lockVerdict(owner("node-a", 100), STALE + 1, STALE, noProc));
  // Unparsable (being written): left alone 10 s, then dead.
  assertEquals(lockVerdict(undefined, 9_000, STALE, HERE), undefined);
  assertEquals(
    lockVerdict(undefined, 11_000, STALE, HERE),
    "unreadable lock file, untouched for 11 s",
  );
});

Deno.test("processStart: this process has one, a pid that does not exist has none", () => {
  assert(typeof processStart(Deno.pid) === "string");
  assertEquals(processStart(2 ** 22 + 12345), null);
});

Deno.test("acquireLock: one holder; a second waits until release; release removes the file", async () => {
  const dir = await Deno.makeTempDir({ prefix: "cen-lock-" });
  const path = join(dir, "sub", "a.lock");
  const lines: string[] = [];
  const first = await acquireLock(path, { what: "test", log: (l) => lines.push(l) });
  const held = await readLock(path);
  assertEquals(held?.owner?.host, thisHost());
  assertEquals(held?.owner?.pid, Deno.pid);
  assertEquals(held?.owner?.what, "test");
  const err = await assertRejects(
    () => acquireLock(path, { timeoutMs: 300, pollMs: 50, log: (l) => lines.push(l) }),
    LockTimeoutError,
  );
  assert(err.message.includes(`${thisHost()}:${Deno.pid} (test)`), err.message);
  assert(lines.some((l) => l.includes("held by") && l.includes("waiting")), lines.join("\n"));
  // A waiter gets it as soon as the holder releases.
  const second = acquireLock(path, { pollMs: 20 });
  await new Promise((r) => setTimeout(r, 100));
  await first.release();
  const got = await second;
  assertEquals((await readLock(path))?.owner?.token, got.owner.token);
  await got.release();
  await got.release(); // idempotent
  assertEquals(await readLock(path), undefined);
  assertEquals([...Deno.readDirSync(join(dir, "sub"))].map((e) => e.name), []); // no leftovers
  await Deno.remove(dir, { recursive: true });
});

Deno.test("acquireLock: takes over a dead process's lock on this host at once", async () => {
  const dir = await Deno.makeTempDir({ prefix: "cen-lock-" });
  const path = join(dir, "a.lock");
  // A process that has exited: its pid is gone.
  const child = new Deno.Command("true").spawn();
  const { pid } = child;
  await child.status;
  await Deno.writeTextFile(path, JSON.stringify({ ...ownerHere("dead"), pid }));
  const lines: string[] = [];
  const lock = await acquireLock(path, { timeoutMs: 5_000, log: (l) => lines.push(l) });
  assertEquals((await readLock(path))?.owner?.pid, Deno.pid);
  assert(
    lines.some((l) =>
      l.includes(`taking over from ${thisHost()}:${pid} (dead)`) && l.includes("gone")
    ),
    lines.join("\n"),
  );
  await lock.release();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("acquireLock: another host's lock is waited for while it beats, taken over once stale", async () => {
  const dir = await Deno.makeTempDir({ prefix: "cen-lock-" });
  const path = join(dir, "a.lock");
  await Deno.writeTextFile(path, JSON.stringify(owner("some-other-node", 4242)));
  // Fresh heartbeat: wait (here: give up after 300 ms).
  await assertRejects(
    () => acquireLock(path, { staleMs: 5_000, timeoutMs: 300, pollMs: 50 }),
    LockTimeoutError,
  );
  // Its heartbeat stops: 10 s old against a 5 s bound → taken over.
  const old = new Date(Date.now() - 10_000);
  await Deno.utime(path, old, old);
  const lines: string[] = [];
  const lock = await acquireLock(path, {
    staleMs: 5_000,
    timeoutMs: 5_000,
    log: (l) => lines.push(l),
  });
  assert(
    lines.some((l) => l.includes("some-other-node:4242") && l.includes("heartbeat is 10 s old")),
  );
  await lock.release();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("acquireLock: the heartbeat beats while the holder is busy in synchronous work", async () => {
  const dir = await Deno.makeTempDir({ prefix: "cen-lock-" });
  const path = join(dir, "a.lock");
  const lock = await acquireLock(path, { heartbeatMs: 50 });
  const old = new Date(Date.now() - 3_600_000);
  await Deno.utime(path, old, old);
  // Block the event loop for 600 ms, as a training epoch does: the Worker still beats.
  const until = Date.now() + 600;
  while (Date.now() < until) { /* busy */ }
  const age = (await readLock(path))!.ageMs;
  assert(age < 1_000, `heartbeat ${age} ms old after a blocked event loop`);
  await lock.release();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("acquireLock: a lock taken over while held is reported lost and not removed on release", async () => {
  const dir = await Deno.makeTempDir({ prefix: "cen-lock-" });
  const path = join(dir, "a.lock");
  const lines: string[] = [];
  const lock = await acquireLock(path, { heartbeatMs: 30, log: (l) => lines.push(l) });
  const other = { ...owner("node-b", 1), token: "theirs" };
  await Deno.writeTextFile(path, JSON.stringify(other));
  await withDeadline(5_000, "lost lock detection", async () => {
    while (!lock.lost) await new Promise((r) => setTimeout(r, 20));
  });
  assert(lines.some((l) => l.includes("LOST")));
  await lock.release();
  assertEquals((await readLock(path))?.owner?.token, "theirs"); // theirs is left alone
  await Deno.remove(dir, { recursive: true });
});

/** A child that takes the lock, records enter/exit around a pause, and releases it. */
const RACER = `
import { acquireLock } from ${JSON.stringify(new URL("../lib/lock.ts", import.meta.url).href)};
const [path, log] = Deno.args;
const lock = await acquireLock(path, { pollMs: 10, staleMs: 2000 });
Deno.writeTextFileSync(log, "enter " + Deno.pid + "\\n", { append: true });
await new Promise((r) => setTimeout(r, 150));
Deno.writeTextFileSync(log, "exit " + Deno.pid + "\\n", { append: true });
await lock.release();
`;

Deno.test("acquireLock: processes racing for one lock (over a stale one) hold it one at a time", async () => {
  const dir = await Deno.makeTempDir({ prefix: "cen-lock-" });
  const path = join(dir, "a.lock"), log = join(dir, "log.txt"), racer = join(dir, "racer.ts");
  await Deno.writeTextFile(racer, RACER);
  // A dead holder on another host: every racer judges it stale and tries to break it.
  await Deno.writeTextFile(path, JSON.stringify(owner("gone-node", 7)));
  const old = new Date(Date.now() - 60_000);
  await Deno.utime(path, old, old);
  const n = 4;
  await withDeadline(120_000, "lock racers", async (signal) => {
    const outs = await Promise.all(
      Array.from({ length: n }, () =>
        new Deno.Command(Deno.execPath(), {
          args: ["run", "-A", racer, path, log],
          stdout: "null",
          stderr: "piped",
          signal,
        }).output()),
    );
    for (const o of outs) assert(o.success, new TextDecoder().decode(o.stderr));
  });
  const events = (await Deno.readTextFile(log)).trim().split("\n");
  assertEquals(events.length, 2 * n);
  for (let i = 0; i < events.length; i += 2) {
    const [a, pa] = events[i].split(" "), [b, pb] = events[i + 1].split(" ");
    assertEquals([a, b, pa], ["enter", "exit", pb], `interleaved: ${events.join(", ")}`);
  }
  assertEquals(await readLock(path), undefined);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("readLock: a bare pid (the earlier format of the data cache's lock) is a lock of this host", async () => {
  const dir = await Deno.makeTempDir({ prefix: "cen-lock-" });
  const path = join(dir, "build.lock");
  await Deno.writeTextFile(path, "2147483646");
  assertEquals((await readLock(path))?.owner?.host, thisHost());
  assertEquals((await readLock(path))?.owner?.pid, 2147483646);
  const started = Date.now();
  const lock = await acquireLock(path, { timeoutMs: 5_000 }); // its process is gone: at once
  assert(Date.now() - started < 2_000);
  await lock.release();
  await Deno.remove(dir, { recursive: true });
});
