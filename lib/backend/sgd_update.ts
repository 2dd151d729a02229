/**
 * One SGD-with-momentum update per variable in a single pass on `wasm`, for
 * lib/train/sgd.ts to call: g ← ∇ + wd·w;  v ← μ·v + g;  w ← w − lr·v (PyTorch's
 * `torch.optim.SGD`). Written with tfjs ops that is six kernels per variable; kernel
 * `CenSgdMomentum` reads w, v, ∇ once and writes w', v'. Other backends use the tfjs ops.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import type { KernelConfig, Tensor, TensorInfo } from "@tensorflow/tfjs-core";
import type { WasmBackendLike } from "./wasm_kernels.ts";

/** Learning rate, momentum and (coupled) weight decay. */
export interface SgdHyper {
  lr: number;
  momentum: number;
  weightDecay: number;
}

/** `CenSgdMomentum` for wasm: inputs w, v, g (float32, same shape) → [w', v']. */
export const sgdKernelConfig: KernelConfig = {
  kernelName: "CenSgdMomentum",
  backendName: "wasm",
  kernelFunc: ({ inputs, backend: b, attrs }) => {
    const backend = b as unknown as WasmBackendLike;
    const { w, v, g } = inputs as Record<string, TensorInfo>;
    const { lr, momentum, weightDecay } = attrs as unknown as SgdHyper;
    const wOut = backend.makeOutput(w.shape, "float32");
    const vOut = backend.makeOutput(w.shape, "float32");
    const ws = backend.typedArrayFromHeap(w);
    const vs = backend.typedArrayFromHeap(v);
    const gs = backend.typedArrayFromHeap(g);
    const wo = backend.typedArrayFromHeap(wOut);
    const vo = backend.typedArrayFromHeap(vOut);
    for (let i = 0; i < wo.length; i++) {
      const vi = momentum * vs[i] + (gs[i] + weightDecay * ws[i]);
      vo[i] = vi;
      wo[i] = ws[i] - lr * vi;
    }
    return [wOut, vOut];
  },
};

/** Updates `w` and its velocity `v` in place (as variables) from gradient `g`. */
export function sgdMomentumUpdate(
  w: tf.Variable,
  v: tf.Variable,
  g: Tensor,
  hp: SgdHyper,
): void {
  tf.tidy(() => {
    if (
      tf.getBackend() === "wasm" && w.dtype === "float32" && tf.getKernel("CenSgdMomentum", "wasm")
    ) {
      const [w2, v2] = tf.engine().runKernel("CenSgdMomentum", { w, v, g }, {
        lr: hp.lr,
        momentum: hp.momentum,
        weightDecay: hp.weightDecay,
      }) as Tensor[];
      v.assign(v2);
      w.assign(w2);
      return;
    }
    const gd = hp.weightDecay > 0 ? tf.add(g, tf.mul(w, hp.weightDecay)) : g;
    const v2 = tf.add(tf.mul(v, hp.momentum), gd);
    v.assign(v2);
    w.assign(tf.sub(w, tf.mul(v2, hp.lr)));
  });
}
