/**
 * A {@link SampleSource} over images held in memory, with horizontal flip as its only
 * augmentation. Used by tests and tiny runs; real datasets come through the decoded cache.
 *
 * @module
 */
import { DataError } from "../errors.ts";
import { createRng, mixSeed, permutation } from "../rng.ts";
import type { Batch, BatchOptions, SampleSource } from "./types.ts";

/** Builds a source from `n` images of `size × size × 3` bytes packed in `pixels`. */
export function memorySource(
  name: string,
  pixels: Uint8Array,
  ages: Int32Array,
  size: number,
): SampleSource {
  const n = ages.length;
  const per = size * size * 3;
  if (n === 0) throw new DataError(`dataset "${name}" is empty: no images to train on`);
  if (pixels.length !== n * per) {
    throw new DataError(
      `dataset "${name}": ${pixels.length} bytes of pixels for ${n} images of ${size}px (want ${
        n * per
      })`,
    );
  }
  return {
    name,
    length: n,
    imageSize: size,
    ages,
    async *batches(o: BatchOptions): AsyncIterable<Batch> {
      await Promise.resolve();
      const rng = createRng(mixSeed(o.seed, o.epoch));
      const order = o.shuffle ? permutation(n, rng) : Int32Array.from({ length: n }, (_, i) => i);
      const first = (o.skipBatches ?? 0) * o.batchSize;
      for (let start = 0; start < n; start += o.batchSize) {
        const idx = order.subarray(start, Math.min(n, start + o.batchSize));
        const flips = Array.from(idx, () => o.augment && rng.next() < 0.5);
        if (start < first) continue;
        const x = new Uint8Array(idx.length * per);
        const a = new Int32Array(idx.length);
        idx.forEach((k, b) => {
          const src = pixels.subarray(k * per, (k + 1) * per);
          if (flips[b]) flipInto(src, x.subarray(b * per, (b + 1) * per), size);
          else x.set(src, b * per);
          a[b] = ages[k];
        });
        yield { x, ages: a, indices: Int32Array.from(idx) };
      }
    },
  };
}

function flipInto(src: Uint8Array, dst: Uint8Array, size: number): void {
  for (let r = 0; r < size; r++) {
    for (let c = 0; c < size; c++) {
      const s = (r * size + c) * 3;
      const d = (r * size + (size - 1 - c)) * 3;
      dst[d] = src[s];
      dst[d + 1] = src[s + 1];
      dst[d + 2] = src[s + 2];
    }
  }
}
