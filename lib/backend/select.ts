/**
 * Picks the tfjs backend: `tfjs-node-gpu`, then `tfjs-node` (each only if installed), then
 * `wasm`, then `cpu`, and says which. On `wasm` it registers the kernels training needs and
 * faster ones (lib/backend/register.ts): with Debian's `libdnnl2` (tools/setup-native.sh) the
 * heavy ops run in oneDNN through Deno FFI (needs --allow-ffi; `-A` has it), otherwise in pure
 * wasm, and the log line says which and why. This is the only global state of the library.
 * Training may run the convolutions and matmuls in bfloat16 ({@link withTrainingPrecision}, the
 * config's `precision`); everything else, and any model use outside it, is float32.
 *
 * Environment: `CEN_BACKEND` (tensorflow | wasm | cpu) forces a backend; `CEN_NATIVE=0` keeps
 * wasm pure; `CEN_THREADS` caps oneDNN's threads (default: one per core).
 *
 * @module
 */
import { envSetting } from "../paths.ts";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-backend-wasm";
// tfjs-core's node bundle registers no gradients; tfjs-layers' node bundle registers them all.
import "@tensorflow/tfjs-layers";
import { ConfigError } from "../errors.ts";
import type { Precision } from "./onednn.ts";
import {
  bf16Unavailable,
  currentPrecision,
  registerTrainingKernels,
  setPrecision,
} from "./register.ts";

export {
  bf16Unavailable,
  currentPrecision,
  registerTrainingKernels,
  setPrecision,
} from "./register.ts";
export type { Precision } from "./onednn.ts";

/** The backends we know, in order of preference. */
export const BACKEND_ORDER = ["tensorflow-gpu", "tensorflow", "wasm", "cpu"] as const;

const KNOWN = new Set(["tensorflow", "wasm", "cpu"]);

let chosen: string | undefined;

async function tryNative(pkg: string): Promise<boolean> {
  try {
    await import(pkg);
    return true;
  } catch {
    return false;
  }
}

/**
 * Initialises tfjs once and returns the backend's name. `prefer` (or env `CEN_BACKEND`) forces
 * one: "tensorflow" (tfjs-node or tfjs-node-gpu), "wasm" or "cpu". `log` receives one line
 * naming the backend chosen (and, on wasm, the training kernels registered).
 */
export async function initBackend(
  prefer: string | undefined = envSetting("CEN_BACKEND") || undefined,
  log: (line: string) => void = () => {},
): Promise<string> {
  if (chosen && (!prefer || prefer === chosen)) {
    // Someone may have switched with tf.setBackend since: switch back.
    if (tf.getBackend() !== chosen) await tf.setBackend(chosen);
    return chosen;
  }
  if (prefer && !KNOWN.has(prefer)) {
    throw new Error(
      `unknown tfjs backend "${prefer}" (CEN_BACKEND): use one of ${[...KNOWN].join(", ")}`,
    );
  }
  const wanted = prefer ? [prefer] : ["tensorflow", "wasm", "cpu"];
  const skipped: string[] = [];
  for (const name of wanted) {
    if (name === "tensorflow") {
      const ok = await tryNative("@tensorflow/tfjs-node-gpu") ||
        await tryNative("@tensorflow/tfjs-node");
      if (!ok) {
        skipped.push("tensorflow (tfjs-node not installed)");
        continue;
      }
    }
    let ok = false;
    try {
      ok = await tf.setBackend(name);
      if (ok) await tf.ready();
    } catch {
      ok = false;
    }
    if (!ok) {
      skipped.push(`${name} (failed to start)`);
      continue;
    }
    chosen = tf.getBackend();
    const extra = chosen === "wasm" ? `; ${await registerTrainingKernels()}` : "";
    const why = skipped.length ? ` (skipped: ${skipped.join(", ")})` : "";
    log(`tfjs backend: ${chosen}${prefer ? " (CEN_BACKEND/prefer)" : ""}${why}${extra}`);
    return chosen;
  }
  throw new Error(`no usable tfjs backend among: ${wanted.join(", ")}`);
}

/**
 * Runs `f` (training) with the convolutions and matmuls in `precision`, then restores the
 * precision before. A "bf16" that cannot run here is refused with a {@link ConfigError} naming
 * the reason rather than silently trained in float32: the config (and so the run's record) must
 * say which precision ran.
 */
export async function withTrainingPrecision<T>(
  precision: Precision,
  f: () => Promise<T>,
): Promise<T> {
  if (precision === "bf16") {
    const why = bf16Unavailable();
    if (why) {
      throw new ConfigError(
        "precision",
        `"bf16" cannot run here: ${why}; train with "f32" (the default) instead`,
      );
    }
  }
  const before = currentPrecision();
  if (before === precision) return await f();
  setPrecision(precision);
  try {
    return await f();
  } finally {
    setPrecision(before);
  }
}
