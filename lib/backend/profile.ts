/**
 * Where a training step's time goes: every kernel registered for a backend is wrapped
 * with a timer for the duration of a measurement, each kernel's own (exclusive) time is summed
 * by op kind, the time inside oneDNN is split into arithmetic and layout reorders, and what is
 * left of the step's wall time is tfjs's own bookkeeping (tape, gradient functions, disposal).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import type { KernelConfig, KernelFunc } from "@tensorflow/tfjs-core";
import type { OneDnn } from "./onednn.ts";

/** The op kinds a step's time is split into. */
export const OP_KINDS = [
  "conv forward",
  "conv input gradient",
  "conv filter gradient",
  "batch norm",
  "activations",
  "residual adds",
  "pooling",
  "dense layers",
  "loss and other elementwise",
  "optimizer update",
  "copies and reshapes",
  "oneDNN layout reorders",
  "FFI and kernel glue",
  "tfjs bookkeeping",
] as const;

/** One of {@link OP_KINDS}. */
export type OpKind = typeof OP_KINDS[number];

const KIND_OF: Record<string, OpKind> = {
  Conv2D: "conv forward",
  FusedConv2D: "conv forward",
  Conv2DBackpropInput: "conv input gradient",
  Conv2DBackpropFilter: "conv filter gradient",
  FusedBatchNorm: "batch norm",
  CenMoments: "batch norm",
  CenBnGrad: "batch norm",
  Relu: "activations",
  CenReluGrad: "activations",
  Step: "activations",
  Add: "residual adds",
  AddN: "residual adds",
  MaxPool: "pooling",
  MaxPoolGrad: "pooling",
  AvgPool: "pooling",
  AvgPoolGrad: "pooling",
  BatchMatMul: "dense layers",
  _FusedMatMul: "dense layers",
  BiasAdd: "dense layers",
  CenSgdMomentum: "optimizer update",
  Identity: "copies and reshapes",
  Reshape: "copies and reshapes",
  Cast: "copies and reshapes",
  Transpose: "copies and reshapes",
  Slice: "copies and reshapes",
  Concat: "copies and reshapes",
  Pack: "copies and reshapes",
  Fill: "copies and reshapes",
  ZerosLike: "copies and reshapes",
  OnesLike: "copies and reshapes",
  Tile: "copies and reshapes",
};

/** The op kind a kernel's time is counted under (unlisted kernels: loss and elementwise). */
export function kindOf(kernelName: string): OpKind {
  return KIND_OF[kernelName] ?? "loss and other elementwise";
}

/** Milliseconds and calls of one kernel over the measured steps (its own time only). */
export interface KernelTime {
  kernel: string;
  kind: OpKind;
  ms: number;
  calls: number;
  /** Of `ms`: the work itself (oneDNN's primitives, or the whole call of a wasm/JS kernel). */
  workMs: number;
  /** Of `ms`: oneDNN's layout reorders, and the rest of calls that went to oneDNN (FFI, glue). */
  reorderMs: number;
  glueMs: number;
  /** Calls (and their time) that ran in wasm/JS, not oneDNN: e.g. a conv shape left to wasm. */
  wasmCalls: number;
  wasmMs: number;
}

/** A step profile: per-kind milliseconds per step and their shares of the step. */
export interface StepProfile {
  steps: number;
  stepMs: number;
  byKind: { kind: OpKind; msPerStep: number; share: number }[];
  kernels: KernelTime[];
  /** Share of the step inside convolution arithmetic (oneDNN or the wasm fallback). */
  convArithmeticShare: number;
}

/** A running measurement: call {@link KernelProfiler.stop} to restore the kernels. */
export interface KernelProfiler {
  /** Forgets what was measured so far (after warm-up steps). */
  reset(): void;
  /** The kernel times so far. */
  times(): KernelTime[];
  /** Puts the original kernels back. */
  stop(): void;
}

/**
 * Wraps every kernel of `backendName` with a timer. A kernel's time excludes the kernels it
 * runs itself; `dnn` (when the native kernels are in use) splits its time further.
 */
