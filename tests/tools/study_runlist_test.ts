/**
 * A study worker (`tools/study.ts --run-list`) does not wait for a run another live process works
 * in: it puts that run off to the end of its list, trains the others first, then comes back to it.
 * And `liveHolder`/`runHolder` (lib/lock.ts, lib/train/locks.ts) tell a live holder from a dead one.
 */
import { assert, assertEquals } from "@std/assert";
import { join } from "node:path";
import { configHash, makeConfig } from "../../lib/config.ts";
import { acquireLock, liveHolder, ownerHere, thisHost } from "../../lib/lock.ts";
import { lockRun, runHolder } from "../../lib/train/locks.ts";
import { ROOT } from "../helpers/tool.ts";
import { withDeadline } from "../helpers/deadline.ts";

Deno.test("liveHolder / runHolder: free, held by a live process, released, held by a dead one", async () => {
  const runs = await Deno.makeTempDir({ prefix: "cen-holder-" });
  assertEquals(await runHolder("abc", runs), undefined);
  const lock = await lockRun("abc", runs, () => {});
  assertEquals(await runHolder("abc", runs), `${thisHost()}:${Deno.pid} (run abc)`);
  await lock.release();
  assertEquals(await runHolder("abc", runs), undefined);
  // a process that has exited
  const child = new Deno.Command("true").spawn();
  await child.status;
  const path = join(runs, "dead.lock");
  await Deno.writeTextFile(path, JSON.stringify({ ...ownerHere("dead"), pid: child.pid }));
  assertEquals(await liveHolder(path), undefined);
  const held = await acquireLock(path, { timeoutMs: 5_000 }); // taken over at once
  assertEquals((await liveHolder(path))?.pid, Deno.pid);
  await held.release();
  await Deno.remove(runs, { recursive: true });
});

Deno.test({
  name: "study --run-list: a run another process works in is put off, the others go first",
  sanitizeResources: false,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "cen-runlist-" });
    const runs = join(dir, "runs");
    const tiny = (seed: number) =>
      makeConfig({
        seed,
        inputSize: 32,
        generations: 1,
        pretrained: null,
        optim: { epochs: 1, batchSize: 32 },
        data: { dataset: "synthetic-target", params: { count: 64 }, augment: false },
      });
    const [a, b] = [tiny(0), tiny(1)];
    const list = join(dir, "list.json");
    await Deno.writeTextFile(list, JSON.stringify([a, b]));
    const held = await lockRun(await configHash(a), runs, () => {}); // "another process" works in a
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "tools/study.ts", "--run-list", list],
      cwd: ROOT,
      env: {
        NO_COLOR: "1",
        CEN_RUNS_DIR: runs,
        CEN_RECORDS_DIR: join(dir, "records"),
        CEN_THREADS: "1",
      },
      stdin: "null",
      stdout: "piped",
      stderr: "null",
    }).spawn();
    const heads: string[] = [];
    try {
      await withDeadline(120_000, "the run-list worker", async () => {
        let rest = "";
        for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
          const lines = (rest + chunk).split("\n");
          rest = lines.pop()!;
          for (const line of lines.filter((l) => l.startsWith("── run"))) {
            heads.push(line);
            if (line.startsWith("── run put off")) await held.release(); // a's holder finishes
          }
        }
      });
      const status = await child.status;
      assertEquals(status.code, 0, heads.join("\n"));
    } finally {
      await held.release();
    }
    const ids = [(await configHash(a)).slice(0, 12), (await configHash(b)).slice(0, 12)];
    assertEquals(heads.length, 3, heads.join("\n"));
    assert(
      heads[0].startsWith(`── run 1/2: ${ids[0]}`) && heads[0].endsWith("works in it; later"),
      heads[0],
    );
    assert(heads[1].startsWith(`── run 2/2: ${ids[1]}`), heads[1]);
    assert(heads[2].startsWith(`── run put off 1/1: ${ids[0]}`), heads[2]);
    for (const c of [a, b]) {
      const m = JSON.parse(
        await Deno.readTextFile(join(runs, await configHash(c), "metrics.json")),
      );
      assertEquals(m.generations.length, 1); // both trained to the end
    }
    await Deno.remove(dir, { recursive: true });
  },
});
