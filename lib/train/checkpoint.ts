/**
 * A generation's checkpoint: its weights, the optimizer's velocities and the epoch counter that
 * seeds data order and augmentation, written after every epoch so that rerunning a config resumes
 * where it stopped.
 *
 * On disk (`gen-<t>/`): `checkpoint.json` names the directory of the latest whole checkpoint
 * (`checkpoint-e<epochs done>/`: `model.json` and weights, `optimizer.bin` + `optimizer.json`,
 * `state.json`).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import type * as tfl from "@tensorflow/tfjs-layers";
import { dirname, join } from "node:path";
import { readJsonIfExists, replaceDirAtomic, writeJsonAtomic } from "../fsutil.ts";
import { decodeTensors, encodeTensors, loadModel, saveModel } from "../model/io.ts";
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

/**
 * Writes the checkpoint of `state.epochsDone` into its own directory, then points
 * `checkpoint.json` at it (an atomic rename), then removes the previous one: a kill at any moment
 * leaves a whole checkpoint to resume from.
 */
export async function writeCheckpoint(
  pointer: string,
  model: tfl.LayersModel,
  sgd: Sgd,
  state: Checkpoint,
): Promise<void> {
  const { data, specs } = await encodeTensors(sgdState(sgd));
  const previous = await readJsonIfExists<{ dir: string }>(pointer);
  const name = `checkpoint-e${state.epochsDone}`;
  const dir = join(dirname(pointer), name);
  await replaceDirAtomic(dir, async (tmp) => {
    await saveModel(model, tmp);
    await Deno.writeFile(join(tmp, "optimizer.bin"), data);
    await writeJsonAtomic(join(tmp, "optimizer.json"), specs);
    await writeJsonAtomic(join(tmp, "state.json"), state);
  });
  await writeJsonAtomic(pointer, { dir: name, epochsDone: state.epochsDone });
  if (previous && previous.dir !== name) {
    await Deno.remove(join(dirname(pointer), previous.dir), { recursive: true }).catch(() => {});
  }
}

/** Restores weights and optimizer state from the checkpoint `pointer` names, if there is one. */
export async function readCheckpoint(
  pointer: string,
  model: tfl.LayersModel,
  sgd: Sgd,
): Promise<Checkpoint | undefined> {
  const at = await readJsonIfExists<{ dir: string }>(pointer);
  if (!at) return undefined;
  const dir = join(dirname(pointer), at.dir);
  const state = JSON.parse(await Deno.readTextFile(join(dir, "state.json"))) as Checkpoint;
  const saved = await loadModel(dir);
  model.setWeights(saved.getWeights());
  saved.dispose();
  const specs = JSON.parse(await Deno.readTextFile(join(dir, "optimizer.json")));
  const tensors = decodeTensors(await Deno.readFile(join(dir, "optimizer.bin")), specs);
  loadSgdState(sgd, tensors);
  tf.dispose(Object.values(tensors));
  return state;
}
