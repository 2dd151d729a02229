/**
 * `wasm` kernels that hand the heavy ops to oneDNN (lib/backend/onednn.ts) in place on the wasm
 * heap: Conv2D, FusedConv2D without bias/activation (what tfjs-layers emits for
 * `useBias: false`), Conv2DBackpropInput, Conv2DBackpropFilter, FusedBatchNorm (per-channel
 * statistics) and single-batch BatchMatMul / _FusedMatMul (bias, linear or relu) as sgemm.
 * Anything they do not cover (NCHW, dilation, fused bias or activation on convs,
 * batched matmuls) goes to the kernel they replace. Convolutions and matrix products run in the
 * precision set on `dnn` (float32, or bfloat16 with float32 accumulation: `OneDnn.setPrecision`).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import type { KernelConfig, KernelFunc, TensorInfo } from "@tensorflow/tfjs-core";
import type { ConvShape, OneDnn } from "./onednn.ts";
import type { WasmBackendLike } from "./wasm_kernels.ts";

/** The wasm backend with the raw heap (emscripten's HEAPU8) and tensor offsets. */
export interface HeapBackend extends WasmBackendLike {
  wasm: WasmBackendLike["wasm"] & { HEAPU8: Uint8Array };
  dataIdMap: { get(dataId: object): { id: number; memoryOffset: number } };
}

/** Pointer of a tensor's data on the wasm heap (call after the kernel's last allocation). */
export function heap(backend: HeapBackend): (t: TensorInfo) => Deno.PointerValue {
  // Taken after every allocation of the kernel: growing the heap may move it.
  const base = Deno.UnsafePointer.of(backend.wasm.HEAPU8);
  return (t) => Deno.UnsafePointer.offset(base!, backend.dataIdMap.get(t.dataId).memoryOffset);
}

interface ConvAttrs {
  strides: number | [number, number];
  pad: "valid" | "same" | number | tf.backend_util.ExplicitPadding;
  dataFormat?: "NHWC" | "NCHW";
  dilations?: number | [number, number];
  dimRoundingMode?: "floor" | "round" | "ceil";
}

/** The shape of an NHWC conv in oneDNN's terms, or undefined for NCHW or dilated convs. */
function convShape(
  xShape: number[],
  filterShape: number[],
  attrs: ConvAttrs,
): ConvShape | undefined {
  if (attrs.dataFormat === "NCHW") return undefined;
  const i = tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides,
    attrs.dilations ?? 1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    "channelsLast",
  );
  if (i.dilationHeight !== 1 || i.dilationWidth !== 1) return undefined;
  return {
    n: i.batchSize,
    h: i.inHeight,
    w: i.inWidth,
    cin: i.inChannels,
    kh: i.filterHeight,
    kw: i.filterWidth,
    cout: i.outChannels,
    oh: i.outHeight,
    ow: i.outWidth,
    sh: i.strideHeight,
    sw: i.strideWidth,
    pt: i.padInfo.top,
    pl: i.padInfo.left,
    pb: i.padInfo.bottom,
    pr: i.padInfo.right,
  };
}

/**
 * Whether every input row and column is used by some output: oneDNN wants
 * (h + pt + pb − kh) / sh + 1 = oh exactly. With unused rows or columns (the division not exact,
 * e.g. a 1×1 kernel at stride 2 on an even side) Debian's oneDNN 2.6 corrupts the C heap now
 * and then (a crash later, in a test of 2026-11-29).
 */
function fitsExactly(s: ConvShape): boolean {
  const fits = (len: number, k: number, p0: number, p1: number, st: number, o: number) =>
    (len + p0 + p1 - k) % st === 0 && (len + p0 + p1 - k) / st + 1 === o && p0 >= 0 && p1 >= 0;
  return fits(s.h, s.kh, s.pt, s.pb, s.sh, s.oh) && fits(s.w, s.kw, s.pl, s.pr, s.sw, s.ow);
}

