/**
 * Faster `wasm` kernels for the non-convolution ops of a ResNet training step:
 *
 * - `Identity` shares the input's buffer (reference-counted, as `Reshape` already does) instead
 *   of copying it: tfjs clones every tensor it saves for the backward pass;
 * - `Sum` / `Mean` over all leading axes (per-channel reductions of NHWC tensors, as in batch
 *   norm) in one contiguous pass, or as a ones-vector sgemm in oneDNN when loaded; the stock
 *   kernels transpose the whole tensor first;
 * - `MaxPoolGrad` (NHWC, no dilation) as one pass over the pooling windows, with tfjs's tie rule
 *   (the first maximum in row-major window order gets the gradient).
 *
 * - `Slice` of a contiguous block (a batch along the first axis, as `model.predict` takes) as
 *   one copy on the heap; the stock kernel first copies the whole input out of it;
 * - `_FusedMatMul` with a bias (linear or relu): tfjs-backend-wasm 4.22 adds the bias along the
 *   wrong axis when an operand is transposed; this computes the product with `BatchMatMul` and
 *   adds bias (and relu) itself.
 *
 * Other cases go to the kernels these replace.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import type { KernelConfig, KernelFunc, TensorInfo } from "@tensorflow/tfjs-core";
import type { OneDnn } from "./onednn.ts";
import type { WasmBackendLike } from "./wasm_kernels.ts";

interface RefBackend extends WasmBackendLike {
  incRef(dataId: object): void;
  wasm: WasmBackendLike["wasm"] & { HEAPU8: Uint8Array };
  dataIdMap: { get(dataId: object): { id: number; memoryOffset: number } };
}

/** Rows × channels when `axis` is exactly every axis but the last; else undefined. */
function leadingReduction(shape: number[], axis: number | number[]): [number, number] | undefined {
  const r = shape.length;
  if (r < 2) return undefined;
  const axes = tf.util.parseAxisParam(axis, shape).slice().sort((a, b) => a - b);
  if (axes.length !== r - 1 || axes.some((a, i) => a !== i)) return undefined;
  const c = shape[r - 1];
  return [shape.reduce((a, b) => a * b, 1) / c, c];
}

interface PoolAttrs {
  filterSize: number | [number, number];
  strides: number | [number, number];
  pad: "valid" | "same" | number;
  dimRoundingMode?: "floor" | "round" | "ceil";
}

function poolInfo(shape: number[], a: PoolAttrs): tf.backend_util.Conv2DInfo {
  return tf.backend_util.computePool2DInfo(
    shape as [number, number, number, number],
    a.filterSize,
    a.strides,
    1,
    a.pad,
    a.dimRoundingMode,
  );
}

/** Σ over rows of a row-major [rows, c] array, in float64 accumulators. */
function sumRows(src: Float32Array, rows: number, c: number, dst: Float32Array, scale: number) {
  const acc = new Float64Array(c);
  let o = 0;
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < c; j++) acc[j] += src[o++];
  }
  for (let j = 0; j < c; j++) dst[j] = acc[j] * scale;
}

