/**
 * Reads particular images of a {@link SampleSource} (un-augmented), e.g. to show them or to
 * predict one test face across generations, and picks an adapter's samples by age to show.
 *
 * @module
 */
import type { AgeSample, SampleSource } from "./types.ts";

/** The pixels (`size × size × 3` bytes each) of the images at `indices`, in that order. */
export async function imagesAt(
  source: SampleSource,
  indices: readonly number[],
): Promise<Uint8Array[]> {
  const per = source.imageSize * source.imageSize * 3;
  const wanted = new Map<number, number[]>();
  indices.forEach((i, at) => {
    if (!Number.isInteger(i) || i < 0 || i >= source.length) {
      throw new RangeError(
        `image index ${i} is outside 0…${source.length - 1} of "${source.name}"`,
      );
    }
    wanted.set(i, [...(wanted.get(i) ?? []), at]);
  });
  const out: Uint8Array[] = new Array(indices.length);
  for await (
    const b of source.batches({ batchSize: 64, shuffle: false, augment: false, seed: 0, epoch: 0 })
  ) {
    b.indices.forEach((i, j) => {
      for (const at of wanted.get(i) ?? []) out[at] = b.x.slice(j * per, (j + 1) * per);
    });
  }
  return out;
}

/** `n` indices spread evenly over the images sorted by age (youngest to oldest). */
export function indicesByAge(source: SampleSource, n: number): number[] {
  const order = Array.from(source.ages.keys()).sort((a, b) => source.ages[a] - source.ages[b]);
  const m = Math.min(n, order.length);
  return Array.from(
    { length: m },
    (_, i) => order[Math.round((i * (order.length - 1)) / Math.max(1, m - 1))],
  );
}

/** `n` samples spread evenly over `samples` sorted by age (youngest to oldest; stable by path). */
export function samplesByAge(samples: readonly AgeSample[], n: number): AgeSample[] {
  const order = [...samples].sort((a, b) => a.age - b.age || (a.path < b.path ? -1 : 1));
  const m = Math.min(n, order.length);
  return Array.from(
    { length: m },
    (_, i) => order[Math.round((i * (order.length - 1)) / Math.max(1, m - 1))],
  );
}

/** For each of `ages`, the sample of `samples` whose age is nearest (the first such by path). */
export function nearestAgeSamples(
  samples: readonly AgeSample[],
  ages: readonly number[],
): AgeSample[] {
  if (samples.length === 0) throw new RangeError("nearestAgeSamples: no samples");
  const order = [...samples].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return ages.map((age) =>
    order.reduce((best, s) => (Math.abs(s.age - age) < Math.abs(best.age - age) ? s : best))
  );
}
