/**
 * The data check behind `deno task data check`: run a dataset's adapter, decode every image it
 * yields, and account for every input in one report.
 *
 * @module
 */
import { decodeImage, decodeSkip } from "../decode.ts";
import { type DataReport, type SkipRecord, summarize } from "../skips.ts";
import type { AgeSample } from "../types.ts";
import { type AdapterParams, loadDataset } from "./index.ts";

/** Options of {@link checkDataset}. */
export interface CheckOptions {
  /** Adapter options (see each adapter). */
  params?: AdapterParams;
  /** Decode each image (default true); false checks labels and file presence only. */
  decode?: boolean;
  /**
   * Decode to this square size (default 64): small sizes let JPEG decoding shrink on load, which is
   * faster and bounds memory on huge images, yet still reads every byte of the image data.
   */
  size?: number;
  /** Images decoded at once (default 4). */
  concurrency?: number;
  /** Paths listed per reason (default 5). */
  maxExamples?: number;
  /** Called now and then with the number of images decoded so far. */
  onProgress?: (done: number, total: number) => void;
}

/** The report: {@link DataReport} plus the adapter's warnings counted by reason. */
export interface CheckReport extends DataReport {
  warnings: Record<string, number>;
}

/** The result of a check: the report, and the samples that survived decoding. */
export interface CheckResult {
  report: CheckReport;
  samples: AgeSample[];
  skipped: SkipRecord[];
}

/** Runs dataset `name`'s adapter on `root`, decodes each image, and summarises. */
export async function checkDataset(
  name: string,
  root: string,
  options: CheckOptions = {},
): Promise<CheckResult> {
  const result = await loadDataset(name, root, options.params ?? {});
  const skipped = [...result.skipped];
  let samples = result.samples;
  if (options.decode ?? true) {
    const ok = new Array<boolean>(samples.length).fill(false);
    const failures: (SkipRecord | undefined)[] = new Array(samples.length);
    let next = 0;
    let done = 0;
    const worker = async () => {
      while (next < samples.length) {
        const i = next++;
        const r = await decodeImage(samples[i].path, { size: options.size ?? 64 });
        if (r.ok) ok[i] = true;
        else failures[i] = decodeSkip(samples[i].path, r);
        done++;
        options.onProgress?.(done, samples.length);
      }
    };
    const n = Math.max(1, options.concurrency ?? 4);
    await Promise.all(Array.from({ length: n }, worker));
    for (const f of failures) if (f) skipped.push(f);
    samples = samples.filter((_, i) => ok[i]);
  }
  const report = summarize(result.dataset, samples.length, skipped, options.maxExamples ?? 5);
  const warnings: Record<string, number> = {};
  for (const w of result.warnings) warnings[w.reason] = (warnings[w.reason] ?? 0) + 1;
  return { report: { ...report, warnings }, samples, skipped };
}