/** Kernel configs for the fast ops; `fallback` holds the kernels they replace. */
export function fastOpConfigs(
  fallback: Record<string, KernelConfig | undefined>,
  dnn?: OneDnn,
): KernelConfig[] {
  const delegate = (name: string, args: Parameters<KernelFunc>[0]) => {
    const k = fallback[name];
    if (!k) throw new Error(`no fallback kernel ${name} for wasm`);
    return k.kernelFunc(args);
  };
  let ones = new Float32Array(0);
  let onesPtr: Deno.PointerValue = null;

  const identity: KernelFunc = (args) => {
    const { x } = args.inputs as { x: TensorInfo };
    if (x.dtype === "string") return delegate("Identity", args);
    (args.backend as unknown as RefBackend).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  };

  const reduce = (name: "Sum" | "Mean"): KernelFunc => (args) => {
    const { x } = args.inputs as { x: TensorInfo };
    const { axis, keepDims } = args.attrs as unknown as {
      axis: number | number[];
      keepDims: boolean;
    };
    const rc = x.dtype === "float32" ? leadingReduction(x.shape, axis) : undefined;
    if (!rc) return delegate(name, args);
    const [rows, c] = rc;
    const backend = args.backend as unknown as RefBackend;
    const outShape = keepDims ? x.shape.map((d, i) => (i === x.shape.length - 1 ? d : 1)) : [c];
    const out = backend.makeOutput(outShape, "float32");
    const scale = name === "Mean" ? 1 / rows : 1;
    if (dnn && rows * c >= 4096) {
      if (ones.length < rows) {
        ones = new Float32Array(rows).fill(1);
        onesPtr = Deno.UnsafePointer.of(ones);
      }
      if (ones[0] !== scale) ones.fill(scale);
      const base = Deno.UnsafePointer.of(backend.wasm.HEAPU8)!;
      const at = (t: TensorInfo) =>
        Deno.UnsafePointer.offset(base, backend.dataIdMap.get(t.dataId).memoryOffset);
      dnn.sgemm(false, false, 1, c, rows, onesPtr, at(x), at(out));
      return out;
    }
    sumRows(backend.typedArrayFromHeap(x), rows, c, backend.typedArrayFromHeap(out), scale);
    return out;
  };

  const maxPoolGrad: KernelFunc = (args) => {
    if (dnn) return maxPoolGradNative(args, dnn);
    const { dy, input } = args.inputs as { dy: TensorInfo; input: TensorInfo };
    const info = poolInfo(input.shape, args.attrs as unknown as PoolAttrs);
    const backend = args.backend as unknown as RefBackend;
    const out = backend.makeOutput(input.shape, "float32");
    const x = backend.typedArrayFromHeap(input);
    const g = backend.typedArrayFromHeap(dy);
    const dx = backend.typedArrayFromHeap(out);
    dx.fill(0);
    const { batchSize: n, inHeight: h, inWidth: w, inChannels: c } = info;
    const { outHeight: oh, outWidth: ow, strideHeight: sh, strideWidth: sw } = info;
    const { filterHeight: fh, filterWidth: fw } = info;
    const pt = info.padInfo.top;
    const pl = info.padInfo.left;
    const best = new Int32Array(c);
    const bestV = new Float32Array(c);
    for (let b = 0; b < n; b++) {
      for (let i = 0; i < oh; i++) {
        const r0 = i * sh - pt;
        const rs = Math.max(r0, 0);
        const re = Math.min(r0 + fh, h);
        for (let j = 0; j < ow; j++) {
          const c0 = j * sw - pl;
          const cs = Math.max(c0, 0);
          const ce = Math.min(c0 + fw, w);
          bestV.fill(-Infinity);
          best.fill(-1);
          for (let r = rs; r < re; r++) {
            for (let q = cs; q < ce; q++) {
              const base = ((b * h + r) * w + q) * c;
              for (let k = 0; k < c; k++) {
                const v = x[base + k];
                if (v > bestV[k]) {
                  bestV[k] = v;
                  best[k] = base + k;
                }
              }
            }
          }
          const gb = ((b * oh + i) * ow + j) * c;
          for (let k = 0; k < c; k++) if (best[k] >= 0) dx[best[k]] += g[gb + k];
        }
      }
    }
    return out;
  };

  const maxPoolGradNative = (args: Parameters<KernelFunc>[0], d: OneDnn) => {
    const { dy, input } = args.inputs as { dy: TensorInfo; input: TensorInfo };
    const a = args.attrs as unknown as PoolAttrs;
    const i = poolInfo(input.shape, a);
    const backend = args.backend as unknown as RefBackend;
    const out = backend.makeOutput(input.shape, "float32");
    const base = Deno.UnsafePointer.of(backend.wasm.HEAPU8)!;
    const at = (t: TensorInfo) =>
      Deno.UnsafePointer.offset(base, backend.dataIdMap.get(t.dataId).memoryOffset);
    d.maxPoolBackward(
      {
        n: i.batchSize,
        h: i.inHeight,
        w: i.inWidth,
        c: i.inChannels,
        oh: i.outHeight,
        ow: i.outWidth,
        kh: i.filterHeight,
        kw: i.filterWidth,
        sh: i.strideHeight,
        sw: i.strideWidth,
        pt: i.padInfo.top,
        pl: i.padInfo.left,
        pb: i.padInfo.bottom,
        pr: i.padInfo.right,
      },
      at(input),
      at(dy),
      at(out),
    );
    return out;
  };

  const fusedMatMul: KernelFunc = (args) => {
    const { a, b, bias, preluActivationWeights } = args.inputs as Record<string, TensorInfo>;
    const at = args.attrs as unknown as {
      transposeA: boolean;
      transposeB: boolean;
      activation?: string;
    };
    const act = at.activation ?? "linear";
    const n = at.transposeB ? b.shape[b.shape.length - 2] : b.shape[b.shape.length - 1];
    if (
      bias === undefined || preluActivationWeights !== undefined ||
      (act !== "linear" && act !== "relu") || bias.dtype !== "float32" ||
      bias.shape.reduce((x, y) => x * y, 1) !== n
    ) {
      return delegate("_FusedMatMul", args);
    }
    const backend = args.backend as unknown as RefBackend;
    const out = delegate("BatchMatMul", {
      inputs: { a, b },
      backend: args.backend,
      attrs: { transposeA: at.transposeA, transposeB: at.transposeB },
    }) as TensorInfo;
    const o = backend.typedArrayFromHeap(out);
    const bv = backend.typedArrayFromHeap(bias);
    for (let q = 0; q < o.length; q++) {
      const v = o[q] + bv[q % n];
      o[q] = act === "relu" && v < 0 ? 0 : v;
    }
    return out;
  };

  const slice: KernelFunc = (args) => {
    const { x } = args.inputs as { x: TensorInfo };
    const { begin, size } = args.attrs as unknown as { begin: number[]; size: number[] };
    if (x.dtype !== "float32" && x.dtype !== "int32") return delegate("Slice", args);
    const [b, sz] = tf.slice_util.parseSliceParams(x as unknown as tf.Tensor, begin, size);
    if (!tf.slice_util.isSliceContinous(x.shape, b, sz)) return delegate("Slice", args);
    const backend = args.backend as unknown as RefBackend;
    const offset = tf.slice_util.computeFlatOffset(b, tf.util.computeStrides(x.shape));
    const out = backend.makeOutput(sz, x.dtype as "float32");
    const n = sz.reduce((p, d) => p * d, 1);
    const heapU8 = backend.wasm.HEAPU8;
    const src = backend.dataIdMap.get(x.dataId).memoryOffset + offset * 4;
    heapU8.copyWithin(backend.dataIdMap.get(out.dataId).memoryOffset, src, src + n * 4);
    return out;
  };

  const cfg = (kernelName: string, kernelFunc: KernelFunc): KernelConfig => ({
    kernelName,
    backendName: "wasm",
    kernelFunc,
  });
  return [
    cfg("Identity", identity),
    cfg("Sum", reduce("Sum")),
    cfg("Mean", reduce("Mean")),
    cfg("MaxPoolGrad", maxPoolGrad),
    cfg("_FusedMatMul", fusedMatMul),
    cfg("Slice", slice),
  ];
}