/**
 * Whether a conv runs as an explicit im2col and one sgemm instead of oneDNN's convolution:
 * - shapes oneDNN's convolution must not take ({@link fitsExactly}), e.g. ResNet's strided 1×1
 *   shortcut on an even side (on the wasm kernels it cost 16% of a ResNet10-Tiny step);
 * - tiny outputs (the last stages on small inputs: 2×2), where oneDNN's direct kernels spend
 *   their time on padding taps and im2col + sgemm is about twice as fast.
 */
function viaGemm(s: ConvShape): boolean {
  return !fitsExactly(s) || (s.oh * s.ow <= 4 && s.kh * s.kw > 1);
}

/** cols[n·oh·ow, kh·kw·cin] of NHWC `x` (zeros where the window is in the padding). */
function im2col(x: Float32Array, s: ConvShape, cols: Float32Array): void {
  const k = s.kh * s.kw * s.cin;
  let row = 0;
  for (let b = 0; b < s.n; b++) {
    for (let i = 0; i < s.oh; i++) {
      for (let j = 0; j < s.ow; j++, row++) {
        let o = row * k;
        for (let a = 0; a < s.kh; a++) {
          const r = i * s.sh - s.pt + a;
          for (let c = 0; c < s.kw; c++, o += s.cin) {
            const q = j * s.sw - s.pl + c;
            if (r < 0 || r >= s.h || q < 0 || q >= s.w) {
              cols.fill(0, o, o + s.cin);
            } else {
              const src = ((b * s.h + r) * s.w + q) * s.cin;
              cols.set(x.subarray(src, src + s.cin), o);
            }
          }
        }
      }
    }
  }
}

/** dx += the columns of `cols` scattered back to their windows (the adjoint of im2col). */
function col2im(cols: Float32Array, s: ConvShape, dx: Float32Array): void {
  dx.fill(0);
  const k = s.kh * s.kw * s.cin;
  let row = 0;
  for (let b = 0; b < s.n; b++) {
    for (let i = 0; i < s.oh; i++) {
      for (let j = 0; j < s.ow; j++, row++) {
        let o = row * k;
        for (let a = 0; a < s.kh; a++) {
          const r = i * s.sh - s.pt + a;
          for (let c = 0; c < s.kw; c++, o += s.cin) {
            const q = j * s.sw - s.pl + c;
            if (r < 0 || r >= s.h || q < 0 || q >= s.w) continue;
            const d = ((b * s.h + r) * s.w + q) * s.cin;
            for (let e = 0; e < s.cin; e++) dx[d + e] += cols[o + e];
          }
        }
      }
    }
  }
}

