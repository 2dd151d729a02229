/**
 * The gradient of `Relu` in one native pass on `wasm`: tfjs's gradient is
 * `dy · cast(step(x))`, three full-size passes. Kernel `CenReluGrad` runs oneDNN's relu
 * backward: ∂x = dy where x > 0, else 0 (tfjs's convention at 0; where x is NaN it gives 0,
 * tfjs NaN). Only installed with oneDNN: a JS loop here is slower than tfjs's three wasm passes
 * (its data-dependent branch mispredicts). The gradient registered is global: on other
 * backends it calls tfjs's own.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import type { GradConfig, KernelConfig, Tensor, TensorInfo } from "@tensorflow/tfjs-core";
import type { OneDnn } from "./onednn.ts";
import { heap, type HeapBackend } from "./native_kernels.ts";

/** `CenReluGrad` for wasm through oneDNN: inputs dy and x (float32, same shape). */
export function reluGradKernelConfig(dnn: OneDnn): KernelConfig {
  return {
    kernelName: "CenReluGrad",
    backendName: "wasm",
    kernelFunc: ({ inputs, backend: b }) => {
      const backend = b as unknown as HeapBackend;
      const { dy, x } = inputs as { dy: TensorInfo; x: TensorInfo };
      const out = backend.makeOutput(x.shape, "float32");
      const p = heap(backend);
      dnn.reluBackward(x.shape.reduce((a, d) => a * d, 1), p(x), p(dy), p(out));
      return out;
    },
  };
}

/** A `Relu` gradient that uses `CenReluGrad` on wasm and `fallback` elsewhere. */
export function reluGradConfig(fallback: GradConfig): GradConfig {
  return {
    kernelName: "Relu",
    inputsToSave: ["x"],
    gradFunc: (dy, saved, attrs) => {
      const [x] = saved;
      if (tf.getBackend() !== "wasm" || x.dtype !== "float32") {
        return fallback.gradFunc(dy, saved, attrs);
      }
      return {
        x: () => tf.engine().runKernel("CenReluGrad", { dy: dy as Tensor, x }, {}) as Tensor,
      };
    },
  };
}
