import {
  assert,
  assertAlmostEquals,
  assertEquals,
  assertNotEquals,
  assertRejects,
} from "@std/assert";
import { join } from "node:path";
import {
  buildCache,
  CacheInterrupted,
  cacheKey,
  type CacheSettings,
  openCache,
} from "../../lib/data/cache.ts";
import { cacheFingerprint } from "../../lib/data/batches.ts";
import type { AgeSample } from "../../lib/data/types.ts";
import { DataError } from "../../lib/errors.ts";
import { fakePreparer } from "../helpers/cache.ts";

const SIZE = 2, PER = SIZE * SIZE * 3;
const settings: CacheSettings = { dataset: "toy", size: SIZE, align: { mode: "resize" } };

function samples(n: number): AgeSample[] {
  return Array.from({ length: n }, (_, i) => ({ path: `/img/${i}.jpg`, age: 20 + i }));
}

const preparer = () => fakePreparer(PER);

async function readAll(dir: string): Promise<Uint8Array> {
  const cache = (await openCache(dir))!;
  const out = new Uint8Array(cache.index.count * PER);
  await cache.readRows(Array.from({ length: cache.index.count }, (_, i) => i), out);
  cache.close();
  return out;
}

Deno.test("buildCache: rows, index, skips and pixel statistics", async () => {
  const root = await Deno.makeTempDir();
  try {
    const p = preparer();
    const cache = await buildCache(samples(10), { root, settings, prepare: p.fn, chunk: 3 });
    const ix = cache.index;
    assertEquals(ix.count, 9);
    assertEquals(ix.inputs, 10);
    assertEquals(ix.ages, [20, 21, 22, 23, 25, 26, 27, 28, 29]);
    assertEquals(ix.paths[4], "/img/5.jpg");
    assertEquals(ix.skipped, [{ path: "/img/4.jpg", reason: "corrupt-image", detail: "test" }]);
    // Mean of the bytes 0,10,20,30,50,…,90 = 350/9; variance by hand.
    const vals = [0, 10, 20, 30, 50, 60, 70, 80, 90];
    const mean = vals.reduce((a, b) => a + b) / 9;
    const std = Math.sqrt(vals.reduce((a, b) => a + b * b, 0) / 9 - mean * mean);
    for (let c = 0; c < 3; c++) {
      assertAlmostEquals(ix.pixelMean[c], mean, 1e-9);
      assertAlmostEquals(ix.pixelStd[c], std, 1e-9);
    }
    const dst = new Uint8Array(2 * PER);
    await cache.readRows([4, 0], dst);
    assertEquals(dst[0], 50);
    assertEquals(dst[PER], 0);
    // No leftovers of the build.
    const names = [];
    for await (const e of Deno.readDir(cache.dir)) names.push(e.name);
    assertEquals(names.sort(), ["index.json", "pixels.bin"]);
    // A second call reuses the cache: nothing is prepared again.
    const again = preparer();
    const reused = await buildCache(samples(10), { root, settings, prepare: again.fn });
    assertEquals(again.calls.length, 0);
    assertEquals(reused.dir, cache.dir);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("buildCache: an interrupted build is never used, and is completed from where it stopped", async () => {
  const root = await Deno.makeTempDir();
  const fresh = await Deno.makeTempDir();
  try {
    const first = preparer();
    await assertRejects(
      () =>
        buildCache(samples(10), {
          root,
          settings,
          prepare: first.fn,
          chunk: 3,
          concurrency: 1,
          stopAfterChunks: 2,
        }),
      CacheInterrupted,
    );
    assertEquals(first.calls.length, 6);
    const key = await cacheKey(samples(10), settings);
    const dir = join(root, `toy-2-resize-${key}`);
    assertEquals(await openCache(dir), undefined);
    // A crash after appending pixels but before the progress write leaves junk: it is dropped.
    await Deno.writeFile(join(dir, "pixels.bin"), new Uint8Array(7).fill(255), { append: true });
    const second = preparer();
    const lines: string[] = [];
    const cache = await buildCache(samples(10), {
      root,
      settings,
      prepare: second.fn,
      chunk: 3,
      log: (l) => lines.push(l),
    });
    assertEquals(second.calls, ["/img/6.jpg", "/img/7.jpg", "/img/8.jpg", "/img/9.jpg"]);
    assert(lines.some((l) => l.includes("resuming a partial build at 6/10")));
    assertEquals(cache.index.count, 9);
    const whole = await buildCache(samples(10), { root: fresh, settings, prepare: preparer().fn });
    assertEquals(await readAll(cache.dir), await readAll(whole.dir));
    assertEquals(cache.index, whole.index);
  } finally {
    await Deno.remove(root, { recursive: true });
    await Deno.remove(fresh, { recursive: true });
  }
});

Deno.test("openCache: a pixel file of the wrong length is not a cache; file-backed reads match", async () => {
  const root = await Deno.makeTempDir();
  try {
    const cache = await buildCache(samples(6), { root, settings, prepare: preparer().fn });
    const inMemory = await readAll(cache.dir);
    const fromFile = (await openCache(cache.dir, 0))!;
    const dst = new Uint8Array(5 * PER);
    // Concurrent reads must not interleave their seeks.
    const a = new Uint8Array(2 * PER), b = new Uint8Array(3 * PER);
    await Promise.all([fromFile.readRows([0, 1], a), fromFile.readRows([2, 3, 4], b)]);
    dst.set(a);
    dst.set(b, 2 * PER);
    fromFile.close();
    assertEquals(dst, inMemory);
    await Deno.writeFile(join(cache.dir, "pixels.bin"), new Uint8Array(3));
    assertEquals(await openCache(cache.dir), undefined);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("cacheKey: changes with labels, files, size and alignment", async () => {
  const k = await cacheKey(samples(3), settings);
  assertEquals(await cacheKey(samples(3), settings), k);
  const relabelled = samples(3);
  relabelled[1].age = 99;
  assertNotEquals(await cacheKey(relabelled, settings), k);
  assertNotEquals(await cacheKey(samples(4), settings), k);
  assertNotEquals(await cacheKey(samples(3), { ...settings, size: 3 }), k);
  assertNotEquals(await cacheKey(samples(3), { ...settings, align: { mode: "detect" } }), k);
});

Deno.test("buildCache: a preparer returning the wrong size is a DataError", async () => {
  const root = await Deno.makeTempDir();
  try {
    await assertRejects(
      () =>
        buildCache(samples(2), {
          root,
          settings,
          prepare: () => Promise.resolve({ ok: true, rgb: new Uint8Array(5) }),
        }),
      DataError,
      "want 12",
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("buildCache: one builder at a time; a stale lock is taken over", async () => {
  const root = await Deno.makeTempDir();
  try {
    const p = preparer();
    const opts = { root, settings, prepare: p.fn, chunk: 2 };
    const [a, b] = await Promise.all([buildCache(samples(8), opts), buildCache(samples(8), opts)]);
    assertEquals(p.calls.length, 8); // the second waited and reused the first one's cache
    assertEquals(a.index, b.index);
    // A lock left by a process that no longer exists does not block a new build.
    const key = await cacheKey(samples(3), settings);
    const dir = join(root, `toy-2-resize-${key}`);
    await Deno.mkdir(dir, { recursive: true });
    await Deno.writeTextFile(join(dir, "build.lock"), "2147483646");
    const c = await buildCache(samples(3), { root, settings, prepare: preparer().fn });
    assertEquals(c.index.count, 3);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

/** Writes files `<dir>/<i>.jpg` of `bytes[i]` bytes and returns their samples. */
async function fileSamples(dir: string, bytes: number[]): Promise<AgeSample[]> {
  await Deno.mkdir(dir, { recursive: true });
  return await Promise.all(bytes.map(async (n, i) => {
    const path = join(dir, `${i}.jpg`);
    await Deno.writeFile(path, new Uint8Array(n).fill(i));
    return { path, age: 20 + i };
  }));
}

Deno.test("cache key: an image replaced in place under the same name gives a new cache", async () => {
  const root = await Deno.makeTempDir();
  try {
    const list = await fileSamples(join(root, "imgs"), [10, 11, 12]);
    const first = await cacheKey(list, settings);
    assertEquals(await cacheKey(list, settings), first, "same files, same key");
    await Deno.writeFile(list[1].path, new Uint8Array(40)); // same name, other image
    assertNotEquals(await cacheKey(list, settings), first);
    const p = preparer();
    const a = await buildCache(list, { root, settings, prepare: p.fn });
    assertEquals(a.index.bytes, [10, 40, 12]);
    await Deno.writeFile(list[2].path, new Uint8Array(13));
    const b = await buildCache(list, { root, settings, prepare: p.fn });
    assertNotEquals(b.dir, a.dir);
    assertEquals(p.calls.length, 6, "the replaced image's cache is built anew");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("cacheFingerprint: the same images elsewhere keep it; other images, labels, crops change it", async () => {
  const root = await Deno.makeTempDir();
  try {
    const fp = async (list: AgeSample[], s = settings) => {
      const cache = await buildCache(list, {
        root: join(root, "c"),
        settings: s,
        prepare: preparer().fn,
      });
      return cacheFingerprint(cache, [0, 1, 2]);
    };
    const here = await fp(await fileSamples(join(root, "a"), [10, 11, 12]));
    assertEquals(await fp(await fileSamples(join(root, "b"), [10, 11, 12])), here, "moved folder");
    assertNotEquals(
      await fp(await fileSamples(join(root, "c1"), [10, 99, 12])),
      here,
      "other image",
    );
    const relabelled = (await fileSamples(join(root, "d"), [10, 11, 12])).map((s) => ({
      ...s,
      age: s.age + 1,
    }));
    assertNotEquals(await fp(relabelled), here, "other labels");
    const cropped = { ...settings, align: { mode: "crop", x: 0.1 } };
    assertNotEquals(await fp(await fileSamples(join(root, "e"), [10, 11, 12]), cropped), here);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