export function profileKernels(backendName = "wasm", dnn?: OneDnn): KernelProfiler {
  const originals = tf.getKernelsForBackend(backendName);
  const table = new Map<string, KernelTime>();
  // Per open kernel call: time and oneDNN time spent in the kernels it called.
  const stack: { child: number; childNative: number; childReorder: number }[] = [];
  const zero = { compute: 0, reorder: 0 };
  const wrap = (k: KernelConfig): KernelConfig => {
    const inner = k.kernelFunc;
    const kernelFunc: KernelFunc = (args) => {
      const frame = { child: 0, childNative: 0, childReorder: 0 };
      stack.push(frame);
      const c0 = dnn ? dnn.counters() : zero;
      const t0 = performance.now();
      try {
        return inner(args);
      } finally {
        const elapsed = performance.now() - t0;
        const c1 = dnn ? dnn.counters() : zero;
        stack.pop();
        const native = c1.compute - c0.compute;
        const reorder = c1.reorder - c0.reorder;
        const parent = stack[stack.length - 1];
        if (parent) {
          parent.child += elapsed;
          parent.childNative += native;
          parent.childReorder += reorder;
        }
        let row = table.get(k.kernelName);
        if (!row) {
          row = {
            kernel: k.kernelName,
            kind: kindOf(k.kernelName),
            ms: 0,
            calls: 0,
            workMs: 0,
            reorderMs: 0,
            glueMs: 0,
            wasmCalls: 0,
            wasmMs: 0,
          };
          table.set(k.kernelName, row);
        }
        const own = elapsed - frame.child;
        const ownNative = native - frame.childNative;
        const ownReorder = reorder - frame.childReorder;
        row.ms += own;
        row.calls++;
        if (ownNative > 0 || ownReorder > 0) {
          row.workMs += ownNative;
          row.reorderMs += ownReorder;
          row.glueMs += Math.max(0, own - ownNative - ownReorder);
        } else {
          row.workMs += own;
          row.wasmCalls++;
          row.wasmMs += own;
        }
      }
    };
    return { ...k, kernelFunc };
  };
  const swap = (configs: KernelConfig[]) => {
    for (const k of configs) {
      tf.unregisterKernel(k.kernelName, k.backendName);
      tf.registerKernel(k);
    }
  };
  swap(originals.map(wrap));
  return {
    reset: () => table.clear(),
    times: () => [...table.values()].map((r) => ({ ...r })),
    stop: () => swap(originals),
  };
}

const CONV_KINDS: OpKind[] = ["conv forward", "conv input gradient", "conv filter gradient"];

/**
 * Splits `steps` steps of total wall time `wallMs` by op kind. Calls that went to oneDNN count
 * its arithmetic under their own kind, its reorders under "oneDNN layout reorders" and the rest
 * (FFI calls, memory descriptors, JS glue) under "FFI and kernel glue"; calls that ran in wasm
 * or JS count all their time under their kind (a wasm convolution's im2col included).
 */
export function stepProfile(times: KernelTime[], steps: number, wallMs: number): StepProfile {
  const ms = new Map<OpKind, number>(OP_KINDS.map((k) => [k, 0]));
  const add = (k: OpKind, v: number) => ms.set(k, ms.get(k)! + v);
  let kernelMs = 0;
  let convArithmetic = 0;
  for (const t of times) {
    kernelMs += t.ms;
    add(t.kind, t.workMs);
    add("oneDNN layout reorders", t.reorderMs);
    add("FFI and kernel glue", t.glueMs);
    if (CONV_KINDS.includes(t.kind)) convArithmetic += t.workMs;
  }
  add("tfjs bookkeeping", Math.max(0, wallMs - kernelMs));
  const stepMs = wallMs / steps;
  return {
    steps,
    stepMs,
    byKind: OP_KINDS.map((kind) => ({
      kind,
      msPerStep: ms.get(kind)! / steps,
      share: ms.get(kind)! / wallMs,
    })),
    kernels: [...times].sort((a, b) => b.ms - a.ms),
    convArithmeticShare: convArithmetic / wallMs,
  };
}

/**
 * Profiles `steps` calls of `step` (after `warmup` untimed ones) with every kernel of
 * `backendName` timed; the kernels are restored afterwards, even on error.
 */
export function profileSteps(
  step: () => void,
  o: { steps: number; warmup?: number; backendName?: string; dnn?: OneDnn },
): StepProfile {
  const profiler = profileKernels(o.backendName ?? "wasm", o.dnn);
  try {
    for (let i = 0; i < (o.warmup ?? 1); i++) step();
    profiler.reset();
    const t0 = performance.now();
    for (let i = 0; i < o.steps; i++) step();
    return stepProfile(profiler.times(), o.steps, performance.now() - t0);
  } finally {
    profiler.stop();
  }
}
