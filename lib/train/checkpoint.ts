/**
 * A generation's checkpoint: its weights, the optimizer's velocities and the epoch counter that
 * seeds data order and augmentation, written after every epoch so that rerunning a config resumes
 * where it stopped.
 *
 * On disk (`gen-<t>/`): `checkpoint.json` names the directory of the latest whole checkpoint
 * (`checkpoint-e<epochs done>/`: `model.json` and weights, `optimizer.bin` + `optimizer.json`,
 * `state.json`).
 *
 * A damaged checkpoint (cut short, emptied, garbage, a folder in a file's place) is reported in one
 * line and training goes on from the newest intact one, or from the generation's start: a
 * checkpoint saves time, it never holds anything that cannot be trained again.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import type * as tfl from "@tensorflow/tfjs-layers";
import { basename, dirname, join } from "node:path";
import { isRecord, readChecked, readJsonChecked } from "../checked.ts";
import { DamagedFileError, DataError, NotFoundError } from "../errors.ts";
import { readJsonIfExists, replaceDirAtomic, writeFileAtomic, writeJsonAtomic } from "../fsutil.ts";
import { decodeTensors, encodeTensors, loadModel, manifestBytes, saveModel } from "../model/io.ts";
import { displayPath } from "../paths.ts";
import type { EpochLog } from "./run.ts";
import { loadSgdState, type Sgd, sgdState } from "./sgd.ts";

/** The training state a checkpoint keeps beside the weights (`state.json`). */
export interface Checkpoint {
  epochsDone: number;
  epochs: EpochLog[];
  /** Seeds of every random stream: data order and augmentation of epoch e use mixSeed(seed, t, e). */
  rng: { seed: number; generation: number; nextEpoch: number };
  trainSeconds: number;
}

/** The state of generation `t` before its first epoch. */
export function freshCheckpoint(seed: number, t: number): Checkpoint {
  return { epochsDone: 0, epochs: [], rng: { seed, generation: t, nextEpoch: 0 }, trainSeconds: 0 };
}

/** A checkpoint folder's name: `checkpoint-e<epochs done>`. */
const CHECKPOINT_DIR = /^checkpoint-e(\d+)$/;

/** A damaged checkpoint's message names no way out: training recovers by itself (readCheckpoint). */
const CHECKPOINT_FIX = "";

/** The folder `checkpoint.json` names, or undefined when it is absent or damaged (`why` says). */
async function pointedDir(
  pointer: string,
  why?: (problem: string) => void,
): Promise<string | undefined> {
  try {
    const at = await readJsonIfExists<{ dir?: unknown }>(pointer);
    if (at === undefined) return undefined;
    if (typeof at?.dir === "string" && CHECKPOINT_DIR.test(at.dir)) return at.dir;
    why?.(`${displayPath(pointer)}: names no checkpoint folder`);
  } catch (e) {
    if (!(e instanceof DataError)) throw e;
    why?.(e.message);
  }
  return undefined;
}

/**
 * Writes the checkpoint of `state.epochsDone` into its own directory, then points
 * `checkpoint.json` at it (an atomic rename), then removes every other checkpoint folder (the
 * previous one, a damaged one, and what a writer killed midway left): a kill at any moment leaves
 * a whole checkpoint to resume from. One process trains a generation at a time (lib/train/locks.ts).
 */
export async function writeCheckpoint(
  pointer: string,
  model: tfl.LayersModel,
  sgd: Sgd,
  state: Checkpoint,
): Promise<void> {
  const { data, specs } = await encodeTensors(sgdState(sgd));
  const name = `checkpoint-e${state.epochsDone}`;
  const genDir = dirname(pointer);
  await replaceDirAtomic(join(genDir, name), async (tmp) => {
    await saveModel(model, tmp);
    await writeFileAtomic(join(tmp, "optimizer.bin"), data);
    await writeJsonAtomic(join(tmp, "optimizer.json"), specs);
    await writeJsonAtomic(join(tmp, "state.json"), state);
  });
  // A folder in the pointer's place (reported by readCheckpoint) would refuse the rename.
  if ((await Deno.stat(pointer).catch(() => undefined))?.isDirectory) {
    await Deno.remove(pointer, { recursive: true });
  }
  await writeJsonAtomic(pointer, { dir: name, epochsDone: state.epochsDone });
  const pointerTmp = `${basename(pointer)}.`;
  for (const other of await names(genDir)) {
    const stale = (other !== name && other.startsWith("checkpoint-e")) ||
      (other.startsWith(pointerTmp) && other.endsWith(".tmp"));
    if (stale) await Deno.remove(join(genDir, other), { recursive: true }).catch(() => {});
  }
}

/** The names in folder `dir` ([] when it cannot be listed). */
async function names(dir: string): Promise<string[]> {
  const out: string[] = [];
  try {
    for await (const e of Deno.readDir(dir)) out.push(e.name);
  } catch {
    return [];
  }
  return out;
}

