/**
 * Helpers for comparing the wasm backend with the `cpu` reference.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { initBackend } from "../../lib/backend/mod.ts";
import { type KernelMode, oneDnn, registerTrainingKernels } from "../../lib/backend/register.ts";
import { NO_ONEDNN, skipUnless } from "../helpers/skip.ts";

/** The wasm kernel sets each kernel test runs on: pure wasm, and oneDNN's. */
export const MODES = ["wasm", "native"] as const;

/**
 * The `ignore` flag of a test on kernel set `mode`: the oneDNN ("native") tests are registered
 * everywhere and skip, with the reason recorded, where oneDNN does not load (run
 * tools/setup-native.sh to test them).
 */
export function ignoreMode(mode: typeof MODES[number]): boolean {
  if (mode !== "native") return false;
  const d = oneDnn();
  return skipUnless(typeof d !== "string", `${NO_ONEDNN}: ${d}`);
}

/** Registers the kernel set `mode` (after initialising the wasm backend). */
export async function useMode(mode: KernelMode): Promise<void> {
  await initBackend("wasm");
  await registerTrainingKernels(mode);
}

/** max |a − b| / max |b|: the relative error the issue bounds by 1e-4. */
export function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(a[i])) return Infinity;
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return diff / Math.max(scale, 1e-30);
}

/** Deterministic values in [shift − scale, shift + scale) from a small LCG (no backend). */
export function values(n: number, seed: number, scale = 1, shift = 0): Float32Array {
  const out = new Float32Array(n);
  let s = (seed * 2654435761) >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = (s / 2 ** 31 - 1) * scale + shift;
  }
  return out;
}

/** Runs `f` on backend `name` (wasm with its training kernels) and returns its arrays. */
export async function runOn(
  name: "wasm" | "cpu",
  f: () => tf.Tensor | tf.Tensor[],
): Promise<Float32Array[]> {
  await initBackend("wasm");
  await tf.setBackend(name);
  const out = tf.tidy(f);
  const list = Array.isArray(out) ? out : [out];
  const arrays = list.map((t) => t.dataSync() as Float32Array);
  tf.dispose(list);
  return arrays;
}
