/**
 * Training-mode batch norm in four passes over the data on `wasm`.
 *
 * tfjs-layers normalises a batch with `tf.moments` (mean, x − μ, square, mean) and then
 * `tf.batchNorm4d`; differentiating that composite walks every full-size temporary again, some
 * fifteen passes per layer. Here:
 *
 * - `tf.moments` over all leading axes of a float32 tensor is one pass (kernel `CenMoments`,
 *   float64 sums of x and x², with its own gradient so other users can still differentiate it);
 * - `tf.batchNorm{,2d,3d,4d}` given a mean and variance that `tf.moments` just computed from the
 *   same x is one custom-gradient op over (x, γ, β), whose backward pass is the usual
 *   closed form in two passes (kernel `CenBnGrad`):
 *   ∂x = γr·(dy − Σdy/M − (x−μ)·r²·Σ dy(x−μ)/M),  ∂γ = r·Σ dy(x−μ),  ∂β = Σdy,  r = (σ²+ε)^−½.
 *   The batch statistics are then constants of that op: their effect on x is inside ∂x.
 *
 * Both are installed by replacing the `moments` and `batchNorm*` entries of tfjs-core's module
 * object (which tfjs-layers reads at call time) and are removed by {@link uninstallBnTrain}.
 * Anything else (another backend, other axes, no γ or β) runs the original functions.
 *
 * @module
 */
import tfc from "@tensorflow/tfjs-core";
import * as tf from "@tensorflow/tfjs-core";
import type { KernelConfig, KernelFunc, Tensor, TensorInfo } from "@tensorflow/tfjs-core";
import type { WasmBackendLike } from "./wasm_kernels.ts";
import type { OneDnn } from "./onednn.ts";
import { heap, type HeapBackend } from "./native_kernels.ts";

type Fn = (...args: unknown[]) => unknown;
const core = tfc as unknown as Record<string, Fn>;
const PATCHED = ["moments", "batchNorm", "batchNorm2d", "batchNorm3d", "batchNorm4d"] as const;
const originals = new Map<string, Fn>();

/** Means that `tf.moments` produced, with the x and variance they belong to. */
const fromMoments = new WeakMap<Tensor, { x: Tensor; variance: Tensor }>();

/** [rows, channels] of NHWC data viewed as a [rows, c] matrix (c: the last axis). */
function rowsAndChannels(shape: number[]): [number, number] {
  const c = shape[shape.length - 1];
  return [shape.reduce((a, b) => a * b, 1) / c, c];
}

/** [rows, channels] when `axes` are exactly the leading axes of `shape`. */
function leading(shape: number[], axes: number[]): [number, number] | undefined {
  const r = shape.length;
  const sorted = axes.map((a) => (a < 0 ? a + r : a)).sort((a, b) => a - b);
  if (r < 2 || sorted.length !== r - 1 || sorted.some((a, i) => a !== i)) return undefined;
  return rowsAndChannels(shape);
}

const momentsKernel: KernelFunc = ({ inputs, backend: b }) => {
  const backend = b as unknown as WasmBackendLike;
  const { x } = inputs as { x: TensorInfo };
  const [rows, c] = rowsAndChannels(x.shape);
  const mean = backend.makeOutput([c], "float32");
  const variance = backend.makeOutput([c], "float32");
  const src = backend.typedArrayFromHeap(x);
  const s1 = new Float64Array(c);
  const s2 = new Float64Array(c);
  let o = 0;
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < c; j++, o++) {
      const v = src[o];
      s1[j] += v;
      s2[j] += v * v;
    }
  }
  const m = backend.typedArrayFromHeap(mean);
  const va = backend.typedArrayFromHeap(variance);
  for (let j = 0; j < c; j++) {
    const mu = s1[j] / rows;
    m[j] = mu;
    va[j] = Math.max(s2[j] / rows - mu * mu, 0);
  }
  return [mean, variance];
};

