/** Tiny generated data and configs for fast training tests. @module */
import { type CenConfig, makeConfig, type PartialConfig } from "../../lib/config.ts";
import { memorySource } from "../../lib/data/memory.ts";
import type { SampleSource } from "../../lib/data/types.ts";
import { createRng } from "../../lib/rng.ts";

/**
 * `n` images of `size` px whose brightness and a bar's length grow with age, plus noise: a
 * learnable toy task for tests.
 */
export function toySource(
  name: string,
  n: number,
  size: number,
  seed: number,
  minAge = 16,
  maxAge = 77,
): SampleSource {
  const rng = createRng(seed);
  const per = size * size * 3;
  const pixels = new Uint8Array(n * per);
  const ages = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const age = minAge + Math.floor(rng.next() * (maxAge - minAge + 1));
    ages[i] = age;
    const f = (age - minAge) / (maxAge - minAge);
    const bar = Math.round(f * size);
    for (let r = 0; r < size; r++) {
      for (let c = 0; c < size; c++) {
        const o = i * per + (r * size + c) * 3;
        const on = c < bar && r > size / 3 && r < (2 * size) / 3;
        const base = 40 + 150 * f + (on ? 60 : 0);
        for (let ch = 0; ch < 3; ch++) {
          pixels[o + ch] = Math.max(0, Math.min(255, Math.round(base + (rng.next() - 0.5) * 40)));
        }
      }
    }
  }
  return memorySource(name, pixels, ages, size);
}

/** A tiny config: ResNet10-Tiny at 32 px, 2 epochs, batch 16, 2 generations. */
export function tinyConfig(over: PartialConfig = {}): CenConfig {
  return makeConfig({
    backbone: "resnet10-tiny",
    inputSize: 32,
    generations: 2,
    ...over,
    optim: { lr: 0.01, epochs: 2, batchSize: 16, lrStepEpochs: 40, ...over.optim },
    data: { dataset: "toy", params: {}, augment: true, ...over.data },
  });
}