/** Kernel configs routing the convolutions to `dnn`, falling back to `fallback[name]`. */
export function nativeKernelConfigs(
  dnn: OneDnn,
  fallback: Record<string, KernelConfig | undefined>,
): KernelConfig[] {
  let cols = new Float32Array(0);
  const colsFor = (s: ConvShape) => {
    const size = s.n * s.oh * s.ow * s.kh * s.kw * s.cin;
    if (cols.length < size) cols = new Float32Array(size);
    return cols.subarray(0, size);
  };
  const ptr = (a: Float32Array) => Deno.UnsafePointer.of(a);
  const failed = new Set<string>();
  /**
   * Runs `f` (a oneDNN call writing `out`); if oneDNN fails, frees `out`, says so once per
   * kernel, and returns the fallback kernel's result instead.
   */
  const attempt = (
    name: string,
    args: Parameters<KernelFunc>[0],
    out: TensorInfo,
    f: () => void,
  ): TensorInfo | TensorInfo[] => {
    try {
      f();
      return out;
    } catch (e) {
      (args.backend as unknown as HeapBackend).disposeData(out.dataId, true);
      if (!failed.has(name)) {
        failed.add(name);
        console.warn(`oneDNN ${name} failed (${(e as Error).message}); using the wasm kernel`);
      }
      return delegate(name, args);
    }
  };
  const delegate = (name: string, args: Parameters<KernelFunc>[0]) => {
    const k = fallback[name];
    if (!k) throw new Error(`no fallback kernel ${name} for wasm`);
    return k.kernelFunc(args);
  };
  const forward = (name: "Conv2D" | "FusedConv2D"): KernelFunc => (args) => {
    const backend = args.backend as unknown as HeapBackend;
    const { x, filter, bias, preluActivationWeights } = args.inputs as Record<string, TensorInfo>;
    const a = args.attrs as unknown as ConvAttrs & { activation?: string };
    const plain = bias === undefined && preluActivationWeights === undefined &&
      (a.activation ?? "linear") === "linear";
    const s = plain ? convShape(x.shape, filter.shape, a) : undefined;
    if (!s) return delegate(name, args);
    const out = backend.makeOutput([s.n, s.oh, s.ow, s.cout], "float32");
    const p = heap(backend);
    // Outside a gradient tape the filter is a constant: oneDNN's reordered copy is cached.
    const taping = (tf.engine().state as unknown as { gradientDepth: number }).gradientDepth > 0;
    if (viaGemm(s)) {
      const c = colsFor(s);
      im2col(backend.typedArrayFromHeap(x), s, c);
      const m = s.n * s.oh * s.ow;
      const k = s.kh * s.kw * s.cin;
      return attempt(
        name,
        args,
        out,
        () => dnn.gemm(false, false, m, s.cout, k, ptr(c), p(filter), p(out)),
      );
    }
    return attempt(
      name,
      args,
      out,
      () =>
        dnn.convForward(
          s,
          p(x),
          p(filter),
          p(out),
          taping ? undefined : filter.dataId,
          taping ? x.dataId : undefined,
        ),
    );
  };
  const backpropInput: KernelFunc = (args) => {
    const { dy, filter } = args.inputs as Record<string, TensorInfo>;
    const backend = args.backend as unknown as HeapBackend;
    const a = args.attrs as unknown as ConvAttrs & { inputShape: number[] };
    const s = convShape(a.inputShape, filter.shape, a);
    if (!s) return delegate("Conv2DBackpropInput", args);
    const out = backend.makeOutput(a.inputShape, "float32");
    const p = heap(backend);
    if (viaGemm(s)) {
      const c = colsFor(s);
      const m = s.n * s.oh * s.ow;
      const k = s.kh * s.kw * s.cin;
      return attempt("Conv2DBackpropInput", args, out, () => {
        dnn.gemm(false, true, m, k, s.cout, p(dy), p(filter), ptr(c));
        col2im(c, s, backend.typedArrayFromHeap(out));
      });
    }
    return attempt(
      "Conv2DBackpropInput",
      args,
      out,
      () => dnn.convBackwardData(s, p(dy), p(filter), p(out), dy.dataId),
    );
  };
  const backpropFilter: KernelFunc = (args) => {
    const { x, dy } = args.inputs as Record<string, TensorInfo>;
    const backend = args.backend as unknown as HeapBackend;
    const a = args.attrs as unknown as ConvAttrs & { filterShape: number[] };
    const s = convShape(x.shape, a.filterShape, a);
    if (!s) return delegate("Conv2DBackpropFilter", args);
    const out = backend.makeOutput(a.filterShape, "float32");
    const p = heap(backend);
    if (viaGemm(s)) {
      const c = colsFor(s);
      im2col(backend.typedArrayFromHeap(x), s, c);
      const m = s.n * s.oh * s.ow;
      const k = s.kh * s.kw * s.cin;
      return attempt(
        "Conv2DBackpropFilter",
        args,
        out,
        () => dnn.gemm(true, false, k, s.cout, m, ptr(c), p(dy), p(out)),
      );
    }
    return attempt(
      "Conv2DBackpropFilter",
      args,
      out,
      () => dnn.convBackwardWeights(s, p(x), p(dy), p(out), x.dataId, dy.dataId),
    );
  };
  const batchNorm: KernelFunc = (args) => {
    const backend = args.backend as unknown as HeapBackend;
    const { x, mean, variance, offset, scale } = args.inputs as Record<string, TensorInfo>;
    const eps = (args.attrs as unknown as { varianceEpsilon: number }).varianceEpsilon;
    const c = x.shape[x.shape.length - 1];
    const perChannel = (t?: TensorInfo) =>
      t !== undefined && t.shape.length === 1 && t.shape[0] === c;
    if (
      x.dtype !== "float32" || x.shape.length < 2 || !perChannel(mean) ||
      !perChannel(variance) || !perChannel(offset) || !perChannel(scale)
    ) {
      return delegate("FusedBatchNorm", args);
    }
    const out = backend.makeOutput(x.shape, "float32");
    const p = heap(backend);
    const rows = x.shape.reduce((a, b) => a * b, 1) / c;
    return attempt(
      "FusedBatchNorm",
      args,
      out,
      () => dnn.bnForward(rows, c, eps, p(x), p(mean), p(variance), p(scale), p(offset), p(out)),
    );
  };
  const matMul = (name: "BatchMatMul" | "_FusedMatMul"): KernelFunc => (args) => {
    const backend = args.backend as unknown as HeapBackend;
    const { a, b, bias, preluActivationWeights } = args.inputs as Record<string, TensorInfo>;
    const at = args.attrs as unknown as {
      transposeA: boolean;
      transposeB: boolean;
      activation?: string;
    };
    const act = at.activation ?? "linear";
    // One matrix product: both operands 2-D (as tf.matMul passes them) or 3-D with batch 1.
    const rank = a.shape.length;
    const single = rank === b.shape.length &&
      (rank === 2 || (rank === 3 && a.shape[0] === 1 && b.shape[0] === 1));
    const ok = single && a.dtype === "float32" && b.dtype === "float32" &&
      preluActivationWeights === undefined && (act === "linear" || act === "relu");
    const r = rank - 2;
    const m = at.transposeA ? a.shape[r + 1] : a.shape[r];
    const k = at.transposeA ? a.shape[r] : a.shape[r + 1];
    const n = at.transposeB ? b.shape[r] : b.shape[r + 1];
    const biasOk = bias === undefined || (bias.dtype === "float32" &&
      bias.shape.reduce((x, y) => x * y, 1) === n && bias.shape[bias.shape.length - 1] === n);
    if (!ok || !biasOk) return delegate(name, args);
    const out = backend.makeOutput(rank === 2 ? [m, n] : [1, m, n], "float32");
    const p = heap(backend);
    try {
      dnn.gemm(at.transposeA, at.transposeB, m, n, k, p(a), p(b), p(out));
    } catch {
      return attempt(name, args, out, () => {
        throw new Error("sgemm failed");
      });
    }
    if (bias !== undefined || act === "relu") {
      const o = backend.typedArrayFromHeap(out);
      const bv = bias ? backend.typedArrayFromHeap(bias) : undefined;
      for (let i = 0, q = 0; i < m; i++) {
        for (let j = 0; j < n; j++, q++) {
          const v = bv ? o[q] + bv[j] : o[q];
          o[q] = act === "relu" && v < 0 ? 0 : v;
        }
      }
    }
    return out;
  };
  const cfg = (kernelName: string, kernelFunc: KernelFunc): KernelConfig => ({
    kernelName,
    backendName: "wasm",
    kernelFunc,
  });
  return [
    cfg("Conv2D", forward("Conv2D")),
    cfg("FusedConv2D", forward("FusedConv2D")),
    cfg("Conv2DBackpropInput", backpropInput),
    cfg("Conv2DBackpropFilter", backpropFilter),
    cfg("FusedBatchNorm", batchNorm),
    cfg("BatchMatMul", matMul("BatchMatMul")),
    cfg("_FusedMatMul", matMul("_FusedMatMul")),
  ];
}

/** Exported for tests: the attrs → oneDNN shape mapping, and whether it runs as im2col + sgemm. */
export const _convShape = convShape;
export const _viaGemm = viaGemm;
