/**
 * The fault matrix: every file the program writes and reads back — a model folder, a training
 * checkpoint, the ancestor store, a decoded-cache entry, a lock file, and the split lists and
 * label files it reads — cut short, emptied, replaced by garbage, replaced by a folder, written by
 * a writer that fails midway (a full disk, or a file where a folder should be), and left
 * half-written by a writer killed midway. Each case must end in one line that names the file and
 * the way out (a UserError, never a stack trace), or in a clean recovery (a cache entry rebuilt,
 * a checkpoint passed over for an earlier one, a lock taken over); what was committed before is
 * kept, and the next run is right.
 */
import {
  assert,
  assertEquals,
  assertMatch,
  assertRejects,
  assertStringIncludes,
} from "@std/assert";
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import { basename, join } from "node:path";
import { initBackend } from "../lib/backend/mod.ts";
import { buildCache, type CacheSettings, openCache } from "../lib/data/cache.ts";
import { readLines } from "../lib/data/adapters/common.ts";
import { readSplitFile, writeSplitFile } from "../lib/data/split.ts";
import type { AgeSample } from "../lib/data/types.ts";
import {
  DamagedFileError,
  DataError,
  NotFoundError,
  UserError,
  WriteError,
} from "../lib/errors.ts";
import { copyTree, exists, setTempWriter, type WriteFile } from "../lib/fsutil.ts";
import { loadAgeModel } from "../lib/inference.ts";
import { acquireLock, ownerHere, thisHost } from "../lib/lock.ts";
import { loadModel, readModelMetadata, saveModel } from "../lib/model/io.ts";
import { createCenModel } from "../lib/model/resnet.ts";
import { createRng } from "../lib/rng.ts";
import { type AncestorStore, loadAncestorStore, saveAncestorStore } from "../lib/train/ancestor.ts";
import { type Checkpoint, readCheckpoint, writeCheckpoint } from "../lib/train/checkpoint.ts";
import type { EpochLog } from "../lib/train/run.ts";
import { createSgd, type Sgd } from "../lib/train/sgd.ts";
import { trainableVariables } from "../lib/train/step.ts";
import { LIMIT } from "./helpers/deadline.ts";
import { ROOT } from "./helpers/tool.ts";
import { fakePreparer } from "./helpers/cache.ts";

await initBackend();

/** The ways a file on disk is found damaged. */
const FAULTS = ["cut short", "emptied", "garbage", "a folder"] as const;
type Fault = typeof FAULTS[number];

/** 777 bytes of noise (no format's header, no JSON). */
function garbage(): Uint8Array {
  const rng = createRng(27);
  return Uint8Array.from({ length: 777 }, () => Math.floor(rng.next() * 256));
}

/** Damages the file at `path` as `fault` says. */
async function damage(path: string, fault: Fault): Promise<void> {
  const bytes = await Deno.readFile(path);
  if (fault === "cut short") {
    await Deno.writeFile(path, bytes.subarray(0, Math.floor(bytes.length / 2)));
  } else if (fault === "emptied") await Deno.writeFile(path, new Uint8Array());
  else if (fault === "garbage") await Deno.writeFile(path, garbage());
  else {
    await Deno.remove(path);
    await Deno.mkdir(path);
    await Deno.writeTextFile(join(path, "stray.txt"), "a folder where a file should be\n");
  }
}

/** Writes half the bytes, then fails as a full disk does. */
const failingWriter: WriteFile = async (path, data) => {
  await Deno.writeFile(path, data.subarray(0, data.length >> 1));
  throw new Error("No space left on device (os error 28)");
};

/** Runs `f` with atomic writes failing midway. */
async function withFailingWrites<T>(f: () => Promise<T>): Promise<T> {
  setTempWriter(failingWriter);
  try {
    return await f();
  } finally {
    setTempWriter();
  }
}

/** What a writer killed midway leaves beside `path`: a temporary file with half the bytes. */
async function killedWriterLeftover(path: string, bytes: Uint8Array): Promise<void> {
  await Deno.writeFile(`${path}.99999.1.tmp`, bytes.subarray(0, bytes.length >> 1));
}

