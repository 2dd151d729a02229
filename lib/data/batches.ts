/**
 * A {@link SampleSource} over the decoded cache (or any row reader): seeded shuffling per epoch,
 * the training augmentation of `augment.ts` drawn per image from (seed, epoch, index), and
 * prefetch of the next batches while the current one is used.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { basename } from "node:path";
import { canonicalJson } from "../config.ts";
import { DataError } from "../errors.ts";
import { createRng, mixSeed, permutation } from "../rng.ts";
import { applyAugment, sampleAugment } from "./augment.ts";
import type { Cache } from "./cache.ts";
import type { Batch, BatchOptions, SampleSource } from "./types.ts";

/** Where a source's pixels come from: rows of equal-sized square images. */
export interface RowReader {
  /** Side of the images. */
  size: number;
  /** Copies rows `rows` (packed in order) into `dst`. */
  readRows(rows: ArrayLike<number>, dst: Uint8Array): Promise<void>;
}

/** Options of {@link rowSource}. */
export interface RowSourceOptions {
  name: string;
  /** The cache rows of this source, in index order (e.g. a split); all rows when omitted. */
  rows: Int32Array;
  /** Age of every row of the reader (indexed by row). */
  ages: ArrayLike<number>;
  /** Apparent-age mean/std by row, where the dataset has them (null where a row lacks them). */
  apparent?: { mean: ArrayLike<number | null>; std: ArrayLike<number | null> };
  /** Batches prepared ahead of the one being used. Default 2. */
  prefetch?: number;
  /** What the images are (see {@link SampleSource.fingerprint}). */
  fingerprint?: string;
  /** The image file of every row of the reader (indexed by row), where known. */
  paths?: readonly string[];
}

/** The seed of image `index`'s augmentation in a pass (independent of the batch it lands in). */
export function augmentSeed(seed: number, epoch: number, index: number): number {
  return mixSeed(seed, epoch, index, 0xa06);
}

/** The order of a pass: a seeded permutation of `0 … n−1`, or the identity. */
export function passOrder(n: number, o: Pick<BatchOptions, "shuffle" | "seed" | "epoch">) {
  return o.shuffle
    ? permutation(n, createRng(mixSeed(o.seed, o.epoch)))
    : Int32Array.from({ length: n }, (_, i) => i);
}

/** A sample source over `reader`'s rows `options.rows`. */
export function rowSource(reader: RowReader, options: RowSourceOptions): SampleSource {
  const { rows, name } = options;
  const n = rows.length;
  if (n === 0) throw new DataError(`dataset "${name}" is empty: no images to train on`);
  const size = reader.size, per = size * size * 3;
  const ages = Int32Array.from(rows, (r) => options.ages[r]);
  let apparent: SampleSource["apparent"];
  if (options.apparent) {
    const m = options.apparent.mean, s = options.apparent.std;
    apparent = {
      mean: Float32Array.from(rows, (r) => m[r] ?? NaN),
      std: Float32Array.from(rows, (r) => s[r] ?? NaN),
    };
  }
  const prefetch = Math.max(0, options.prefetch ?? 2);

  async function makeBatch(idx: Int32Array, o: BatchOptions): Promise<Batch> {
    const raw = new Uint8Array(idx.length * per);
    await reader.readRows(Array.from(idx, (k) => rows[k]), raw);
    let x = raw;
    if (o.augment) {
      x = new Uint8Array(idx.length * per);
      for (let b = 0; b < idx.length; b++) {
        const params = sampleAugment(createRng(augmentSeed(o.seed, o.epoch, idx[b])), size);
        applyAugment(
          raw.subarray(b * per, (b + 1) * per),
          size,
          params,
          size,
          x.subarray(b * per, (b + 1) * per),
        );
      }
    }
    return { x, ages: Int32Array.from(idx, (k) => ages[k]), indices: Int32Array.from(idx) };
  }

  return {
    name,
    length: n,
    imageSize: size,
    ages,
    apparent,
    fingerprint: options.fingerprint,
    paths: options.paths ? Array.from(rows, (r) => options.paths![r]) : undefined,
    async *batches(o: BatchOptions): AsyncIterable<Batch> {
      if (!Number.isInteger(o.batchSize) || o.batchSize < 1) {
        throw new DataError(`batch size must be an integer ≥ 1, got ${o.batchSize}`);
      }
      const skip = o.skipBatches ?? 0;
      if (!Number.isInteger(skip) || skip < 0) {
        throw new DataError(`skipBatches must be an integer ≥ 0, got ${skip}`);
      }
      const order = passOrder(n, o);
      const starts: number[] = [];
      for (let s = skip * o.batchSize; s < n; s += o.batchSize) starts.push(s);
      const pending: Promise<Batch>[] = [];
      let next = 0;
      const fill = () => {
        while (next < starts.length && pending.length <= prefetch) {
          const s = starts[next++];
          const p = makeBatch(order.subarray(s, Math.min(n, s + o.batchSize)), o);
          p.catch(() => {}); // surfaced when awaited below
          pending.push(p);
        }
      };
      fill();
      while (pending.length > 0) {
        const batch = await pending.shift()!;
        fill();
        yield batch;
      }
    },
  };
}

/** A sample source over a finished cache, restricted to `rows` (all rows when omitted). */
export function cacheSource(
  cache: Cache,
  options: { name: string; rows?: Int32Array; prefetch?: number },
): SampleSource {
  const { index } = cache;
  const rows = options.rows ?? Int32Array.from({ length: index.count }, (_, i) => i);
  for (const r of rows) {
    if (!(r >= 0 && r < index.count)) {
      throw new DataError(`row ${r} out of range for a cache of ${index.count} images`);
    }
  }
  return rowSource({ size: index.size, readRows: (r, dst) => cache.readRows(r, dst) }, {
    name: options.name,
    rows,
    ages: index.ages,
    apparent: index.mean && index.std ? { mean: index.mean, std: index.std } : undefined,
    prefetch: options.prefetch,
    fingerprint: cacheFingerprint(cache, rows),
    paths: index.paths,
  });
}

/**
 * The fingerprint of rows `rows` of a cache: SHA-256 over the stored size and alignment and, per
 * row in order, the file's name (not its folder), its labels and its size in bytes. The same
 * images moved to another folder keep it; another folder's images, a changed label, a replaced
 * image, another split or another crop change it.
 */
export function cacheFingerprint(cache: Cache, rows: ArrayLike<number>): string {
  const { index } = cache;
  const list = Array.from(rows, (r) => [
    basename(index.paths[r]),
    index.ages[r],
    index.mean?.[r] ?? null,
    index.std?.[r] ?? null,
    index.bytes[r],
  ]);
  const text = canonicalJson({ size: index.size, align: index.align, rows: list });
  return createHash("sha256").update(text).digest("hex").slice(0, 16);
}
