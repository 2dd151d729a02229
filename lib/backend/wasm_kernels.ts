/**
 * Training kernels for the tfjs `wasm` backend.
 *
 * tfjs-backend-wasm 4.22 has no `Conv2DBackpropFilter`, so no conv net can train on it, and its
 * `Conv2DBackpropInput` is a slow direct loop. Both are written here as XNNPACK convolutions (the
 * backend's own `Conv2D` entry point, called with explicit padding and dilation):
 *
 * - filter gradient: a dilated convolution over transposed tensors, x → [Cin,H,W,N] as the
 *   input, dy → [OH,OW,N,Cout] as the filter, dilation = stride; the result [Cin,kh,kw,Cout] is
 *   transposed to [kh,kw,Cin,Cout];
 * - input gradient: a stride-1 convolution over the zero-inserted dy with the spatially flipped,
 *   in/out-swapped filter.
 *
 * The kernels only use the wasm heap and the backend's exported C entry points; temporaries are
 * freed before returning.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import type { KernelConfig, NamedAttrMap, TensorInfo } from "@tensorflow/tfjs-core";

/** The parts of tfjs-backend-wasm's `BackendWasm` that these kernels use. */
export interface WasmBackendLike {
  wasm: {
    cwrap: (name: string, ret: null, args: string[]) => (...a: number[]) => void;
  };
  dataIdMap: { get(dataId: object): { id: number } };
  makeOutput(shape: number[], dtype: "float32"): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): Float32Array;
  disposeData(dataId: object, force?: boolean): boolean;
}

type ConvFn = (...a: number[]) => void;
const convFns = new WeakMap<object, ConvFn>();

function conv2dFn(backend: WasmBackendLike): ConvFn {
  let fn = convFns.get(backend);
  if (!fn) {
    fn = backend.wasm.cwrap("Conv2D", null, new Array(19).fill("number"));
    convFns.set(backend, fn);
  }
  return fn;
}

/** Explicit padding and output size of a stride-1 convolution call. */
interface ConvCall {
  input: TensorInfo;
  filter: TensorInfo;
  pads: [top: number, right: number, bottom: number, left: number];
  dilation: [number, number];
}

/**
 * Runs XNNPACK Conv2D (stride 1, explicit non-negative padding) on NHWC `input` and HWIO
 * `filter`, returning a new NHWC tensor.
 */
function xnnConv(backend: WasmBackendLike, c: ConvCall): TensorInfo {
  const [n, h, w, cin] = c.input.shape;
  const [kh, kw, fcin, cout] = c.filter.shape;
  if (fcin !== cin) throw new Error(`xnnConv: channel mismatch ${cin} vs ${fcin}`);
  const [pt, pr, pb, pl] = c.pads;
  const [dh, dw] = c.dilation;
  const oh = h + pt + pb - ((kh - 1) * dh + 1) + 1;
  const ow = w + pl + pr - ((kw - 1) * dw + 1) + 1;
  if (oh <= 0 || ow <= 0) throw new Error(`xnnConv: empty output ${oh}x${ow}`);
  const out = backend.makeOutput([n, oh, ow, cout], "float32");
  conv2dFn(backend)(
    backend.dataIdMap.get(c.input.dataId).id,
    n,
    h,
    w,
    backend.dataIdMap.get(c.filter.dataId).id,
    kh,
    kw,
    pt,
    pr,
    pb,
    pl,
    0,
    dh,
    dw,
    1,
    1,
    cin,
    cout,
    backend.dataIdMap.get(out.dataId).id,
  );
  return out;
}

/** Permutes a 4-D tensor on the heap in JS (used for small tensors and as the general path). */
function permute4(
  backend: WasmBackendLike,
  x: TensorInfo,
  perm: readonly [number, number, number, number],
): TensorInfo {
  const s = x.shape;
  const outShape = perm.map((p) => s[p]);
  const out = backend.makeOutput(outShape, "float32");
  const src = backend.typedArrayFromHeap(x);
  const dst = backend.typedArrayFromHeap(out);
  const inStrides = [s[1] * s[2] * s[3], s[2] * s[3], s[3], 1];
  const st = perm.map((p) => inStrides[p]);
  const [a0, a1, a2, a3] = outShape;
  let o = 0;
  for (let i = 0; i < a0; i++) {
    for (let j = 0; j < a1; j++) {
      for (let k = 0; k < a2; k++) {
        let base = i * st[0] + j * st[1] + k * st[2];
        const step = st[3];
        for (let l = 0; l < a3; l++, base += step) dst[o++] = src[base];
      }
    }
  }
  return out;
}