/** Checks that `e` is one line (a UserError) naming `file`, and that it says `fix`. */
function assertOneLine(e: Error, file: string, fix: RegExp): void {
  assert(e instanceof UserError, `a UserError: ${e.name}: ${e.message}`);
  assert(!e.message.includes("\n"), `one line: ${e.message}`);
  assertStringIncludes(e.message, file);
  assertMatch(e.message, fix);
}

/** The names under `dir` that a killed or failed write could leave (`*.tmp`, `*.tmp.old`). */
async function leftovers(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(dir)) if (/\.tmp(\.old)?$/.test(e.name)) out.push(e.name);
  return out;
}

/** The model's weights as flat numbers. */
function weightsOf(model: tfl.LayersModel): number[] {
  return model.getWeights().flatMap((w) => Array.from(w.dataSync()));
}

// ---------------------------------------------------------------------------------------------
// Model folders (lib/model/io.ts, lib/inference.ts)

const MODEL_META = { cen: { minAge: 16, maxAge: 77 }, input: { size: 32 } };
const MODEL_FIX = /re-export it \(deno task export --run <id>; deno task ship/;

/** A saved CEN model in `dir/pristine` and its weights. */
async function savedModel(dir: string, seed = 1): Promise<{ dir: string; weights: number[] }> {
  const model = createCenModel({ backbone: "resnet10-tiny", inputSize: 32, numAges: 62, seed });
  const to = join(dir, `pristine-${seed}`);
  await saveModel(model, to, MODEL_META);
  const weights = weightsOf(model);
  model.dispose();
  return { dir: to, weights };
}

Deno.test("fault matrix, model folder: each file × each fault is one line naming it and the way out", async () => {
  const root = await Deno.makeTempDir({ prefix: "cen-fault-model-" });
  try {
    const pristine = await savedModel(root);
    for (const file of ["model.json", "weights.bin"]) {
      for (const fault of FAULTS) {
        const dir = join(root, `${file}-${fault.replace(" ", "-")}`);
        await copyTree(pristine.dir, dir);
        await damage(join(dir, file), fault);
        const loaders: (() => Promise<unknown>)[] = [() => loadModel(dir), () => loadAgeModel(dir)];
        if (file === "model.json") loaders.push(() => readModelMetadata(dir));
        for (const load of loaders) {
          const e = await assertRejects(load, DamagedFileError);
          assertOneLine(e, join(dir, file), MODEL_FIX);
        }
      }
    }
    // weights.bin cut short says how long it is and how long the manifest wants it.
    const cut = join(root, "weights.bin-cut-short");
    const e = await assertRejects(() => loadModel(cut), DamagedFileError);
    assertMatch(e.message, /weights\.bin: cut short \([\d,]+ bytes, the manifest in .* needs/);
    // JSON that parses but is no model; the folder replaced by a file; weights missing.
    const other = join(root, "not-a-model");
    await copyTree(pristine.dir, other);
    await Deno.writeTextFile(join(other, "model.json"), '{"format": "something else"}\n');
    assertOneLine(
      await assertRejects(() => loadModel(other), DamagedFileError),
      "model.json: not a tfjs layers model",
      MODEL_FIX,
    );
    const file = join(root, "a-file");
    await Deno.writeTextFile(file, "not a folder\n");
    assertOneLine(
      await assertRejects(() => loadModel(file), DamagedFileError),
      `${file}: a file where a model folder should be`,
      MODEL_FIX,
    );
    await Deno.remove(join(other, "weights.bin"));
    await Deno.writeFile(
      join(other, "model.json"),
      await Deno.readFile(join(pristine.dir, "model.json")),
    );
    assertOneLine(
      await assertRejects(() => loadModel(other), DamagedFileError),
      "weights.bin: missing",
      MODEL_FIX,
    );
    // The pristine folder still loads, with its own weights.
    const back = await loadModel(pristine.dir);
    assertEquals(weightsOf(back), pristine.weights);
    back.dispose();
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("fault matrix, model folder: a write failing midway or a killed writer keeps the old model", async () => {
  const root = await Deno.makeTempDir({ prefix: "cen-fault-model-write-" });
  try {
    const old = await savedModel(root, 1);
    const next = createCenModel({ backbone: "resnet10-tiny", inputSize: 32, numAges: 62, seed: 2 });
    // A full disk midway through weights.bin: a WriteError naming it; the old model is whole.
    const e = await withFailingWrites(() =>
      assertRejects(() => saveModel(next, old.dir, MODEL_META), WriteError)
    );
    assertOneLine(e, join(old.dir, "weights.bin"), /No space left on device.*the old file is kept/);
    assertEquals(await leftovers(old.dir), []);
    const kept = await loadModel(old.dir);
    assertEquals(weightsOf(kept), old.weights);
    kept.dispose();
    // A file where the folder should be: the same, at its first write.
    const blocked = join(root, "blocked");
    await Deno.writeTextFile(blocked, "a file\n");
    await assertRejects(() => saveModel(next, join(blocked, "model"), MODEL_META), WriteError);
    // A writer killed midway left half a weights.bin beside the whole one: not read.
    await killedWriterLeftover(join(old.dir, "weights.bin"), garbage());
    const again = await loadModel(old.dir);
    assertEquals(weightsOf(again), old.weights);
    again.dispose();
    // The next write is whole.
    await saveModel(next, old.dir, MODEL_META);
    const written = await loadModel(old.dir);
    assertEquals(weightsOf(written), weightsOf(next));
    written.dispose();
    next.dispose();
    // A folder replaced atomically whose writer was killed between its two renames: the message
    // says where the new copy is.
    const moved = join(root, "moved");
    await copyTree(old.dir, `${moved}.4242.1.tmp`);
    const gone = await assertRejects(() => loadModel(moved), NotFoundError);
    assertStringIncludes(gone.message, `${basename(moved)}.4242.1.tmp may be renamed to moved`);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("fault matrix, model folder: deno task predict with a damaged model is one line and exit 2", async () => {
  const root = await Deno.makeTempDir({ prefix: "cen-fault-predict-" });
  try {
    const { dir } = await savedModel(root);
    await damage(join(dir, "weights.bin"), "cut short");
    const image = join(root, "face.png");
    await Deno.writeFile(image, await Deno.readFile(join(ROOT, "docs", "web-page.jpg")));
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "tools/predict.ts", image, "--run", dir],
      cwd: ROOT,
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(LIMIT.tool),
    }).output();
    const err = new TextDecoder().decode(out.stderr).trim().split("\n");
    assertEquals(out.code, 2, err.join("\n"));
    const last = err.at(-1)!;
    assertMatch(last, /^predict: .*weights\.bin: cut short \(/);
    assert(!err.some((l) => /^\s+at /.test(l)), "no stack trace");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

// ---------------------------------------------------------------------------------------------
// Checkpoints (lib/train/checkpoint.ts)

/** A small network and its optimizer (velocities set to `v`). */
function tinyNet(seed: number, v = 0): { model: tfl.LayersModel; sgd: Sgd } {
  const model = tfl.sequential({
    layers: [
      tfl.layers.dense({
        units: 3,
        inputShape: [4],
        kernelInitializer: tfl.initializers.randomNormal({ seed }),
        biasInitializer: tfl.initializers.randomNormal({ seed: seed + 1 }),
      }),
    ],
  });
  const sgd = createSgd(trainableVariables(model));
  for (const vel of sgd.velocities) vel.assign(tf.fill(vel.shape, v));
  return { model, sgd };
}

/** The checkpoint state after `e` epochs. */
function stateAt(e: number): Checkpoint {
  const epochs = Array.from({ length: e }, (_, i) => ({ epoch: i } as unknown as EpochLog));
  return { epochsDone: e, epochs, rng: { seed: 1, generation: 1, nextEpoch: e }, trainSeconds: e };
}

/**
 * A generation folder with checkpoints after epochs 1 (`withEarlier`) and 2, the latter pointed at;
 * the weights and velocities of each.
 */
async function checkpointed(
  dir: string,
  withEarlier: boolean,
): Promise<{ pointer: string; at: Record<number, { weights: number[]; v: number }> }> {
  const pointer = join(dir, "checkpoint.json");
  const at: Record<number, { weights: number[]; v: number }> = {};
  const keep = `${dir}-e1`;
  for (const e of [1, 2]) {
    const { model, sgd } = tinyNet(e, e / 10);
    await writeCheckpoint(pointer, model, sgd, stateAt(e));
    at[e] = { weights: weightsOf(model), v: e / 10 };
    if (e === 1) await copyTree(join(dir, "checkpoint-e1"), keep);
    model.dispose();
  }
  // writeCheckpoint removed epoch 1's folder; put it back, as a kill before the removal leaves it.
  if (withEarlier) await copyTree(keep, join(dir, "checkpoint-e1"));
  await Deno.remove(keep, { recursive: true });
  return { pointer, at };
}

/** The file of checkpoint e2 (or the pointer) that each case damages. */
const CHECKPOINT_FILES = [
  "checkpoint.json",
  "checkpoint-e2/state.json",
  "checkpoint-e2/optimizer.json",
  "checkpoint-e2/optimizer.bin",
  "checkpoint-e2/model.json",
  "checkpoint-e2/weights.bin",
];

Deno.test("fault matrix, checkpoint: a damaged one is reported once and training resumes from an intact one or starts over", async () => {
  const root = await Deno.makeTempDir({ prefix: "cen-fault-ckpt-" });
  try {
    for (const withEarlier of [true, false]) {
      for (const file of CHECKPOINT_FILES) {
        for (const fault of FAULTS) {
          const dir = join(
            root,
            `${withEarlier}-${file.replace("/", "-")}-${fault.replace(" ", "-")}`,
          );
          await Deno.mkdir(dir);
          const { pointer, at } = await checkpointed(dir, withEarlier);
          await damage(join(dir, file), fault);
          const fresh = tinyNet(99, 7);
          const before = weightsOf(fresh.model);
          const lines: string[] = [];
          const state = await readCheckpoint(pointer, fresh.model, fresh.sgd, (l) => lines.push(l));
          const what = `${file} ${fault}${withEarlier ? " (e1 kept)" : ""}`;
          assertEquals(lines.length, 1, `${what}: one line: ${lines.join(" / ")}`);
          assertStringIncludes(lines[0], join(dir, file), what);
          // The pointer damaged: the newest whole folder (e2) is found without it.
          const expect = file === "checkpoint.json" ? 2 : withEarlier ? 1 : undefined;
          if (expect === undefined) {
            assertEquals(state, undefined, what);
            assertStringIncludes(lines[0], "the generation starts over");
            assertEquals(weightsOf(fresh.model), before, `${what}: nothing applied`);
            assertEquals(Array.from(fresh.sgd.velocities[0].dataSync())[0], 7);
          } else {
            assertEquals(state?.epochsDone, expect, what);
            assertStringIncludes(lines[0], `resuming from ${join(dir, `checkpoint-e${expect}`)}`);
            assertEquals(weightsOf(fresh.model), at[expect].weights, what);
            assertEquals(fresh.sgd.velocities[0].dataSync()[0], Math.fround(at[expect].v));
          }
          // The next epoch's checkpoint replaces the damaged one, and reads back whole.
          await writeCheckpoint(pointer, fresh.model, fresh.sgd, stateAt(3));
          const names = [];
          for await (const e of Deno.readDir(dir)) names.push(e.name);
          assertEquals(names.sort(), ["checkpoint-e3", "checkpoint.json"], what);
          const next = tinyNet(5);
          const quiet: string[] = [];
          assertEquals(
            (await readCheckpoint(pointer, next.model, next.sgd, (l) => quiet.push(l)))
              ?.epochsDone,
            3,
          );
          assertEquals(quiet, []);
          assertEquals(weightsOf(next.model), weightsOf(fresh.model));
          next.model.dispose();
          fresh.model.dispose();
        }
      }
    }
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("fault matrix, checkpoint: a write failing midway or a killed writer keeps the last checkpoint", async () => {
  const root = await Deno.makeTempDir({ prefix: "cen-fault-ckpt-write-" });
  try {
    const { pointer, at } = await checkpointed(root, false);
    const { model, sgd } = tinyNet(3, 0.3);
    const e = await withFailingWrites(() =>
      assertRejects(() => writeCheckpoint(pointer, model, sgd, stateAt(3)), WriteError)
    );
    assertMatch(e.message, /^cannot write .*checkpoint-e3.*No space left on device/);
    assertEquals(await leftovers(root), [], "the half-written folder is removed");
    const back = tinyNet(9);
    const lines: string[] = [];
    assertEquals(
      (await readCheckpoint(pointer, back.model, back.sgd, (l) => lines.push(l)))
        ?.epochsDone,
      2,
    );
    assertEquals(weightsOf(back.model), at[2].weights);
    assertEquals(lines, []);
    // A writer killed midway: half a checkpoint folder and half a pointer, under temporary names.
    await copyTree(join(root, "checkpoint-e2"), join(root, "checkpoint-e3.99999.1.tmp"));
    await damage(join(root, "checkpoint-e3.99999.1.tmp", "weights.bin"), "cut short");
    await killedWriterLeftover(pointer, await Deno.readFile(pointer));
    assertEquals(
      (await readCheckpoint(pointer, back.model, back.sgd, (l) => lines.push(l)))
        ?.epochsDone,
      2,
    );
    assertEquals(lines, [], "a killed writer's temporary files are not checkpoints");
    // The next write is whole and clears what the killed writer left.
    await writeCheckpoint(pointer, model, sgd, stateAt(3));
    assertEquals(await leftovers(root), []);
    assertEquals((await readCheckpoint(pointer, back.model, back.sgd))?.epochsDone, 3);
    assertEquals(weightsOf(back.model), weightsOf(model));
    back.model.dispose();
    model.dispose();
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

// ---------------------------------------------------------------------------------------------
// The ancestor store (lib/train/ancestor.ts)

/** A store of 5 images × 4 ages. */
function store(): AncestorStore {
  return {
    tau: 2,
    source: "abc",
    k: 4,
    n: 5,
    p: Float32Array.from({ length: 20 }, (_, i) => i / 20),
    s: Float32Array.from({ length: 5 }, (_, i) => 20 + i),
  };
}

Deno.test("fault matrix, ancestor store: each file × each fault is one line naming it; a failed or killed write leaves it absent, and the next is whole", async () => {
  const root = await Deno.makeTempDir({ prefix: "cen-fault-ancestor-" });
  try {
    const pristine = join(root, "pristine");
    await saveAncestorStore(pristine, store());
    assertEquals(await loadAncestorStore(pristine), store());
    for (const file of ["ancestor.json", "ancestor.bin"]) {
      for (const fault of FAULTS) {
        const dir = join(root, `${file}-${fault.replace(" ", "-")}`);
        await copyTree(pristine, dir);
        await damage(join(dir, file), fault);
        const e = await assertRejects(() => loadAncestorStore(dir), DamagedFileError);
        assertOneLine(e, join(dir, file), /and run again to record the store anew/);
      }
    }
    const e = await assertRejects(
      () => loadAncestorStore(join(root, "ancestor.bin-cut-short")),
      DamagedFileError,
    );
    assertMatch(
      e.message,
      /ancestor\.bin: cut short \(50 bytes, .*\(5 images × 4 ages\) needs 100/,
    );
    // A write failing midway: no header is left, so the store reads as absent (recorded again).
    const dir = join(root, "write");
    await copyTree(pristine, dir);
    await withFailingWrites(() => assertRejects(() => saveAncestorStore(dir, store()), WriteError));
    assertEquals(await exists(join(dir, "ancestor.json")), false);
    assertEquals(await leftovers(dir), []);
    // A killed writer's half file beside a whole store is not read; the next write is whole.
    await saveAncestorStore(dir, store());
    await killedWriterLeftover(join(dir, "ancestor.bin"), garbage());
    assertEquals(await loadAncestorStore(dir), store());
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

// ---------------------------------------------------------------------------------------------
// The decoded cache (lib/data/cache.ts)

const SIZE = 2, PER = SIZE * SIZE * 3;
const SETTINGS: CacheSettings = { dataset: "toy", size: SIZE, align: { mode: "resize" } };
const SAMPLES: AgeSample[] = Array.from({ length: 8 }, (_, i) => ({
  path: `/img/${i}.jpg`,
  age: 20 + i,
}));

const preparer = () => fakePreparer(PER);

/** Builds (or opens) the cache under `root`; its rows, index, log lines and preparer calls. */
async function cacheAt(root: string, options: { stopAfterChunks?: number } = {}) {
  const p = preparer();
  const lines: string[] = [];
  const cache = await buildCache(SAMPLES, {
    root,
    settings: SETTINGS,
    prepare: p.fn,
    chunk: 3,
    log: (l) => lines.push(l),
    ...options,
  });
  const rows = new Uint8Array(cache.index.count * PER);
  await cache.readRows(Array.from({ length: cache.index.count }, (_, i) => i), rows);
  cache.close();
  return { dir: cache.dir, rows, index: cache.index, lines, calls: p.calls.length };
}

/** The one cache folder under `root`. */
async function cacheDir(root: string): Promise<string> {
  for await (const e of Deno.readDir(root)) if (e.isDirectory) return join(root, e.name);
  throw new Error(`no cache under ${root}`);
}

Deno.test("fault matrix, decoded cache: a damaged entry is reported once and rebuilt, the same as before", async () => {
  const root = await Deno.makeTempDir({ prefix: "cen-fault-cache-" });
  try {
    const pristine = await cacheAt(join(root, "pristine"));
    assertEquals(pristine.calls, 8);
    // A finished entry's index or pixels damaged.
    for (const file of ["index.json", "pixels.bin"]) {
      for (const fault of FAULTS) {
        const caseRoot = join(root, `${file}-${fault.replace(" ", "-")}`);
        await copyTree(join(root, "pristine"), caseRoot);
        const dir = await cacheDir(caseRoot);
        await damage(join(dir, file), fault);
        assertEquals(await openCache(dir), undefined, `${file} ${fault}: not opened as a cache`);
        const again = await cacheAt(caseRoot);
        const what = `${file} ${fault}`;
        const reported = again.lines.filter((l) => l.includes("rebuilding it"));
        assertEquals(reported.length, 1, `${what}: ${again.lines.join(" / ")}`);
        assertStringIncludes(reported[0], join(dir, file));
        assertEquals(again.calls, 8, `${what}: rebuilt`);
        assertEquals(again.rows, pristine.rows, what);
        assertEquals(again.index, pristine.index, what);
        assertEquals((await cacheAt(caseRoot)).calls, 0, `${what}: the next run reuses it`);
      }
    }
    // A partial build's files damaged (interrupted after one chunk of 3): built from the start.
    for (const file of ["progress.json", "pixels.bin", "rows.jsonl"]) {
      for (const fault of FAULTS) {
        const caseRoot = join(root, `partial-${file}-${fault.replace(" ", "-")}`);
        await assertRejects(() => cacheAt(caseRoot, { stopAfterChunks: 1 }));
        const dir = await cacheDir(caseRoot);
        await damage(join(dir, file), fault);
        const again = await cacheAt(caseRoot);
        const what = `partial ${file} ${fault}`;
        const reported = again.lines.filter((l) =>
          /starting the build over|from the start/.test(l)
        );
        assertEquals(reported.length, 1, `${what}: ${again.lines.join(" / ")}`);
        assertStringIncludes(reported[0], join(dir, file));
        assertEquals(again.rows, pristine.rows, what);
        assertEquals(again.index, pristine.index, what);
      }
    }
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("fault matrix, decoded cache: a write failing midway or a killed writer, then a whole cache", async () => {
  const root = await Deno.makeTempDir({ prefix: "cen-fault-cache-write-" });
  try {
    const pristine = await cacheAt(join(root, "pristine"));
    const failed = join(root, "failed");
    const e = await withFailingWrites(() => assertRejects(() => cacheAt(failed), WriteError));
    assertMatch(e.message, /^cannot write .*progress\.json: No space left on device/);
    const dir = await cacheDir(failed);
    assertEquals(await openCache(dir), undefined, "never used as if whole");
    assertEquals(await leftovers(dir), []);
    const next = await cacheAt(failed);
    assertEquals(next.rows, pristine.rows);
    assertEquals(next.index, pristine.index);
    // A killed writer's half index beside a whole one: the cache is reused, not rebuilt.
    await killedWriterLeftover(
      join(dir, "index.json"),
      await Deno.readFile(join(dir, "index.json")),
    );
    const reused = await cacheAt(failed);
    assertEquals([reused.calls, reused.lines], [0, []]);
    assertEquals(reused.rows, pristine.rows);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

// ---------------------------------------------------------------------------------------------
// Lock files (lib/lock.ts; the trainer's and the cache's locks are these)

Deno.test("fault matrix, lock file: damaged is taken over, a folder is one line, an unwritable one is a WriteError", async () => {
  const root = await Deno.makeTempDir({ prefix: "cen-fault-lock-" });
  try {
    const whole = JSON.stringify(ownerHere("a test")) + "\n";
    const contents: Record<Exclude<Fault, "a folder">, string> = {
      "cut short": whole.slice(0, whole.length >> 1),
      "emptied": "",
      "garbage": new TextDecoder().decode(garbage()),
    };
    for (const [fault, text] of Object.entries(contents)) {
      const path = join(root, `${fault.replace(" ", "-")}.lock`);
      await Deno.writeTextFile(path, text);
      const old = new Date(Date.now() - 60_000);
      await Deno.utime(path, old, old); // untouched for a minute: not being written
      const lines: string[] = [];
      const lock = await acquireLock(path, { log: (l) => lines.push(l), pollMs: 10 });
      assertEquals(JSON.parse(await Deno.readTextFile(path)).token, lock.owner.token, fault);
      assertEquals(lines.length, 1, `${fault}: ${lines.join(" / ")}`);
      assertMatch(lines[0], /taking over .*unreadable lock file/);
      await lock.release();
      assertEquals(await exists(path), false);
    }
    // A folder in its place: one line naming it and how to remove it.
    const folder = join(root, "folder.lock");
    await Deno.mkdir(folder);
    const e = await assertRejects(() => acquireLock(folder, { pollMs: 10 }), DamagedFileError);
    assertOneLine(e, folder, /remove it \(rm -r /);
    // A file where its folder should be: the lock cannot be written.
    const blocker = join(root, "not-a-folder");
    await Deno.writeTextFile(blocker, "a file\n");
    const w = await assertRejects(() => acquireLock(join(blocker, "x.lock")), WriteError);
    assertOneLine(w, join(blocker, "x.lock"), /cannot create the lock/);
    // A writer killed before linking its lock left its temporary file: the lock is free.
    const path = join(root, "run.lock");
    await Deno.writeTextFile(join(root, `.run.lock.${thisHost()}.99999.abcd1234.tmp`), whole);
    const lock = await acquireLock(path, { pollMs: 10 });
    assertEquals(JSON.parse(await Deno.readTextFile(path)).token, lock.owner.token);
    await lock.release();
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

// ---------------------------------------------------------------------------------------------
// Split lists and label files (lib/data/split.ts, lib/data/adapters/common.ts)

Deno.test("fault matrix, split list and label file: each fault is one DataError naming the file", async () => {
  const root = await Deno.makeTempDir({ prefix: "cen-fault-split-" });
  try {
    for (const fault of FAULTS) {
      const split = join(root, `${fault.replace(" ", "-")}.json`);
      await writeSplitFile(split, {
        dataset: "x",
        seed: 0,
        rule: "test",
        train: ["a.jpg", "b.jpg", "c.jpg"],
        test: ["d.jpg"],
      });
      await damage(split, fault);
      const e = await assertRejects(() => readSplitFile(split), DataError);
      assertOneLine(e, split, fault === "a folder" ? /a folder, not a file: restore it/ : /split/);
      const labels = join(root, `${fault.replace(" ", "-")}.csv`);
      await Deno.writeTextFile(labels, "file,age\na.jpg,30\n");
      if (fault === "a folder") {
        await damage(labels, fault);
        const l = await assertRejects(() => readLines(labels, "morph"), DataError);
        assertOneLine(l, labels, /a folder, not a file: restore it/);
      }
    }
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
