/**
 * Picks the tfjs backend: `tfjs-node-gpu`, then `tfjs-node` (each only if installed), then
 * `wasm`, then `cpu`. `CEN_BACKEND` overrides the choice. This is the only global state of the
 * library.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-backend-wasm";

/** The backends we know, in order of preference. */
export const BACKEND_ORDER = ["tensorflow-gpu", "tensorflow", "wasm", "cpu"] as const;

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
 * one: "tensorflow" (tfjs-node or tfjs-node-gpu), "wasm" or "cpu".
 */
export async function initBackend(
  prefer: string | undefined = Deno.env.get("CEN_BACKEND"),
  log: (line: string) => void = () => {},
): Promise<string> {
  if (chosen && (!prefer || prefer === chosen)) return chosen;
  const wanted = prefer ? [prefer] : ["tensorflow", "wasm", "cpu"];
  for (const name of wanted) {
    if (name === "tensorflow") {
      const ok = await tryNative("@tensorflow/tfjs-node-gpu") ||
        await tryNative("@tensorflow/tfjs-node");
      if (!ok) continue;
    }
    if (await tf.setBackend(name)) {
      await tf.ready();
      chosen = tf.getBackend();
      log(`tfjs backend: ${chosen}`);
      return chosen;
    }
  }
  throw new Error(`no usable tfjs backend among: ${wanted.join(", ")}`);
}
