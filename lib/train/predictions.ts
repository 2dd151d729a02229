/**
 * Per-image test predictions kept beside a run's record (`<records>/<id>.predictions.gz`), small
 * enough to commit: for every finished generation, each head's prediction minus the true age,
 * rounded to 0.1 year, as 16-bit integers split into low and high byte planes (the high bytes of
 * small residuals are mostly 0 or 255 and compress well), gzip-compressed. With them an interval
 * over test images (a paired bootstrap) rebuilds from committed files on any machine.
 *
 * Layout before compression: a JSON header line `{"id", "n", "generations", "heads"}` and `\n`,
 * the n true ages as bytes (capped at 255), then per generation and head (ŷ_ldl, ŷ_reg) the n low
 * bytes and the n high bytes of round(10 · (prediction − age)).
 *
 * @module
 */
import { join } from "node:path";
import { DataError } from "../errors.ts";
import { displayPath } from "../paths.ts";
import { writeFileAtomic } from "../fsutil.ts";

/** One generation's predictions on the test images, in years. */
export interface GenerationPredictions {
  yLdl: ArrayLike<number>;
  yReg: ArrayLike<number>;
}

/** What {@link readStoredPredictions} returns: true ages and each generation's heads (0.1-year steps). */
export interface StoredPredictions {
  id: string;
  ages: Uint8Array;
  generations: { yLdl: Float32Array; yReg: Float32Array }[];
}

/** The predictions file of run `id` in records folder `root`. */
export function predictionsPath(root: string, id: string): string {
  return join(root, `${id}.predictions.gz`);
}

async function pipe(bytes: Uint8Array, stream: CompressionStream | DecompressionStream) {
  const out = new Response(new Blob([bytes as BlobPart]).stream().pipeThrough(stream));
  return new Uint8Array(await out.arrayBuffer());
}

/** Encodes and gzips the predictions of run `id` (see the module doc for the layout). */
export async function encodePredictions(
  id: string,
  ages: ArrayLike<number>,
  generations: readonly GenerationPredictions[],
): Promise<Uint8Array> {
  const n = ages.length;
  const header = new TextEncoder().encode(
    JSON.stringify({ id, n, generations: generations.length, heads: ["ldl", "reg"] }) + "\n",
  );
  const body = new Uint8Array(n + generations.length * 2 * 2 * n);
  for (let i = 0; i < n; i++) body[i] = Math.min(255, Math.max(0, Math.round(ages[i])));
  let at = n;
  for (const g of generations) {
    for (const y of [g.yLdl, g.yReg]) {
      if (y.length !== n) throw new RangeError(`predictions: ${y.length} values for ${n} ages`);
      for (let i = 0; i < n; i++) {
        const r = Math.max(-32768, Math.min(32767, Math.round(10 * (y[i] - ages[i]))));
        body[at + i] = r & 0xff;
        body[at + n + i] = (r >> 8) & 0xff;
      }
      at += 2 * n;
    }
  }
  const all = new Uint8Array(header.length + body.length);
  all.set(header);
  all.set(body, header.length);
  return await pipe(all, new CompressionStream("gzip"));
}

/** Writes run `id`'s predictions beside its record (atomically). */
export async function writeStoredPredictions(
  root: string,
  id: string,
  ages: ArrayLike<number>,
  generations: readonly GenerationPredictions[],
): Promise<void> {
  await writeFileAtomic(predictionsPath(root, id), await encodePredictions(id, ages, generations));
}

/** Reads what {@link writeStoredPredictions} wrote; a damaged file is a DataError naming it. */
export async function readStoredPredictions(path: string): Promise<StoredPredictions> {
  const bad = (why: string) =>
    new DataError(`${displayPath(path)}: ${why}; delete it (its run's record still holds the MAE)`);
  let bytes: Uint8Array;
  try {
    bytes = await pipe(await Deno.readFile(path), new DecompressionStream("gzip"));
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) throw e;
    throw bad(`not a gzip file of predictions (${(e as Error).message})`);
  }
  const nl = bytes.indexOf(10);
  let head: { id: string; n: number; generations: number };
  try {
    head = JSON.parse(new TextDecoder().decode(bytes.subarray(0, nl)));
  } catch {
    throw bad("no header");
  }
  const { n, generations: T } = head;
  const body = bytes.subarray(nl + 1);
  if (body.length !== n + T * 4 * n) {
    throw bad(`cut short (${body.length} of ${n + T * 4 * n} bytes)`);
  }
  const ages = body.slice(0, n);
  const planes = (at: number) => {
    const y = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const r = (body[at + i] | (body[at + n + i] << 8)) << 16 >> 16;
      y[i] = ages[i] + r / 10;
    }
    return y;
  };
  const generations = Array.from({ length: T }, (_, t) => ({
    yLdl: planes(n + t * 4 * n),
    yReg: planes(n + t * 4 * n + 2 * n),
  }));
  return { id: head.id, ages, generations };
}