const bnGradKernel: KernelFunc = ({ inputs, backend: b, attrs }) => {
  const backend = b as unknown as WasmBackendLike;
  const { dy, x, mean, variance, scale } = inputs as Record<string, TensorInfo>;
  const eps = (attrs as unknown as { epsilon: number }).epsilon;
  const [rows, c] = rowsAndChannels(x.shape);
  const dxT = backend.makeOutput(x.shape, "float32");
  const dScaleT = backend.makeOutput([c], "float32");
  const dOffsetT = backend.makeOutput([c], "float32");
  const g = backend.typedArrayFromHeap(dy);
  const xs = backend.typedArrayFromHeap(x);
  const mu = backend.typedArrayFromHeap(mean);
  const va = backend.typedArrayFromHeap(variance);
  const ga = backend.typedArrayFromHeap(scale);
  const sdy = new Float64Array(c);
  const sdyx = new Float64Array(c);
  let o = 0;
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < c; j++, o++) {
      const d = g[o];
      sdy[j] += d;
      sdyx[j] += d * (xs[o] - mu[j]);
    }
  }
  const k = new Float32Array(c);
  const bx = new Float32Array(c);
  const a0 = new Float32Array(c);
  const dScale = backend.typedArrayFromHeap(dScaleT);
  const dOffset = backend.typedArrayFromHeap(dOffsetT);
  for (let j = 0; j < c; j++) {
    const r = 1 / Math.sqrt(va[j] + eps);
    const kj = ga[j] * r;
    k[j] = kj;
    bx[j] = -kj * r * r * sdyx[j] / rows;
    a0[j] = -kj * sdy[j] / rows - bx[j] * mu[j];
    dScale[j] = r * sdyx[j];
    dOffset[j] = sdy[j];
  }
  const dx = backend.typedArrayFromHeap(dxT);
  o = 0;
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < c; j++, o++) dx[o] = k[j] * g[o] + bx[j] * xs[o] + a0[j];
  }
  return [dxT, dScaleT, dOffsetT];
};

/** `CenMoments` in oneDNN (its training-mode batch-norm forward, on all threads). */
function momentsNative(dnn: OneDnn): KernelFunc {
  return ({ inputs, backend: b }) => {
    const backend = b as unknown as HeapBackend;
    const { x } = inputs as { x: TensorInfo };
    const [rows, c] = rowsAndChannels(x.shape);
    const mean = backend.makeOutput([c], "float32");
    const variance = backend.makeOutput([c], "float32");
    const p = heap(backend);
    dnn.bnStatistics(rows, c, p(x), p(mean), p(variance));
    return [mean, variance];
  };
}

/** `CenBnGrad` in oneDNN's batch-norm backward. */
function bnGradNative(dnn: OneDnn): KernelFunc {
  return ({ inputs, backend: b, attrs }) => {
    const backend = b as unknown as HeapBackend;
    const { dy, x, mean, variance, scale } = inputs as Record<string, TensorInfo>;
    const eps = (attrs as unknown as { epsilon: number }).epsilon;
    const [rows, c] = rowsAndChannels(x.shape);
    const dx = backend.makeOutput(x.shape, "float32");
    const dScale = backend.makeOutput([c], "float32");
    const dShift = backend.makeOutput([c], "float32");
    const p = heap(backend);
    dnn.bnBackward(
      rows,
      c,
      eps,
      p(x),
      p(mean),
      p(variance),
      p(dy),
      p(scale),
      p(dx),
      p(dScale),
      p(dShift),
    );
    return [dx, dScale, dShift];
  };
}

/**
 * Kernels `CenMoments` and `CenBnGrad` for `wasm`: in oneDNN when given (the statistics on all
 * threads: 3.9 → 1 ms per ResNet10-Tiny step at 64 px), else in JS with float64 sums.
 */
export function bnTrainKernelConfigs(dnn?: OneDnn): KernelConfig[] {
  return [
    {
      kernelName: "CenMoments",
      backendName: "wasm",
      kernelFunc: dnn ? momentsNative(dnn) : momentsKernel,
    },
    {
      kernelName: "CenBnGrad",
      backendName: "wasm",
      kernelFunc: dnn ? bnGradNative(dnn) : bnGradKernel,
    },
  ];
}

/** Gradient of `CenMoments`: ∂x = dμ/M + dσ²·2(x − μ)/M. */
export const momentsGradConfig: tf.GradConfig = {
  kernelName: "CenMoments",
  inputsToSave: ["x"],
  outputsToSave: [true, false],
  gradFunc: (dys, saved) => {
    const [dMean, dVar] = dys as Tensor[];
    const [x, mean] = saved;
    const c = x.shape[x.rank - 1];
    const rows = x.size / c;
    return {
      x: () =>
        tf.add(
          tf.div(dMean, rows),
          tf.mul(tf.sub(x, mean), tf.mul(dVar, 2 / rows)),
        ),
    };
  },
};

