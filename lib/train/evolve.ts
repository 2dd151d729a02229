/**
 * The evolution (docs/method.md, "Evolution"; the paper's §3): generation 1 learns from the labels
 * alone (Eq. 14); every later generation t is a new network that learns from the labels and from
 * its ancestor t − 1, whose age distributions p^{t−1} at temperature τ (Eqs. 5–7) and regression
 * outputs s^{t−1} (Eqs. 10–13) on every training image it inherits (Eq. 15). Every generation's
 * test metrics are kept to show the evolution.
 *
 * {@link evolve} is that loop and nothing else. Where each generation comes from (finished
 * earlier, shared with a run of the same key, trained here from its checkpoint) and where it goes
 * (metrics, records, predictions), with locks and reuse, is the run store's (`store.ts`); one
 * generation's training is `generation.ts`, one epoch's `epoch.ts`.
 *
 * @module
 */
import { initBackend } from "../backend/mod.ts";
import type { CenConfig } from "../config.ts";
import type { SampleSource } from "../data/types.ts";
import { DataError } from "../errors.ts";
import type { AncestorStore } from "./ancestor.ts";
import type { EvolutionOptions } from "./run.ts";
import { type EvolutionResult, openRunStore, type RunStore } from "./store.ts";

export type { EvolutionOptions } from "./run.ts";
export type { EvolutionResult, GenerationFate, RunStore } from "./store.ts";

/** CEN's evolution of `config` over the generations `store` finds, trains and keeps. */
export async function evolve(config: CenConfig, store: RunStore): Promise<EvolutionResult> {
  let ancestor: AncestorStore | undefined; // p^{t−1} and s^{t−1} on the training images
  for (let t = 1; t <= config.generations; t++) {
    // Eq. 14 for t = 1; Eq. 15 against the ancestor for t > 1 (done earlier, shared, or trained)
    const generation = await store.generation(t, ancestor);
    if (!generation) return await store.result(false); // out of epochs this call: resume later
    await store.keep(generation);
    if (t < config.generations && config.ancestorOutputs === "stored") {
      ancestor = await store.ancestor(t); // generation t becomes the next one's ancestor
    }
  }
  return await store.result(true);
}

/** Runs (or resumes, or serves from its record) generations 1 … T of a config. */
export async function runEvolution(
  config: CenConfig,
  opts: EvolutionOptions,
): Promise<EvolutionResult> {
  const backend = await initBackend(undefined, opts.log ?? ((line) => console.log(line)));
  checkSources(config, opts.train, opts.test);
  const opened = await openRunStore(config, opts, backend);
  if ("served" in opened) return opened.served;
  await using store = opened.store;
  return await evolve(config, store);
}

function checkSources(config: CenConfig, train: SampleSource, test: SampleSource): void {
  for (const src of [train, test]) {
    if (src.length === 0) throw new DataError(`dataset "${src.name}" is empty`);
    if (src.imageSize !== config.inputSize) {
      throw new DataError(
        `dataset "${src.name}" has ${src.imageSize}px images but config.inputSize is ${config.inputSize}`,
      );
    }
  }
  for (let i = 0; i < train.length; i++) {
    const a = train.ages[i];
    if (!Number.isInteger(a) || a < config.minAge || a > config.maxAge) {
      throw new DataError(
        `training image ${i} of "${train.name}" has age ${a}, outside config's ${config.minAge}–${config.maxAge}`,
      );
    }
  }
}