type TransposeFn = (
  args: { inputs: { x: TensorInfo }; backend: unknown; attrs: NamedAttrMap },
) => TensorInfo;

/** Transposes with the wasm backend's own (C++) Transpose kernel when registered. */
function transpose4(
  backend: WasmBackendLike,
  x: TensorInfo,
  perm: [number, number, number, number],
): TensorInfo {
  const k = tf.getKernel("Transpose", "wasm");
  if (!k) return permute4(backend, x, perm);
  return (k.kernelFunc as unknown as TransposeFn)({
    inputs: { x },
    backend,
    attrs: { perm } as unknown as NamedAttrMap,
  });
}

/** Copies the top-left [n, h, w, c] corner of a 4-D tensor into a new tensor. */
function crop4(backend: WasmBackendLike, x: TensorInfo, size: number[]): TensorInfo {
  const [n, h, w, c] = size;
  const [, xh, xw, xc] = x.shape;
  const out = backend.makeOutput(size, "float32");
  const src = backend.typedArrayFromHeap(x);
  const dst = backend.typedArrayFromHeap(out);
  let o = 0;
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < h; i++) {
      for (let j = 0; j < w; j++) {
        const s0 = ((b * xh + i) * xw + j) * xc;
        dst.set(src.subarray(s0, s0 + c), o);
        o += c;
      }
    }
  }
  return out;
}

function free(backend: WasmBackendLike, ...ts: TensorInfo[]): void {
  for (const t of ts) backend.disposeData(t.dataId, true);
}

/** Strides, padding and shapes of one Conv2D as tfjs computes them. */
function convInfo(
  xShape: [number, number, number, number],
  filterShape: [number, number, number, number],
  attrs: NamedAttrMap,
): tf.backend_util.Conv2DInfo {
  const { strides, pad, dimRoundingMode, dataFormat, dilations } = attrs as unknown as {
    strides: [number, number] | number;
    pad: "valid" | "same" | number | tf.backend_util.ExplicitPadding;
    dimRoundingMode?: "floor" | "round" | "ceil";
    dataFormat: "NHWC" | "NCHW";
    dilations?: [number, number] | number;
  };
  if (dataFormat === "NCHW") throw new Error("wasm training kernels support only NHWC");
  const info = tf.backend_util.computeConv2DInfo(
    xShape,
    filterShape,
    strides,
    dilations ?? 1,
    pad,
    dimRoundingMode,
    false,
    "channelsLast",
  );
  if (info.dilationHeight !== 1 || info.dilationWidth !== 1) {
    throw new Error("wasm training kernels support only dilation 1");
  }
  return info;
}

/**
 * dW[kh,kw,ci,co] = Σ_{n,oh,ow} x[n, oh·s+kh−p, ow·s+kw−p, ci] · dy[n,oh,ow,co], computed as a
 * convolution of x^T = [Cin,H,W,N] with dy^T = [OH,OW,N,Cout] at dilation s.
 */
export function conv2DBackpropFilterWasm(
  backend: WasmBackendLike,
  x: TensorInfo,
  dy: TensorInfo,
  filterShape: [number, number, number, number],
  attrs: NamedAttrMap,
): TensorInfo {
  const info = convInfo(x.shape as [number, number, number, number], filterShape, attrs);
  const { filterHeight: kh, filterWidth: kw, inHeight: h, inWidth: w } = info;
  const { outHeight: oh, outWidth: ow, strideHeight: sh, strideWidth: sw } = info;
  const pt = info.padInfo.top;
  const pl = info.padInfo.left;
  // Bottom/right padding giving exactly kh × kw outputs; negative means unused input rows,
  // handled by computing extra outputs and cropping them.
  const pb = kh + (oh - 1) * sh - h - pt;
  const pr = kw + (ow - 1) * sw - w - pl;
  const xT = transpose4(backend, x, [3, 1, 2, 0]);
  const dyT = transpose4(backend, dy, [1, 2, 0, 3]);
  const raw = xnnConv(backend, {
    input: xT,
    filter: dyT,
    pads: [pt, Math.max(pr, 0), Math.max(pb, 0), pl],
    dilation: [sh, sw],
  });
  free(backend, xT, dyT);
  let res = raw;
  if (raw.shape[1] !== kh || raw.shape[2] !== kw) {
    res = crop4(backend, raw, [raw.shape[0], kh, kw, raw.shape[3]]);
    free(backend, raw);
  }
  const out = transpose4(backend, res, [1, 2, 0, 3]);
  free(backend, res);
  return out;
}

