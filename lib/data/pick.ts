/**
 * Reads particular images of a {@link SampleSource} (un-augmented), e.g. to show them or to
 * predict one test face across generations.
 *
 * @module
 */
import type { SampleSource } from "./types.ts";

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