function moments(x: Tensor, axis?: number | number[], keepDims = false) {
  const axes = axis === undefined
    ? x.shape.map((_, i) => i)
    : tf.util.parseAxisParam(axis, x.shape);
  if (tf.getBackend() !== "wasm" || x.dtype !== "float32" || !leading(x.shape, axes)) {
    return originals.get("moments")!(x, axis, keepDims);
  }
  const [mean, variance] = tf.engine().runKernel("CenMoments", { x }, {}) as Tensor[];
  if (keepDims) {
    const shape = x.shape.map((d, i) => (i === x.rank - 1 ? d : 1));
    return { mean: tf.reshape(mean, shape), variance: tf.reshape(variance, shape) };
  }
  fromMoments.set(mean, { x, variance });
  return { mean, variance };
}

/** y = (x − μ)·γr + β with the closed-form gradient over (x, γ, β). */
function batchNormTraining(
  x: Tensor,
  mean: Tensor,
  variance: Tensor,
  offset: Tensor,
  scale: Tensor,
  epsilon: number,
): Tensor {
  const f = (xi: Tensor, gamma: Tensor, beta: Tensor, save: tf.GradSaveFunc) => {
    const y = tf.engine().runKernel("FusedBatchNorm", {
      x: xi,
      mean,
      variance,
      offset: beta,
      scale: gamma,
    }, { varianceEpsilon: epsilon }) as Tensor;
    // The statistics are not inputs of this op: save them too, or the forward scope frees them.
    save([xi, gamma, mean, variance]);
    return {
      value: y,
      gradFunc: (dy: Tensor, saved: Tensor[]) => {
        const [xs, g, mu, va] = saved;
        return tf.engine().runKernel("CenBnGrad", {
          dy,
          x: xs,
          mean: mu,
          variance: va,
          scale: g,
        }, { epsilon }) as Tensor[];
      },
    };
  };
  const op = tf.customGrad(f as unknown as Parameters<typeof tf.customGrad>[0]);
  return op(x, scale, offset);
}

function patchedBatchNorm(name: string): Fn {
  return (...args: unknown[]) => {
    const [x, mean, variance, offset, scale, eps] = args as [
      Tensor,
      Tensor,
      Tensor,
      Tensor | undefined,
      Tensor | undefined,
      number | undefined,
    ];
    const m = mean instanceof tf.Tensor ? fromMoments.get(mean) : undefined;
    const c = x.shape[x.rank - 1];
    if (
      !m || m.x !== x || m.variance !== variance || tf.getBackend() !== "wasm" ||
      !(offset instanceof tf.Tensor) || !(scale instanceof tf.Tensor) ||
      offset.size !== c || scale.size !== c || offset.rank !== 1 || scale.rank !== 1
    ) {
      return originals.get(name)!(...args);
    }
    return batchNormTraining(x, mean, variance, offset, scale, eps ?? 0.001);
  };
}

/**
 * Installs the training batch norm (kernels, gradient and the tfjs-core entries); with `dnn`
 * its backward pass runs in oneDNN.
 */
export function installBnTrain(dnn?: OneDnn): void {
  for (const k of bnTrainKernelConfigs(dnn)) {
    if (tf.getKernel(k.kernelName, k.backendName)) {
      tf.unregisterKernel(k.kernelName, k.backendName);
    }
    tf.registerKernel(k);
  }
  if (!tf.getGradient("CenMoments")) tf.registerGradient(momentsGradConfig);
  if (originals.size > 0) return;
  for (const name of PATCHED) originals.set(name, core[name]);
  core.moments = moments as Fn;
  for (const name of PATCHED.slice(1)) core[name] = patchedBatchNorm(name);
}

/** Restores tfjs-core's own `moments` and `batchNorm*`. */
export function uninstallBnTrain(): void {
  for (const [name, f] of originals) core[name] = f;
  originals.clear();
}

/** Whether the training batch norm is installed. */
export function bnTrainInstalled(): boolean {
  return originals.size > 0;
}