/**
 * dx = conv(zero-inserted dy, W flipped in space with in/out swapped), stride 1, padding
 * k−1−p on the top/left.
 */
export function conv2DBackpropInputWasm(
  backend: WasmBackendLike,
  dy: TensorInfo,
  filter: TensorInfo,
  inputShape: [number, number, number, number],
  attrs: NamedAttrMap,
): TensorInfo {
  const fShape = filter.shape as [number, number, number, number];
  const info = convInfo(inputShape, fShape, attrs);
  const { filterHeight: kh, filterWidth: kw, inHeight: h, inWidth: w } = info;
  const { outHeight: oh, outWidth: ow, strideHeight: sh, strideWidth: sw } = info;
  const [n, , , cin] = inputShape;
  const cout = fShape[3];
  // Zero-inserted dy: z[n, i·s, j·s, :] = dy[n, i, j, :].
  let z = dy;
  const zh = (oh - 1) * sh + 1;
  const zw = (ow - 1) * sw + 1;
  if (sh !== 1 || sw !== 1) {
    z = backend.makeOutput([n, zh, zw, cout], "float32");
    const src = backend.typedArrayFromHeap(dy);
    const dst = backend.typedArrayFromHeap(z);
    dst.fill(0);
    for (let b = 0; b < n; b++) {
      for (let i = 0; i < oh; i++) {
        for (let j = 0; j < ow; j++) {
          const s0 = ((b * oh + i) * ow + j) * cout;
          dst.set(src.subarray(s0, s0 + cout), ((b * zh + i * sh) * zw + j * sw) * cout);
        }
      }
    }
  }
  // Flipped, swapped filter f[a, b, co, ci] = W[kh−1−a, kw−1−b, ci, co].
  const f = backend.makeOutput([kh, kw, cout, cin], "float32");
  {
    const src = backend.typedArrayFromHeap(filter);
    const dst = backend.typedArrayFromHeap(f);
    let o = 0;
    for (let a = 0; a < kh; a++) {
      for (let b = 0; b < kw; b++) {
        const base = ((kh - 1 - a) * kw + (kw - 1 - b)) * cin * cout;
        for (let co = 0; co < cout; co++) {
          for (let ci = 0; ci < cin; ci++) dst[o++] = src[base + ci * cout + co];
        }
      }
    }
  }
  const pt = kh - 1 - info.padInfo.top;
  const pl = kw - 1 - info.padInfo.left;
  const pb = h - zh - pt + kh - 1;
  const pr = w - zw - pl + kw - 1;
  if (pt < 0 || pl < 0) throw new Error("conv2DBackpropInputWasm: padding larger than filter");
  const raw = xnnConv(backend, {
    input: z,
    filter: f,
    pads: [pt, Math.max(pr, 0), Math.max(pb, 0), pl],
    dilation: [1, 1],
  });
  if (z !== dy) free(backend, z);
  free(backend, f);
  if (raw.shape[1] === h && raw.shape[2] === w) return raw;
  const out = crop4(backend, raw, [n, h, w, cin]);
  free(backend, raw);
  return out;
}

/** `Conv2DBackpropFilter` for `wasm` (missing in tfjs-backend-wasm 4.22). */
export const conv2DBackpropFilterConfig: KernelConfig = {
  kernelName: "Conv2DBackpropFilter",
  backendName: "wasm",
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
    const { filterShape } = attrs as unknown as {
      filterShape: [number, number, number, number];
    };
    return conv2DBackpropFilterWasm(backend as WasmBackendLike, x, dy, filterShape, attrs!);
  },
};

/** A faster `Conv2DBackpropInput` for `wasm` than the built-in direct loop. */
export const conv2DBackpropInputConfig: KernelConfig = {
  kernelName: "Conv2DBackpropInput",
  backendName: "wasm",
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
    const { inputShape } = attrs as unknown as {
      inputShape: [number, number, number, number];
    };
    return conv2DBackpropInputWasm(backend as WasmBackendLike, dy, filter, inputShape, attrs!);
  },
};
