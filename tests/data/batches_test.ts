import { assert, assertEquals, assertNotEquals, assertRejects, assertThrows } from "@std/assert";
import { cacheSource, type RowReader, rowSource } from "../../lib/data/batches.ts";
import type { Cache, CacheIndex } from "../../lib/data/cache.ts";
import type { Batch, BatchOptions, SampleSource } from "../../lib/data/types.ts";
import { DataError } from "../../lib/errors.ts";

const SIZE = 4, PER = SIZE * SIZE * 3;

/** Row r is a gradient image whose first byte is r (so batches can be traced to rows). */
function rowImage(r: number): Uint8Array {
  return Uint8Array.from({ length: PER }, (_, i) => (i === 0 ? r : (r * 31 + i * 5) % 256));
}

function reader(): RowReader & { reads: number } {
  const r = {
    size: SIZE,
    reads: 0,
    readRows(rows: ArrayLike<number>, dst: Uint8Array) {
      r.reads += rows.length;
      for (let i = 0; i < rows.length; i++) dst.set(rowImage(rows[i]), i * PER);
      return Promise.resolve();
    },
  };
  return r;
}

async function collect(src: SampleSource, o: BatchOptions): Promise<Batch[]> {
  const out: Batch[] = [];
  for await (const b of src.batches(o)) out.push(b);
  return out;
}

const base: BatchOptions = { batchSize: 4, shuffle: false, augment: false, seed: 1, epoch: 0 };

Deno.test("rowSource: plain pass in index order, last batch smaller, rows and ages mapped", async () => {
  const rows = Int32Array.from([9, 3, 5, 7, 1, 0, 2, 8, 6, 4]);
  const ages = Array.from({ length: 10 }, (_, r) => 20 + r);
  const src = rowSource(reader(), { name: "t", rows, ages });
  assertEquals(src.length, 10);
  assertEquals(Array.from(src.ages), Array.from(rows, (r) => 20 + r));
  const batches = await collect(src, base);
  assertEquals(batches.map((b) => b.ages.length), [4, 4, 2]);
  const indices = batches.flatMap((b) => Array.from(b.indices));
  assertEquals(indices, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  for (const b of batches) {
    b.indices.forEach((k, i) => {
      assertEquals(b.x.subarray(i * PER, (i + 1) * PER), rowImage(rows[k]));
      assertEquals(b.ages[i], 20 + rows[k]);
    });
  }
});

Deno.test("rowSource: shuffle is a seeded permutation per (seed, epoch)", async () => {
  const rows = Int32Array.from({ length: 23 }, (_, i) => i);
  const src = rowSource(reader(), { name: "t", rows, ages: new Array(23).fill(30) });
  const order = async (seed: number, epoch: number) =>
    (await collect(src, { ...base, shuffle: true, seed, epoch })).flatMap((b) =>
      Array.from(b.indices)
    );
  const a = await order(1, 0);
  assertEquals([...a].sort((p, q) => p - q), Array.from(rows));
  assertEquals(await order(1, 0), a);
  assertNotEquals(await order(1, 1), a);
  assertNotEquals(await order(2, 0), a);
});

Deno.test("rowSource: augmentation is seeded per image; skipBatches resumes the same pass", async () => {
  const rows = Int32Array.from({ length: 11 }, (_, i) => i);
  const src = rowSource(reader(), { name: "t", rows, ages: new Array(11).fill(30) });
  const o = { ...base, batchSize: 3, shuffle: true, augment: true, seed: 5, epoch: 2 };
  const full = await collect(src, o);
  const again = await collect(src, o);
  assertEquals(again, full);
  const resumed = await collect(src, { ...o, skipBatches: 2 });
  assertEquals(resumed, full.slice(2));
  // Augmentation changes pixels (a crop or a flip of a gradient image is not the image).
  const plain = await collect(src, { ...o, augment: false });
  assertEquals(plain.map((b) => Array.from(b.indices)), full.map((b) => Array.from(b.indices)));
  assert(full.some((b, i) => b.x.some((v, j) => v !== plain[i].x[j])));
  // Another epoch draws other crops for the same image.
  const other = await collect(src, { ...o, shuffle: false, epoch: 3 });
  const same = await collect(src, { ...o, shuffle: false });
  assert(other.some((b, i) => b.x.some((v, j) => v !== same[i].x[j])));
});

Deno.test("rowSource: bad input is a DataError", async () => {
  assertThrows(
    () => rowSource(reader(), { name: "empty", rows: new Int32Array(0), ages: [] }),
    DataError,
    "empty",
  );
  const src = rowSource(reader(), { name: "t", rows: Int32Array.from([0]), ages: [1] });
  await assertRejects(() => collect(src, { ...base, batchSize: 0 }), DataError, "batch size");
  await assertRejects(() => collect(src, { ...base, skipBatches: -1 }), DataError, "skipBatches");
});

Deno.test("cacheSource: a split of a cache, apparent ages mapped", async () => {
  const index = {
    count: 5,
    size: SIZE,
    ages: [10, 11, 12, 13, 14],
    paths: ["a.jpg", "b.jpg", "c.jpg", "d.jpg", "e.jpg"],
    bytes: [100, 101, 102, 103, 104],
    mean: [10.5, null, 12.5, 13.5, 14.5],
    std: [1, null, 3, 4, 5],
  } as unknown as CacheIndex;
  const r = reader();
  const cache: Cache = {
    dir: "",
    index,
    rowBytes: PER,
    readRows: (rows, dst) => r.readRows(rows, dst),
    close() {},
  };
  const src = cacheSource(cache, { name: "c/test", rows: Int32Array.from([4, 1]) });
  assertEquals(Array.from(src.ages), [14, 11]);
  assertEquals(Array.from(src.apparent!.mean), [14.5, NaN]);
  assertEquals(Array.from(src.apparent!.std), [5, NaN]);
  const [b] = await collect(src, base);
  assertEquals(Array.from(b.indices), [0, 1]);
  assertEquals(b.x[0], 4);
  assertEquals(b.x[PER], 1);
  assertThrows(() => cacheSource(cache, { name: "x", rows: Int32Array.from([5]) }), DataError);
});
