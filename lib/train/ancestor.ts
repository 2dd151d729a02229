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
import { isRecord, readChecked, readJsonChecked } from "../checked.ts";
import { writeFileAtomic, writeJsonAtomic } from "../fsutil.ts";
import { predictSource } from "../model/predict.ts";
import { displayPath } from "../paths.ts";

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

/**
 * Saves the store as `ancestor.json` (header) + `ancestor.bin` (p then s, float32). The header is
 * removed first and written last, so a writer killed midway leaves no header: the store reads as
 * absent and is recorded again, never as a header over the wrong numbers.
 */
export async function saveAncestorStore(dir: string, store: AncestorStore): Promise<void> {
  const bytes = new Uint8Array((store.p.length + store.s.length) * 4);
  const f = new Float32Array(bytes.buffer);
  f.set(store.p, 0);
  f.set(store.s, store.p.length);
  await Deno.remove(join(dir, "ancestor.json"), { recursive: true }).catch(() => {});
  await writeFileAtomic(join(dir, "ancestor.bin"), bytes);
  await writeJsonAtomic(join(dir, "ancestor.json"), {
    tau: store.tau,
    k: store.k,
    n: store.n,
    source: store.source ?? null,
  });
}

/** The way out of a damaged store, for messages. */
function storeFix(dir: string): string {
  const shown = displayPath(dir);
  return `delete ${join(shown, "ancestor.json")} and ${
    join(shown, "ancestor.bin")
  }, and run again to record the store anew from the generation's model`;
}

/** What `ancestor.json` must hold, in words; undefined when it does. */
function headerShape(v: unknown): string | undefined {
  if (!isRecord(v)) return "not an ancestor store header (not a JSON object)";
  for (const key of ["n", "k"] as const) {
    if (!Number.isInteger(v[key]) || (v[key] as number) < 0) {
      return `not an ancestor store header (no count "${key}")`;
    }
  }
  if (typeof v.tau !== "number" || !(v.tau > 0)) return "not an ancestor store header (no τ)";
  return undefined;
}

/**
 * Loads a store saved by {@link saveAncestorStore}, checking its header and its size: a damaged
 * one (cut short, emptied, garbage, a folder in a file's place) is a {@link DamagedFileError}
 * naming the file and how to record it again.
 */
export async function loadAncestorStore(dir: string): Promise<AncestorStore> {
  const fix = storeFix(dir);
  const head = await readJsonChecked<{ tau: number; k: number; n: number; source?: string }>(
    join(dir, "ancestor.json"),
    fix,
    headerShape,
  );
  const want = (head.n * head.k + head.n) * 4;
  const bytes = await readChecked(join(dir, "ancestor.bin"), fix, {
    bytes: want,
    lengthFrom: `${displayPath(join(dir, "ancestor.json"))} (${head.n} images × ${head.k} ages)`,
  });
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
