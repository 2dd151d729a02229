/**
 * The ancestor store: for every training image, the ancestor's distribution p^{t−1} at τ and its
 * regression output s^{t−1} ("the offspring inherits all the age label distributions"), computed
 * once on the un-augmented view and saved beside the generation that produced it.
 *
 * @module
 */
import type * as tfl from "@tensorflow/tfjs-layers";
import { join } from "node:path";
import type { SampleSource } from "../data/types.ts";
import { writeFileAtomic, writeJsonAtomic } from "../fsutil.ts";
import { predictSource } from "../model/predict.ts";

/** p^{t−1} (`n × k`, at `tau`) and s^{t−1} (`n`) for every training image, by index. */
export interface AncestorStore {
  tau: number;
  /** Fingerprint of the training images it was recorded on (see `sourceFingerprint`), if known. */
  source?: string;
  k: number;
  n: number;
  p: Float32Array;
  s: Float32Array;
}

/** Computes the store by running the ancestor over the source (no augmentation, index order). */
export async function computeAncestorStore(
  model: tfl.LayersModel,
  source: SampleSource,
  range: { minAge: number; maxAge: number },
  tau: number,
  batchSize = 64,
): Promise<AncestorStore> {
  const pr = await predictSource(model, source, range, { tau, batchSize });
  return { tau, k: range.maxAge - range.minAge + 1, n: source.length, p: pr.p, s: pr.s };
}

/** Saves the store as `ancestor.json` (header) + `ancestor.bin` (p then s, float32). */
export async function saveAncestorStore(dir: string, store: AncestorStore): Promise<void> {
  const bytes = new Uint8Array((store.p.length + store.s.length) * 4);
  const f = new Float32Array(bytes.buffer);
  f.set(store.p, 0);
  f.set(store.s, store.p.length);
  await writeFileAtomic(join(dir, "ancestor.bin"), bytes);
  await writeJsonAtomic(join(dir, "ancestor.json"), {
    tau: store.tau,
    k: store.k,
    n: store.n,
    source: store.source ?? null,
  });
}

/** Loads a store saved by {@link saveAncestorStore}, checking its size. */
export async function loadAncestorStore(dir: string): Promise<AncestorStore> {
  const head = JSON.parse(await Deno.readTextFile(join(dir, "ancestor.json")));
  const bytes = await Deno.readFile(join(dir, "ancestor.bin"));
  const want = (head.n * head.k + head.n) * 4;
  if (bytes.length !== want) {
    throw new Error(`ancestor store in ${dir} is ${bytes.length} bytes, expected ${want}`);
  }
  const f = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
  return {
    tau: head.tau,
    source: head.source ?? undefined,
    k: head.k,
    n: head.n,
    p: f.slice(0, head.n * head.k),
    s: f.slice(head.n * head.k),
  };
}