/** The bytes of the optimizer's saved tensors, from their specs (float32 velocities). */
function optimizerBytes(specs: tf.io.WeightsManifestEntry[]): number | undefined {
  return manifestBytes(specs);
}

/** What `state.json` must hold, in words; undefined when it does. */
function stateShape(v: unknown): string | undefined {
  if (!isRecord(v)) return "not a checkpoint state (not a JSON object)";
  if (!Number.isInteger(v.epochsDone) || (v.epochsDone as number) < 0) {
    return "not a checkpoint state (no epochsDone)";
  }
  if (!Array.isArray(v.epochs) || v.epochs.length !== v.epochsDone) {
    return `not a checkpoint state (${v.epochsDone} epochs done but its log has ${
      Array.isArray(v.epochs) ? v.epochs.length : "none"
    })`;
  }
  if (!isRecord(v.rng) || typeof v.trainSeconds !== "number") {
    return "not a checkpoint state (no rng or trainSeconds)";
  }
  return undefined;
}

/** One checkpoint folder read whole and checked against `model` and `sgd`, not yet applied. */
interface LoadedCheckpoint {
  state: Checkpoint;
  weights: tf.Tensor[];
  tensors: tf.NamedTensorMap;
}

/** Reads and checks the checkpoint in `dir`; a {@link DamagedFileError} names what is wrong. */
async function loadCheckpointDir(
  dir: string,
  model: tfl.LayersModel,
  sgd: Sgd,
): Promise<LoadedCheckpoint> {
  const fix = CHECKPOINT_FIX;
  const state = await readJsonChecked<Checkpoint>(join(dir, "state.json"), fix, stateShape);
  const specs = await readJsonChecked<tf.io.WeightsManifestEntry[]>(
    join(dir, "optimizer.json"),
    fix,
    (v) => Array.isArray(v) ? undefined : "not an optimizer manifest (not a list)",
  );
  const want = optimizerBytes(specs);
  const data = await readChecked(join(dir, "optimizer.bin"), fix, {
    ...(want !== undefined ? { bytes: want } : {}),
    lengthFrom: `${displayPath(join(dir, "optimizer.json"))}`,
  });
  const saved = await loadModel(dir, fix);
  const weights = saved.getWeights().map((w) => w.clone());
  saved.dispose();
  const tensors = decodeTensors(data, specs);
  const mismatch = model.getWeights().findIndex((w, i) =>
    weights[i]?.shape.join() !== w.shape.join()
  );
  const velocity = sgd.velocities.findIndex((v, i) =>
    tensors[`v${i}`]?.shape.join() !== v.shape.join()
  );
  if (weights.length !== model.getWeights().length || mismatch >= 0 || velocity >= 0) {
    tf.dispose(weights);
    tf.dispose(Object.values(tensors));
    const what = velocity >= 0 ? "optimizer state" : "weights";
    throw new DamagedFileError(displayPath(dir), `its ${what} do not fit this model`, fix);
  }
  return { state, weights, tensors };
}

/**
 * Restores weights and optimizer state from the latest intact checkpoint of a generation, if
 * there is one: the one `pointer` names, else (when that one, or the pointer, is damaged: cut
 * short, emptied, garbage, a folder in a file's place) the newest other whole checkpoint folder.
 * Each damaged checkpoint is reported by `log` in one line, with what training does instead (an
 * earlier checkpoint, or the generation from its start); nothing is applied to `model` and `sgd`
 * until a checkpoint has been read whole.
 */
export async function readCheckpoint(
  pointer: string,
  model: tfl.LayersModel,
  sgd: Sgd,
  log: (line: string) => void = (line) => console.error(line),
): Promise<Checkpoint | undefined> {
  const genDir = dirname(pointer);
  const damaged: string[] = [];
  const first = await pointedDir(pointer, (problem) => damaged.push(problem));
  const others: { name: string; epochs: number }[] = [];
  for (const name of await names(genDir)) {
    const m = CHECKPOINT_DIR.exec(name);
    if (m && name !== first) others.push({ name, epochs: Number(m[1]) });
  }
  others.sort((a, b) => b.epochs - a.epochs);
  // A folder with no pointer is whole too: its writer was killed before pointing at it.
  const candidates = [...(first ? [first] : []), ...others.map((o) => o.name)];
  for (const name of candidates) {
    const dir = join(genDir, name);
    try {
      const got = await loadCheckpointDir(dir, model, sgd);
      for (const d of damaged) log(`checkpoint damaged: ${d}; resuming from ${displayPath(dir)}`);
      model.setWeights(got.weights);
      tf.dispose(got.weights);
      loadSgdState(sgd, got.tensors);
      tf.dispose(Object.values(got.tensors));
      return got.state;
    } catch (e) {
      if (!(e instanceof DataError || e instanceof NotFoundError)) throw e;
      damaged.push(e.message);
    }
  }
  for (const d of damaged) {
    log(`checkpoint damaged: ${d}; no intact checkpoint left: the generation starts over`);
  }
  return undefined;
}
