/**
 * Data-loader speed for `deno task bench` (issue 3, "the loader must not be the bottleneck"):
 * images/s of cache read + augmentation (random resized crop, flip) through the batch source,
 * at 64 and 112 px, batch 32, on the synthetic target set (generated and cached under
 * `results/cache` on first use). Also the one-off costs: generating and caching an image.
 *
 * Run alone: `deno run -A bench/loader.ts`.
 *
 * @module
 */
import { openDataset } from "../lib/data/open.ts";

/** One measured row. */
export interface LoaderRow {
  name: string;
  imagesPerSec: number;
}

const COUNT = 1024;

/** Measures the loader; returns one row per setting. */
export async function loaderBench(
  options: { sizes?: number[]; epochs?: number; cacheRoot?: string } = {},
): Promise<LoaderRow[]> {
  const rows: LoaderRow[] = [];
  for (const size of options.sizes ?? [64, 112]) {
    const data = { dataset: "synthetic-target", params: { count: COUNT, seed: 0 }, augment: true };
    const t0 = performance.now();
    const lines: string[] = [];
    const { train } = await openDataset(data, {
      imageSize: size,
      cacheRoot: options.cacheRoot,
      log: (l) => lines.push(l),
    });
    const setup = (performance.now() - t0) / 1000;
    if (lines.some((l) => l.includes("generating"))) {
      rows.push({
        name: `synthetic generate + cache ${size}px (one-off)`,
        imagesPerSec: COUNT / setup,
      });
    }
    for (const augment of [false, true]) {
      let n = 0;
      const epochs = options.epochs ?? 3;
      const t1 = performance.now();
      for (let epoch = 0; epoch < epochs; epoch++) {
        for await (
          const b of train.batches({ batchSize: 32, shuffle: true, augment, seed: 1, epoch })
        ) n += b.ages.length;
      }
      const secs = (performance.now() - t1) / 1000;
      rows.push({
        name: `loader ${size}px: cache read${augment ? " + augmentation" : ""}`,
        imagesPerSec: n / secs,
      });
    }
  }
  return rows;
}

if (import.meta.main) {
  for (const r of await loaderBench()) {
    console.log(`${r.name.padEnd(52)} ${r.imagesPerSec.toFixed(0).padStart(7)} img/s`);
  }
}
