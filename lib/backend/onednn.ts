/**
 * Native convolutions through Deno FFI into oneDNN 2.x (Debian `libdnnl2`), working in place on
 * the wasm heap: NHWC activations and HWIO filters, as tfjs stores them.
 *
 * Primitives are created once per shape and cached. When the library is absent, of another
 * major version or FFI is not permitted, {@link loadOneDnn} returns the reason instead and the
 * caller stays on pure wasm.
 *
 * @module
 */

// oneDNN 2.6 constants (dnnl_types.h).
const BF16 = 2;
const F32 = 3;
const TAG_ANY = 1;
const TAG_NHWC = 20;
const TAG_HWIO = 30;
const PROP_FWD_TRAINING = 64;
const PROP_FWD_INFERENCE = 96;
const ALG_CONV_DIRECT = 1;
const ENGINE_CPU = 1;
const ARG_SRC = 1;
const ARG_DST = 17;
const ARG_WEIGHTS = 33;
const ARG_DIFF_SRC = 129;
const ARG_DIFF_DST = 145;
const ARG_DIFF_WEIGHTS = 161;
const ARG_FROM = 1;
const ARG_TO = 17;
const Q_IMPL_INFO_STR = 8;
const Q_SRC_MD = 129;
const Q_DIFF_SRC_MD = 130;
const Q_WEIGHTS_MD = 131;
const Q_DIFF_WEIGHTS_MD = 132;
const Q_DST_MD = 133;
const Q_DIFF_DST_MD = 134;
const TAG_A = 2;
const ALG_ELTWISE_RELU = 31;
const PROP_BACKWARD = 128;
const ALG_POOLING_MAX = 511;
const ARG_WORKSPACE = 64;
const ARG_MEAN = 49;
const ARG_VARIANCE = 50;
const ARG_SCALE = 51;
const ARG_SHIFT = 52;
const ARG_DIFF_SCALE = 255;
const ARG_DIFF_SHIFT = 256;
const Q_WORKSPACE_MD = 135;
const BN_USE_GLOBAL_STATS = 0x1;
const BN_USE_SCALE = 0x8;
const BN_USE_SHIFT = 0x10;
// Sizes of oneDNN 2.x structs (x86-64): the library writes into buffers we own.
const MD_BYTES = 696;
const OP_DESC_BYTES = 8192;

/** The arguments of oneDNN's gemm entry points: transa, transb, M, N, K, α, A, lda, B, ldb, β, C, ldc. */
const GEMM_PARAMETERS = [
  "u8",
  "u8",
  "i64",
  "i64",
  "i64",
  "f32",
  "pointer",
  "i64",
  "pointer",
  "i64",
  "f32",
  "pointer",
  "i64",
] as const;

const SYMBOLS = {
  dnnl_version: { parameters: [], result: "pointer" },
  dnnl_engine_create: { parameters: ["buffer", "i32", "usize"], result: "i32" },
  dnnl_stream_create: { parameters: ["buffer", "pointer", "u32"], result: "i32" },
  dnnl_memory_desc_init_by_tag: {
    parameters: ["buffer", "i32", "buffer", "i32", "i32"],
    result: "i32",
  },
  dnnl_memory_desc_equal: { parameters: ["pointer", "pointer"], result: "i32" },
  dnnl_convolution_forward_desc_init: {
    parameters: [
      "buffer",
      "i32",
      "i32",
      "buffer",
      "buffer",
      "pointer",
      "buffer",
      "buffer",
      "buffer",
      "buffer",
    ],
    result: "i32",
  },
  dnnl_convolution_backward_data_desc_init: {
    parameters: ["buffer", "i32", "buffer", "buffer", "buffer", "buffer", "buffer", "buffer"],
    result: "i32",
  },
  dnnl_convolution_backward_weights_desc_init: {
    parameters: [
      "buffer",
      "i32",
      "buffer",
      "buffer",
      "pointer",
      "buffer",
      "buffer",
      "buffer",
      "buffer",
    ],
    result: "i32",
  },
  dnnl_pooling_forward_desc_init: {
    parameters: [
      "buffer",
      "i32",
      "i32",
      "buffer",
      "buffer",
      "buffer",
      "buffer",
      "buffer",
      "buffer",
    ],
    result: "i32",
  },
  dnnl_pooling_backward_desc_init: {
    parameters: ["buffer", "i32", "buffer", "buffer", "buffer", "buffer", "buffer", "buffer"],
    result: "i32",
  },
  dnnl_eltwise_forward_desc_init: {
    parameters: ["buffer", "i32", "i32", "buffer", "f32", "f32"],
    result: "i32",
  },
  dnnl_eltwise_backward_desc_init: {
    parameters: ["buffer", "i32", "buffer", "buffer", "f32", "f32"],
    result: "i32",
  },
  dnnl_batch_normalization_forward_desc_init: {
    parameters: ["buffer", "i32", "buffer", "f32", "u32"],
    result: "i32",
  },
  dnnl_batch_normalization_backward_desc_init: {
    parameters: ["buffer", "i32", "buffer", "buffer", "f32", "u32"],
    result: "i32",
  },
  dnnl_primitive_desc_create: {
    parameters: ["buffer", "buffer", "pointer", "pointer", "pointer"],
    result: "i32",
  },
  dnnl_reorder_primitive_desc_create: {
    parameters: ["buffer", "pointer", "pointer", "pointer", "pointer", "pointer"],
    result: "i32",
  },
  dnnl_primitive_desc_query_md: { parameters: ["pointer", "i32", "i32"], result: "pointer" },
  dnnl_primitive_desc_query: {
    parameters: ["pointer", "i32", "i32", "buffer"],
    result: "i32",
  },
  dnnl_primitive_create: { parameters: ["buffer", "pointer"], result: "i32" },
  dnnl_memory_create: { parameters: ["buffer", "pointer", "pointer", "pointer"], result: "i32" },
  dnnl_memory_destroy: { parameters: ["pointer"], result: "i32" },
  dnnl_memory_desc_get_size: { parameters: ["pointer"], result: "usize" },
  dnnl_primitive_execute: {
    parameters: ["pointer", "pointer", "i32", "buffer"],
    result: "i32",
  },
  dnnl_stream_wait: { parameters: ["pointer"], result: "i32" },
  dnnl_get_effective_cpu_isa: { parameters: [], result: "i32" },
  dnnl_gemm_bf16bf16f32: {
    parameters: GEMM_PARAMETERS,
    result: "i32",
  },
  dnnl_sgemm: {
    parameters: GEMM_PARAMETERS,
    result: "i32",
  },
} as const;

type Lib = Deno.DynamicLibrary<typeof SYMBOLS>["symbols"];

/**
 * The arithmetic of convolutions and matrix products: "f32", or "bf16" (inputs rounded to
 * bfloat16, products accumulated and written in float32).
 */
export type Precision = "f32" | "bf16";

/** dnnl_cpu_isa_t values of oneDNN 2.6 (each ISA's bits include those of the ones below it). */
const ISA_NAMES: Record<number, string> = {
  0x0: "all",
  0x1: "sse41",
  0x3: "avx",
  0x7: "avx2",
  0xf: "avx512_mic",
  0x1f: "avx512_mic_4ops",
  0x27: "avx512_core",
  0x67: "avx512_core_vnni",
  0xe7: "avx512_core_bf16",
  0x3e7: "avx512_core_amx",
  0x407: "avx2_vnni",
};
const ISA_AVX512_CORE_BF16 = 0xe7;

/** oneDNN's name of a dnnl_cpu_isa_t value (e.g. "avx512_core_bf16"). */
export function isaName(isa: number): string {
  return ISA_NAMES[isa] ?? `isa 0x${isa.toString(16)}`;
}

/**
 * Why bfloat16 convolutions cannot run fast here, or undefined when they can: the CPU's flags
 * (`/proc/cpuinfo`; undefined when unreadable) must list `avx512_bf16`, oneDNN's effective ISA
 * must include avx512_core_bf16, and a trial bf16 convolution must get a jit implementation (a
 * "ref" one, or an error, means no).
 */
export function bf16Reason(
  flags: ReadonlySet<string> | undefined,
  isa: number,
  trialImpl: string,
): string | undefined {
  if (flags && !flags.has("avx512_bf16")) {
    return "the CPU has no avx512_bf16 instructions (/proc/cpuinfo)";
  }
  if ((isa & ISA_AVX512_CORE_BF16) !== ISA_AVX512_CORE_BF16) {
    return `oneDNN's CPU ISA here is ${isaName(isa)}, below avx512_core_bf16`;
  }
  if (trialImpl.startsWith("error")) {
    return `oneDNN cannot create a bfloat16 convolution (${trialImpl})`;
  }
  if (trialImpl.startsWith("ref") || trialImpl === "?") {
    return `oneDNN has only a reference bfloat16 convolution here (${trialImpl})`;
  }
  return undefined;
}

/** The CPU's flags from /proc/cpuinfo, or undefined where it cannot be read. */
export function cpuFlags(): Set<string> | undefined {
  try {
    const line = Deno.readTextFileSync("/proc/cpuinfo").split("\n").find((l) =>
      l.startsWith("flags")
    );
    return line ? new Set(line.split(":")[1].trim().split(/\s+/)) : undefined;
  } catch {
    return undefined;
  }
}

/** Shapes and padding of one 2-D convolution (NHWC data, HWIO filter). */
export interface ConvShape {
  n: number;
  h: number;
  w: number;
  cin: number;
  kh: number;
  kw: number;
  cout: number;
  oh: number;
  ow: number;
  sh: number;
  sw: number;
  pt: number;
  pl: number;
  pb: number;
  pr: number;
}

/** A max pooling (NHWC) with its window, strides and padding. */
export interface PoolShape {
  n: number;
  h: number;
  w: number;
  c: number;
  oh: number;
  ow: number;
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  pt: number;
  pl: number;
  pb: number;
  pr: number;
}

/** The three convolution passes, on raw pointers into one memory (the wasm heap). */
export interface OneDnn {
  /** e.g. "oneDNN 2.6.3". */
  readonly version: string;
  /**
   * y = conv(x, w). With `weightsKey` (the filter's tfjs data id, outside training) the filter
   * is reordered into oneDNN's layout once and reused while that data id lives. With `srcKey`
   * (x's data id, in training) a bfloat16 copy of x is kept for {@link OneDnn.convBackwardWeights}.
   */
  convForward(
    s: ConvShape,
    x: Deno.PointerValue,
    w: Deno.PointerValue,
    y: Deno.PointerValue,
    weightsKey?: object,
    srcKey?: object,
  ): void;
  /**
   * dx = conv_backward_data(dy, w). With `dyKey` (dy's data id) a bfloat16 copy of dy is kept
   * for {@link OneDnn.convBackwardWeights}.
   */
  convBackwardData(
    s: ConvShape,
    dy: Deno.PointerValue,
    w: Deno.PointerValue,
    dx: Deno.PointerValue,
    dyKey?: object,
  ): void;
  /**
   * dw = conv_backward_weights(x, dy), taking the bfloat16 copies kept under `srcKey` and `dyKey`
   * (the last use of each), or converting x and dy where none was kept.
   */
  convBackwardWeights(
    s: ConvShape,
    x: Deno.PointerValue,
    dy: Deno.PointerValue,
    dw: Deno.PointerValue,
    srcKey?: object,
    dyKey?: object,
  ): void;
  /** C[m×n] = A[m×k]·B[k×n] (row-major, optional transposes), through dnnl_sgemm. */
  sgemm(
    transA: boolean,
    transB: boolean,
    m: number,
    n: number,
    k: number,
    a: Deno.PointerValue,
    b: Deno.PointerValue,
    c: Deno.PointerValue,
  ): void;
  /** dx of a max pooling, recomputing the argmax from x (forward-training, then backward). */
  maxPoolBackward(
    s: PoolShape,
    x: Deno.PointerValue,
    dy: Deno.PointerValue,
    dx: Deno.PointerValue,
  ): void;
  /** y = (x − μ)·γ/√(σ²+ε) + β over NHWC `x` viewed as [rows, c] with given statistics. */
  bnForward(
    rows: number,
    c: number,
    eps: number,
    x: Deno.PointerValue,
    mean: Deno.PointerValue,
    variance: Deno.PointerValue,
    scale: Deno.PointerValue,
    shift: Deno.PointerValue,
    y: Deno.PointerValue,
  ): void;
  /**
   * Per-channel batch mean and biased variance of NHWC `x` viewed as [rows, c] (oneDNN's
   * training-mode batch-norm forward without γ/β; its normalised output goes to scratch).
   */
  bnStatistics(
    rows: number,
    c: number,
    x: Deno.PointerValue,
    mean: Deno.PointerValue,
    variance: Deno.PointerValue,
  ): void;
  /** dx = dy where x > 0, else 0, over `size` floats. */
  reluBackward(
    size: number,
    x: Deno.PointerValue,
    dy: Deno.PointerValue,
    dx: Deno.PointerValue,
  ): void;
  /** Training-mode batch-norm backward: dx (through the batch statistics), dγ, dβ. */
  bnBackward(
    rows: number,
    c: number,
    eps: number,
    x: Deno.PointerValue,
    mean: Deno.PointerValue,
    variance: Deno.PointerValue,
    dy: Deno.PointerValue,
    scale: Deno.PointerValue,
    dx: Deno.PointerValue,
    dScale: Deno.PointerValue,
    dShift: Deno.PointerValue,
  ): void;
  /**
   * C[m×n] = A[m×k]·B[k×n] like {@link OneDnn.sgemm}, in the precision in effect (bf16: A and B
   * rounded to bfloat16 by oneDNN reorders, then dnnl_gemm_bf16bf16f32).
   */
  gemm(
    transA: boolean,
    transB: boolean,
    m: number,
    n: number,
    k: number,
    a: Deno.PointerValue,
    b: Deno.PointerValue,
    c: Deno.PointerValue,
  ): void;
  /** oneDNN's effective CPU ISA, e.g. "avx512_core_bf16". */
  readonly isa: string;
  /** Why bfloat16 cannot be used here ({@link bf16Reason}), or undefined; checked once. */
  bf16Unavailable(): string | undefined;
  /**
   * Sets the precision of the convolutions and {@link OneDnn.gemm} from now on (batch norm,
   * pooling and sgemm stay float32); "bf16" throws where {@link OneDnn.bf16Unavailable} says why.
   */
  setPrecision(p: Precision): void;
  /** The precision in effect. */
  precision(): Precision;
  /** Implementation names oneDNN picked, per cached primitive (for the bench's report). */
  implementations(): string[];
  /**
   * Milliseconds spent so far inside oneDNN: `compute` in the primitives and sgemm (the
   * arithmetic), `reorder` in layout conversions between tfjs's NHWC/HWIO and oneDNN's blocked
   * layouts (for the bench's profile; the counters only grow).
   */
  counters(): { compute: number; reorder: number };
}

function check(status: number, what: string): void {
  if (status !== 0) throw new Error(`oneDNN ${what} failed with status ${status}`);
}

function dims(values: number[]): BigInt64Array {
  return new BigInt64Array(values.map(BigInt));
}

function readPtr(buf: BigUint64Array): Deno.PointerValue {
  return Deno.UnsafePointer.create(buf[0]);
}

/** A primitive plus the reorders around it when it wants other layouts than the user's. */
interface Prepared {
  prim: Deno.PointerValue;
  impl: string;
  /** Per user argument: the primitive's md if it differs from the user's, and the reorder. */
  staged: Map<number, Stage>;
}

interface Stage {
  /** Reorder user → primitive layout (inputs) or primitive → user (outputs). */
  reorder: Deno.PointerValue;
  md: Deno.PointerValue;
  userMd: Uint8Array;
  bytes: number;
  isOutput: boolean;
}

/**
 * Loads oneDNN and returns its convolution entry points, or a string saying why it cannot be
 * used (the library missing, another major version, FFI not permitted).
 */
export function loadOneDnn(path = "libdnnl.so.2"): OneDnn | string {
  // libgomp's idle threads otherwise spin between calls and steal the core the wasm code runs on.
  // CEN_THREADS caps oneDNN's threads (default: one per core); 1 is steadier on a crowded machine.
  try {
    if (!Deno.env.get("OMP_WAIT_POLICY")) Deno.env.set("OMP_WAIT_POLICY", "PASSIVE");
    const threads = Deno.env.get("CEN_THREADS");
    if (threads && !Deno.env.get("OMP_NUM_THREADS")) Deno.env.set("OMP_NUM_THREADS", threads);
  } catch { /* env not permitted: keep the defaults */ }
  let lib: Lib;
  try {
    lib = Deno.dlopen(path, SYMBOLS).symbols;
  } catch (e) {
    return `cannot load ${path}: ${(e as Error).message.split("\n")[0]}`;
  }
  // Batch norm's backward and convolutions' weight gradient synchronise their threads with
  // barriers (to reduce partial sums): with the other core busy that costs milliseconds per
  // call, so they are built and run on the calling thread alone (OpenMP's thread count is per
  // calling thread; libgomp is what Debian's oneDNN links).
  let setThreads: ((n: number) => void) | undefined;
  let maxThreads = 1;
  try {
    const gomp = Deno.dlopen("libgomp.so.1", {
      omp_set_num_threads: { parameters: ["i32"], result: "void" },
      omp_get_max_threads: { parameters: [], result: "i32" },
    }).symbols;
    maxThreads = gomp.omp_get_max_threads();
    setThreads = (n) => gomp.omp_set_num_threads(n);
  } catch { /* another OpenMP runtime: keep its defaults */ }
  const singleThreaded = (f: () => void) => {
    if (!setThreads || maxThreads <= 1) return f();
    setThreads(1);
    try {
      f();
    } finally {
      setThreads(maxThreads);
    }
  };
  const vp = lib.dnnl_version();
  if (!vp) return "dnnl_version() returned null";
  const v = new Deno.UnsafePointerView(vp);
  const major = v.getInt32(0);
  const version = `oneDNN ${major}.${v.getInt32(4)}.${v.getInt32(8)}`;
  if (major !== 2) return `${version} found; this code speaks the oneDNN 2.x C API`;

  const out = new BigUint64Array(1);
  const outBuf = new Uint8Array(out.buffer);
  check(lib.dnnl_engine_create(outBuf, ENGINE_CPU, 0n), "engine_create");
  const engine = readPtr(out);
  check(lib.dnnl_stream_create(outBuf, engine, 0), "stream_create");
  const stream = readPtr(out);

  const md = (shape: number[], tag: number, dt = F32): Uint8Array => {
    const buf = new Uint8Array(MD_BYTES);
    check(
      lib.dnnl_memory_desc_init_by_tag(
        buf,
        shape.length,
        dims(shape) as unknown as Uint8Array,
        dt,
        tag,
      ),
      "memory_desc_init_by_tag",
    );
    return buf;
  };

  const spent = { compute: 0, reorder: 0 };
  /**
   * float32 → bfloat16 conversions of fewer elements than this run on the calling thread: waking
   * the other threads (OMP_WAIT_POLICY=PASSIVE) costs more than it saves on small tensors (on 2
   * cores a 64 px step's conversions took 9 ms on both threads, under 3 on one).
   */
  const SMALL_CONVERSION = 1 << 21;
  /** Products with fewer multiply-adds than this stay float32 in bf16 mode (conversions cost more). */
  const SMALL_GEMM = 1 << 24;
  /** dnnl_primitive_execute, timed into `spent[kind]`; throws on failure. */
  const exec = (
    prim: Deno.PointerValue,
    args: Uint8Array,
    what: string,
    kind: "compute" | "reorder" = "compute",
  ): void => {
    const t0 = performance.now();
    const status = lib.dnnl_primitive_execute(prim, stream, args.byteLength / 16, args);
    spent[kind] += performance.now() - t0;
    check(status, what);
  };

  const cache = new Map<string, Prepared>();
  let precision: Precision = "f32";
  const scratch = new Map<number, { mem: Uint8Array; ptr: Deno.PointerValue }>();

  /** A heap buffer of `bytes` (reused per stage slot) for reordered tensors. */
  const stageBuffer = (slot: number, bytes: number): Deno.PointerValue => {
    let s = scratch.get(slot);
    if (!s || s.mem.byteLength < bytes) {
      const mem = new Uint8Array(bytes + 64);
      s = { mem, ptr: Deno.UnsafePointer.of(mem) };
      scratch.set(slot, s);
    }
    return s.ptr;
  };

  const implName = (pd: Deno.PointerValue): string => {
    const res = new BigUint64Array(1);
    if (lib.dnnl_primitive_desc_query(pd, Q_IMPL_INFO_STR, 0, new Uint8Array(res.buffer)) !== 0) {
      return "?";
    }
    const p = Deno.UnsafePointer.create(res[0]);
    return p ? new Deno.UnsafePointerView(p).getCString() : "?";
  };

  /** Builds a primitive; arguments whose layout it chose differently get a reorder stage. */
  const prepare = (
    opDesc: Uint8Array,
    hint: Deno.PointerValue,
    userMds: { arg: number; query: number; md: Uint8Array; isOutput: boolean }[],
  ): Prepared & { pd: Deno.PointerValue } => {
    check(lib.dnnl_primitive_desc_create(outBuf, opDesc, null, engine, hint), "pd_create");
    const pd = readPtr(out);
    check(lib.dnnl_primitive_create(outBuf, pd), "primitive_create");
    const prim = readPtr(out);
    const staged = new Map<number, Stage>();
    for (const u of userMds) {
      const want = lib.dnnl_primitive_desc_query_md(pd, u.query, 0);
      const userPtr = Deno.UnsafePointer.of(u.md);
      if (lib.dnnl_memory_desc_equal(want, userPtr) === 1) continue;
      const [src, dst] = u.isOutput ? [want, userPtr] : [userPtr, want];
      check(
        lib.dnnl_reorder_primitive_desc_create(outBuf, src, engine, dst, engine, null),
        "reorder_pd",
      );
      const rpd = readPtr(out);
      check(lib.dnnl_primitive_create(outBuf, rpd), "reorder_create");
      staged.set(u.arg, {
        reorder: readPtr(out),
        md: want,
        userMd: u.md,
        bytes: Number(lib.dnnl_memory_desc_get_size(want)),
        isOutput: u.isOutput,
      });
    }
    return { pd, prim, impl: implName(pd), staged };
  };

  const memory = (mdPtr: Deno.PointerValue, handle: Deno.PointerValue): Deno.PointerValue => {
    check(lib.dnnl_memory_create(outBuf, mdPtr, engine, handle), "memory_create");
    return readPtr(out);
  };

  const execArgs = (pairs: [number, Deno.PointerValue][]): Uint8Array => {
    const a = new BigInt64Array(pairs.length * 2);
    pairs.forEach(([arg, mem], i) => {
      a[2 * i] = BigInt(arg);
      a[2 * i + 1] = BigInt(Deno.UnsafePointer.value(mem));
    });
    return new Uint8Array(a.buffer);
  };

  /** Runs a prepared primitive on user pointers, reordering staged arguments. */
  /** Reordered constant inputs (inference weights), per tensor data id and primitive. */
  const constCache = new WeakMap<object, Map<Prepared, Uint8Array>>();

  /**
   * Converted activations shared by the passes of a training step, per tfjs data id: in bfloat16
   * a convolution's input is converted once for its forward pass and again for its filter
   * gradient, and its output gradient once for each gradient, unless kept here. `users` counts
   * the passes still to take it; the last one returns the buffer to `spare`.
   */
  const shared = new WeakMap<object, { md: Deno.PointerValue; data: Uint8Array; users: number }>();
  const spare = new Map<number, Uint8Array[]>();
  const borrow = (bytes: number): Uint8Array => spare.get(bytes)?.pop() ?? new Uint8Array(bytes);
  const giveBack = (buf: Uint8Array): void => {
    let list = spare.get(buf.byteLength);
    if (!list) spare.set(buf.byteLength, list = []);
    if (list.length < 32) list.push(buf);
  };

  /** Runs an input's reorder `f`, on the calling thread alone when it is a small bf16 conversion. */
  const convert = (st: Stage, f: () => void): void => {
    if (precision === "bf16" && st.bytes / 2 < SMALL_CONVERSION) singleThreaded(f);
    else f();
  };

  /**
   * Runs a prepared primitive on user pointers, reordering staged arguments. An input whose
   * `constKey` (a tfjs data id: immutable data) was seen before with this primitive reuses its
   * reordered copy. An input named in `share` (a data id, immutable) is converted once and kept
   * ("keep": another pass will take it) or taken from an earlier pass ("take": its last use).
   */
  const run = (
    p: Prepared,
    userArgs: [number, Deno.PointerValue, Uint8Array][],
    constKey?: { arg: number; key: object },
    share: { arg: number; key: object; mode: "keep" | "take" }[] = [],
  ): void => {
    const mems: Deno.PointerValue[] = [];
    const pairs: [number, Deno.PointerValue][] = [];
    const after: (() => void)[] = [];
    const released: Uint8Array[] = [];
    userArgs.forEach(([arg, ptr, userMd], slot) => {
      const st = p.staged.get(arg);
      const sh = st && !st.isOutput ? share.find((x) => x.arg === arg) : undefined;
      if (st && sh) {
        let entry = shared.get(sh.key);
        if (entry && lib.dnnl_memory_desc_equal(entry.md, st.md) !== 1) entry = undefined;
        if (entry) {
          if (sh.mode === "keep") entry.users++;
          else if (--entry.users === 0) {
            shared.delete(sh.key);
            released.push(entry.data);
          }
          const mem = memory(st.md, Deno.UnsafePointer.of(entry.data));
          mems.push(mem);
          pairs.push([arg, mem]);
          return;
        }
        if (sh.mode === "keep") {
          const data = borrow(st.bytes);
          shared.set(sh.key, { md: st.md, data, users: 1 });
          const userMem = memory(Deno.UnsafePointer.of(userMd), ptr);
          const stMem = memory(st.md, Deno.UnsafePointer.of(data));
          mems.push(userMem, stMem);
          pairs.push([arg, stMem]);
          convert(
            st,
            () =>
              exec(
                st.reorder,
                execArgs([[ARG_FROM, userMem], [ARG_TO, stMem]]),
                "reorder",
                "reorder",
              ),
          );
          return;
        }
      }
      let cached: Uint8Array | undefined;
      let fresh = false;
      if (st && constKey?.arg === arg) {
        let m = constCache.get(constKey.key);
        if (!m) constCache.set(constKey.key, m = new Map());
        cached = m.get(p);
        if (!cached) {
          cached = new Uint8Array(st.bytes);
          m.set(p, cached);
          fresh = true;
        }
      }
      if (st && cached && !fresh) {
        const mem = memory(st.md, Deno.UnsafePointer.of(cached));
        mems.push(mem);
        pairs.push([arg, mem]);
        return;
      }
      const userMem = memory(Deno.UnsafePointer.of(userMd), ptr);
      mems.push(userMem);
      if (!st) {
        pairs.push([arg, userMem]);
        return;
      }
      const stMem = memory(
        st.md,
        cached ? Deno.UnsafePointer.of(cached) : stageBuffer(slot, st.bytes),
      );
      mems.push(stMem);
      pairs.push([arg, stMem]);
      if (st.isOutput) {
        after.push(() =>
          exec(st.reorder, execArgs([[ARG_FROM, stMem], [ARG_TO, userMem]]), "reorder", "reorder")
        );
      } else {
        convert(
          st,
          () =>
            exec(
              st.reorder,
              execArgs([[ARG_FROM, userMem], [ARG_TO, stMem]]),
              "reorder",
              "reorder",
            ),
        );
      }
    });
    exec(p.prim, execArgs(pairs), "execute");
    for (const f of after) f();
    check(lib.dnnl_stream_wait(stream), "stream_wait");
    for (const m of mems) lib.dnnl_memory_destroy(m);
    for (const b of released) giveBack(b);
  };

  const convMds = (s: ConvShape) => ({
    src: md([s.n, s.cin, s.h, s.w], TAG_NHWC),
    wei: md([s.cout, s.cin, s.kh, s.kw], TAG_HWIO),
    dst: md([s.n, s.cout, s.oh, s.ow], TAG_NHWC),
    weiAny: md([s.cout, s.cin, s.kh, s.kw], TAG_ANY),
    // The primitive's side in bfloat16: src and diff_dst in NHWC, weights in its own layout.
    srcBf16: md([s.n, s.cin, s.h, s.w], TAG_NHWC, BF16),
    dstBf16: md([s.n, s.cout, s.oh, s.ow], TAG_NHWC, BF16),
    weiAnyBf16: md([s.cout, s.cin, s.kh, s.kw], TAG_ANY, BF16),
    strides: dims([s.sh, s.sw]) as unknown as Uint8Array,
    padL: dims([s.pt, s.pl]) as unknown as Uint8Array,
    padR: dims([s.pb, s.pr]) as unknown as Uint8Array,
  });

  const shapeKey = (s: ConvShape) =>
    `${s.n},${s.h},${s.w},${s.cin},${s.kh},${s.kw},${s.cout},${s.oh},${s.ow},` +
    `${s.sh},${s.sw},${s.pt},${s.pl},${s.pb},${s.pr}`;
  /** A cached primitive's key: its kind, the precision in effect, the shape. */
  const key = (kind: string, s: ConvShape) => `${kind}:${precision}:${shapeKey(s)}`;

  /**
   * The memory descriptors a primitive is created with: the user's float32 ones, or in bfloat16
   * its inputs (src, weights, diff_dst) in bf16 and its outputs (dst, diff_src, diff_weights) in
   * f32, so oneDNN accumulates and writes float32; reorders convert on the way in.
   */
  const primMds = (s: ConvShape) => {
    const m = mdsFor(s);
    return precision === "bf16"
      ? { src: m.srcBf16, wei: m.weiAnyBf16, dst: m.dst, diffDst: m.dstBf16, diffWei: m.weiAny }
      : { src: m.src, wei: m.weiAny, dst: m.dst, diffDst: m.dst, diffWei: m.weiAny };
  };

  const fwdDesc = (s: ConvShape, prop: number): Uint8Array => {
    const m = mdsFor(s);
    const pm = primMds(s);
    const d = new Uint8Array(OP_DESC_BYTES);
    check(
      lib.dnnl_convolution_forward_desc_init(
        d,
        prop,
        ALG_CONV_DIRECT,
        pm.src,
        pm.wei,
        null,
        pm.dst,
        m.strides,
        m.padL,
        m.padR,
      ),
      "conv_forward_desc_init",
    );
    return d;
  };

  const userMdsByShape = new Map<string, ReturnType<typeof convMds>>();
  const mdsFor = (s: ConvShape) => {
    const k = shapeKey(s);
    let m = userMdsByShape.get(k);
    if (!m) userMdsByShape.set(k, m = convMds(s));
    return m;
  };

  const hints = new Map<string, Deno.PointerValue>();
  const hintFor = (s: ConvShape): Deno.PointerValue => {
    const k = key("hint", s);
    let h = hints.get(k);
    if (!h) {
      check(
        lib.dnnl_primitive_desc_create(outBuf, fwdDesc(s, PROP_FWD_TRAINING), null, engine, null),
        "pd_create(hint)",
      );
      h = readPtr(out);
      hints.set(k, h);
    }
    return h;
  };

  const get = (k: string, make: () => Prepared): Prepared => {
    let p = cache.get(k);
    if (!p) cache.set(k, p = make());
    return p;
  };

  const pools = new Map<string, {
    fwd: Deno.PointerValue;
    bwd: Deno.PointerValue;
    src: Uint8Array;
    dst: Uint8Array;
    ws: Deno.PointerValue;
    wsBytes: number;
    impl: string;
  }>();

  /**
   * Batch-norm primitives over [rows, c] data, cached per shape: [rows, c, 1, 1] in nhwc (the
   * same bytes as [rows, c]) so the jit "nspc" kernels take it. The backward primitive is built
   * and run on one thread (see `singleThreaded`); the forward one has no barriers.
   */
  const bns = new Map<string, {
    fwd?: Deno.PointerValue;
    bwd?: Deno.PointerValue;
    stats?: Deno.PointerValue;
    data: Uint8Array;
    stat: Uint8Array;
  }>();
  const bnFor = (rows: number, c: number, eps: number, backward: boolean, stats = false) => {
    const k = `${rows},${c},${eps}`;
    let b = bns.get(k);
    if (!b) {
      b = { data: md([rows, c, 1, 1], TAG_NHWC), stat: md([c], TAG_A) };
      bns.set(k, b);
    }
    const { data } = b;
    if (stats && !b.stats) {
      const sd = new Uint8Array(OP_DESC_BYTES);
      check(
        lib.dnnl_batch_normalization_forward_desc_init(sd, PROP_FWD_TRAINING, data, eps, 0),
        "bn_forward_desc_init(stats)",
      );
      check(lib.dnnl_primitive_desc_create(outBuf, sd, null, engine, null), "pd_create(stats)");
      const spd = readPtr(out);
      check(lib.dnnl_primitive_create(outBuf, spd), "primitive_create(stats)");
      b.stats = readPtr(out);
    }
    if (!backward && !stats && !b.fwd) {
      const fd = new Uint8Array(OP_DESC_BYTES);
      check(
        lib.dnnl_batch_normalization_forward_desc_init(
          fd,
          PROP_FWD_INFERENCE,
          data,
          eps,
          BN_USE_GLOBAL_STATS | BN_USE_SCALE | BN_USE_SHIFT,
        ),
        "bn_forward_desc_init",
      );
      check(lib.dnnl_primitive_desc_create(outBuf, fd, null, engine, null), "pd_create(bn)");
      const fpd = readPtr(out);
      check(lib.dnnl_primitive_create(outBuf, fpd), "primitive_create(bn)");
      b.fwd = readPtr(out);
    }
    if (backward && !b.bwd) {
      // The backward pass needs a training-forward descriptor as its hint.
      const hd = new Uint8Array(OP_DESC_BYTES);
      check(
        lib.dnnl_batch_normalization_forward_desc_init(
          hd,
          PROP_FWD_TRAINING,
          data,
          eps,
          BN_USE_SCALE | BN_USE_SHIFT,
        ),
        "bn_forward_desc_init(hint)",
      );
      check(lib.dnnl_primitive_desc_create(outBuf, hd, null, engine, null), "pd_create(bn hint)");
      const hpd = readPtr(out);
      const bd = new Uint8Array(OP_DESC_BYTES);
      check(
        lib.dnnl_batch_normalization_backward_desc_init(
          bd,
          PROP_BACKWARD,
          data,
          data,
          eps,
          BN_USE_SCALE | BN_USE_SHIFT,
        ),
        "bn_backward_desc_init",
      );
      check(lib.dnnl_primitive_desc_create(outBuf, bd, null, engine, hpd), "pd_create(bn bwd)");
      const bpd = readPtr(out);
      check(lib.dnnl_primitive_create(outBuf, bpd), "primitive_create(bn bwd)");
      b.bwd = readPtr(out);
    }
    return b as Required<typeof b>;
  };

  const relus = new Map<number, { prim: Deno.PointerValue; data: Uint8Array }>();

  const CHAR_N = "N".charCodeAt(0);
  const CHAR_T = "T".charCodeAt(0);

  /** One row-major product through `f` (dnnl_sgemm or dnnl_gemm_bf16bf16f32), timed. */
  const gemmWith = (
    f: Lib["dnnl_sgemm"],
    what: string,
    transA: boolean,
    transB: boolean,
    m: number,
    n: number,
    k: number,
    a: Deno.PointerValue,
    b: Deno.PointerValue,
    c: Deno.PointerValue,
  ): void => {
    const t0 = performance.now();
    const status = f(
      transA ? CHAR_T : CHAR_N,
      transB ? CHAR_T : CHAR_N,
      BigInt(m),
      BigInt(n),
      BigInt(k),
      1,
      a,
      BigInt(transA ? m : k),
      b,
      BigInt(transB ? k : n),
      0,
      c,
      BigInt(n),
    );
    spent.compute += performance.now() - t0;
    check(status, what);
  };

  /** float32 → bfloat16 reorders of flat arrays, cached per length. */
  const toBf16Reorders = new Map<
    number,
    { prim: Deno.PointerValue; from: Uint8Array; to: Uint8Array }
  >();
  /** `size` floats at `src` rounded to bfloat16 into stage buffer `slot`; returns its pointer. */
  const toBf16 = (slot: number, size: number, src: Deno.PointerValue): Deno.PointerValue => {
    let r = toBf16Reorders.get(size);
    if (!r) {
      const from = md([size], TAG_A);
      const to = md([size], TAG_A, BF16);
      check(
        lib.dnnl_reorder_primitive_desc_create(
          outBuf,
          Deno.UnsafePointer.of(from),
          engine,
          Deno.UnsafePointer.of(to),
          engine,
          null,
        ),
        "reorder_pd(bf16)",
      );
      const rpd = readPtr(out);
      check(lib.dnnl_primitive_create(outBuf, rpd), "reorder_create(bf16)");
      r = { prim: readPtr(out), from, to };
      toBf16Reorders.set(size, r);
    }
    const dst = stageBuffer(slot, size * 2);
    const ms = [
      memory(Deno.UnsafePointer.of(r.from), src),
      memory(Deno.UnsafePointer.of(r.to), dst),
    ];
    const run = () =>
      exec(r!.prim, execArgs([[ARG_FROM, ms[0]], [ARG_TO, ms[1]]]), "reorder(bf16)", "reorder");
    if (size < SMALL_CONVERSION) singleThreaded(run);
    else run();
    check(lib.dnnl_stream_wait(stream), "stream_wait");
    for (const m of ms) lib.dnnl_memory_destroy(m);
    return dst;
  };

  const isa = isaName(lib.dnnl_get_effective_cpu_isa());
  let bf16Why: string | undefined | null = null;
  /** {@link bf16Reason} for this machine, with a trial 3×3 bf16 convolution (once). */
  const bf16Unavailable = (): string | undefined => {
    if (bf16Why !== null) return bf16Why;
    const trial: ConvShape = {
      ...{ n: 2, h: 8, w: 8, cin: 16, kh: 3, kw: 3, cout: 16, oh: 8, ow: 8 },
      ...{ sh: 1, sw: 1, pt: 1, pl: 1, pb: 1, pr: 1 },
    };
    let impl: string;
    const was = precision;
    precision = "bf16";
    try {
      check(
        lib.dnnl_primitive_desc_create(
          outBuf,
          fwdDesc(trial, PROP_FWD_TRAINING),
          null,
          engine,
          null,
        ),
        "pd_create(trial)",
      );
      impl = implName(readPtr(out));
    } catch (e) {
      impl = `error: ${(e as Error).message}`;
    } finally {
      precision = was;
    }
    bf16Why = bf16Reason(cpuFlags(), lib.dnnl_get_effective_cpu_isa(), impl);
    return bf16Why;
  };

  return {
    version,
    convForward(s, x, w, y, weightsKey, srcKey) {
      const m = mdsFor(s);
      const p = get(
        key("fwd", s),
        () =>
          prepare(fwdDesc(s, PROP_FWD_TRAINING), null, [
            { arg: ARG_SRC, query: Q_SRC_MD, md: m.src, isOutput: false },
            { arg: ARG_WEIGHTS, query: Q_WEIGHTS_MD, md: m.wei, isOutput: false },
            { arg: ARG_DST, query: Q_DST_MD, md: m.dst, isOutput: true },
          ]),
      );
      run(
        p,
        [[ARG_SRC, x, m.src], [ARG_WEIGHTS, w, m.wei], [ARG_DST, y, m.dst]],
        weightsKey ? { arg: ARG_WEIGHTS, key: weightsKey } : undefined,
        srcKey && precision === "bf16" ? [{ arg: ARG_SRC, key: srcKey, mode: "keep" }] : [],
      );
    },
    convBackwardData(s, dy, w, dx, dyKey) {
      const m = mdsFor(s);
      const p = get(key("bwd_data", s), () => {
        const pm = primMds(s);
        const d = new Uint8Array(OP_DESC_BYTES);
        check(
          lib.dnnl_convolution_backward_data_desc_init(
            d,
            ALG_CONV_DIRECT,
            m.src,
            pm.wei,
            pm.diffDst,
            m.strides,
            m.padL,
            m.padR,
          ),
          "conv_backward_data_desc_init",
        );
        return prepare(d, hintFor(s), [
          { arg: ARG_DIFF_DST, query: Q_DIFF_DST_MD, md: m.dst, isOutput: false },
          { arg: ARG_WEIGHTS, query: Q_WEIGHTS_MD, md: m.wei, isOutput: false },
          { arg: ARG_DIFF_SRC, query: Q_DIFF_SRC_MD, md: m.src, isOutput: true },
        ]);
      });
      run(
        p,
        [[ARG_DIFF_DST, dy, m.dst], [ARG_WEIGHTS, w, m.wei], [ARG_DIFF_SRC, dx, m.src]],
        undefined,
        dyKey && precision === "bf16" ? [{ arg: ARG_DIFF_DST, key: dyKey, mode: "keep" }] : [],
      );
    },
    convBackwardWeights(s, x, dy, dw, srcKey, dyKey) {
      const m = mdsFor(s);
      // On all threads: on a quiet machine 11 ms per ResNet10-Tiny step at 64 px vs 18 ms on
      // one (bench --profile, 2026-11-29). Its cross-thread reduction waits at barriers, so with
      // the other core busy one thread is faster (26 vs 14 ms): CEN_THREADS=1 then.
      const p = get(key("bwd_weights", s), () => {
        const pm = primMds(s);
        const d = new Uint8Array(OP_DESC_BYTES);
        check(
          lib.dnnl_convolution_backward_weights_desc_init(
            d,
            ALG_CONV_DIRECT,
            pm.src,
            pm.diffWei,
            null,
            pm.diffDst,
            m.strides,
            m.padL,
            m.padR,
          ),
          "conv_backward_weights_desc_init",
        );
        return prepare(d, hintFor(s), [
          { arg: ARG_SRC, query: Q_SRC_MD, md: m.src, isOutput: false },
          { arg: ARG_DIFF_DST, query: Q_DIFF_DST_MD, md: m.dst, isOutput: false },
          { arg: ARG_DIFF_WEIGHTS, query: Q_DIFF_WEIGHTS_MD, md: m.wei, isOutput: true },
        ]);
      });
      const take = (arg: number, key?: object) =>
        key && precision === "bf16" ? [{ arg, key, mode: "take" as const }] : [];
      run(
        p,
        [[ARG_SRC, x, m.src], [ARG_DIFF_DST, dy, m.dst], [ARG_DIFF_WEIGHTS, dw, m.wei]],
        undefined,
        [...take(ARG_SRC, srcKey), ...take(ARG_DIFF_DST, dyKey)],
      );
    },
    sgemm(transA, transB, m, n, k, a, b, c) {
      gemmWith(lib.dnnl_sgemm, "sgemm", transA, transB, m, n, k, a, b, c);
    },
    gemm(transA, transB, m, n, k, a, b, c) {
      if (precision === "f32" || m * n * k < SMALL_GEMM) {
        return gemmWith(lib.dnnl_sgemm, "sgemm", transA, transB, m, n, k, a, b, c);
      }
      const a16 = toBf16(103, m * k, a);
      const b16 = toBf16(104, k * n, b);
      gemmWith(lib.dnnl_gemm_bf16bf16f32, "gemm_bf16bf16f32", transA, transB, m, n, k, a16, b16, c);
    },
    isa,
    bf16Unavailable,
    setPrecision(p) {
      if (p === "bf16") {
        const why = bf16Unavailable();
        if (why) throw new Error(`bfloat16 unavailable: ${why}`);
      }
      precision = p;
    },
    precision: () => precision,
    maxPoolBackward(s, x, dy, dx) {
      const k = `pool:${Object.values(s).join(",")}`;
      let p = pools.get(k);
      if (!p) {
        const src = md([s.n, s.c, s.h, s.w], TAG_NHWC);
        const dst = md([s.n, s.c, s.oh, s.ow], TAG_NHWC);
        const st = dims([s.sh, s.sw]) as unknown as Uint8Array;
        const ker = dims([s.kh, s.kw]) as unknown as Uint8Array;
        const pl = dims([s.pt, s.pl]) as unknown as Uint8Array;
        const pr = dims([s.pb, s.pr]) as unknown as Uint8Array;
        const fd = new Uint8Array(OP_DESC_BYTES);
        check(
          lib.dnnl_pooling_forward_desc_init(
            fd,
            PROP_FWD_TRAINING,
            ALG_POOLING_MAX,
            src,
            dst,
            st,
            ker,
            pl,
            pr,
          ),
          "pooling_forward_desc_init",
        );
        check(lib.dnnl_primitive_desc_create(outBuf, fd, null, engine, null), "pd_create(pool)");
        const fpd = readPtr(out);
        check(lib.dnnl_primitive_create(outBuf, fpd), "primitive_create(pool)");
        const fwd = readPtr(out);
        const ws = lib.dnnl_primitive_desc_query_md(fpd, Q_WORKSPACE_MD, 0);
        const bd = new Uint8Array(OP_DESC_BYTES);
        check(
          lib.dnnl_pooling_backward_desc_init(bd, ALG_POOLING_MAX, src, dst, st, ker, pl, pr),
          "pooling_backward_desc_init",
        );
        check(lib.dnnl_primitive_desc_create(outBuf, bd, null, engine, fpd), "pd_create(pool bwd)");
        const bpd = readPtr(out);
        check(lib.dnnl_primitive_create(outBuf, bpd), "primitive_create(pool bwd)");
        p = {
          fwd,
          bwd: readPtr(out),
          src,
          dst,
          ws,
          wsBytes: Number(lib.dnnl_memory_desc_get_size(ws)),
          impl: implName(bpd),
        };
        pools.set(k, p);
      }
      const y = stageBuffer(100, s.n * s.oh * s.ow * s.c * 4);
      const wsBuf = stageBuffer(101, p.wsBytes);
      const mx = memory(Deno.UnsafePointer.of(p.src), x);
      const my = memory(Deno.UnsafePointer.of(p.dst), y);
      const mw = memory(p.ws, wsBuf);
      const mdy = memory(Deno.UnsafePointer.of(p.dst), dy);
      const mdx = memory(Deno.UnsafePointer.of(p.src), dx);
      exec(p.fwd, execArgs([[ARG_SRC, mx], [ARG_DST, my], [ARG_WORKSPACE, mw]]), "pool forward");
      exec(
        p.bwd,
        execArgs([[ARG_DIFF_DST, mdy], [ARG_WORKSPACE, mw], [ARG_DIFF_SRC, mdx]]),
        "pool backward",
      );
      check(lib.dnnl_stream_wait(stream), "stream_wait");
      for (const m of [mx, my, mw, mdy, mdx]) lib.dnnl_memory_destroy(m);
    },
    bnForward(rows, c, eps, x, mean, variance, scale, shift, y) {
      const b = bnFor(rows, c, eps, false);
      const ms = [
        memory(Deno.UnsafePointer.of(b.data), x),
        memory(Deno.UnsafePointer.of(b.stat), mean),
        memory(Deno.UnsafePointer.of(b.stat), variance),
        memory(Deno.UnsafePointer.of(b.stat), scale),
        memory(Deno.UnsafePointer.of(b.stat), shift),
        memory(Deno.UnsafePointer.of(b.data), y),
      ];
      const args = [ARG_SRC, ARG_MEAN, ARG_VARIANCE, ARG_SCALE, ARG_SHIFT, ARG_DST];
      exec(b.fwd, execArgs(args.map((a, i) => [a, ms[i]])), "bn forward");
      check(lib.dnnl_stream_wait(stream), "stream_wait");
      for (const m of ms) lib.dnnl_memory_destroy(m);
    },
    bnStatistics(rows, c, x, mean, variance) {
      const b = bnFor(rows, c, 1e-3, false, true);
      const scratchY = stageBuffer(102, rows * c * 4);
      const ms = [
        memory(Deno.UnsafePointer.of(b.data), x),
        memory(Deno.UnsafePointer.of(b.data), scratchY),
        memory(Deno.UnsafePointer.of(b.stat), mean),
        memory(Deno.UnsafePointer.of(b.stat), variance),
      ];
      const args = [ARG_SRC, ARG_DST, ARG_MEAN, ARG_VARIANCE];
      exec(b.stats, execArgs(args.map((a, i) => [a, ms[i]])), "bn statistics");
      check(lib.dnnl_stream_wait(stream), "stream_wait");
      for (const m of ms) lib.dnnl_memory_destroy(m);
    },
    reluBackward(size, x, dy, dx) {
      let r = relus.get(size);
      if (!r) {
        const data = md([size], TAG_A);
        const fd = new Uint8Array(OP_DESC_BYTES);
        check(
          lib.dnnl_eltwise_forward_desc_init(fd, PROP_FWD_TRAINING, ALG_ELTWISE_RELU, data, 0, 0),
          "eltwise_forward_desc_init",
        );
        check(lib.dnnl_primitive_desc_create(outBuf, fd, null, engine, null), "pd_create(relu)");
        const hint = readPtr(out);
        const bd = new Uint8Array(OP_DESC_BYTES);
        check(
          lib.dnnl_eltwise_backward_desc_init(bd, ALG_ELTWISE_RELU, data, data, 0, 0),
          "eltwise_backward_desc_init",
        );
        check(
          lib.dnnl_primitive_desc_create(outBuf, bd, null, engine, hint),
          "pd_create(relu bwd)",
        );
        const bpd = readPtr(out);
        check(lib.dnnl_primitive_create(outBuf, bpd), "primitive_create(relu bwd)");
        r = { prim: readPtr(out), data };
        relus.set(size, r);
      }
      const mdp = Deno.UnsafePointer.of(r.data);
      const ms = [memory(mdp, x), memory(mdp, dy), memory(mdp, dx)];
      exec(
        r.prim,
        execArgs([[ARG_SRC, ms[0]], [ARG_DIFF_DST, ms[1]], [ARG_DIFF_SRC, ms[2]]]),
        "relu backward",
      );
      check(lib.dnnl_stream_wait(stream), "stream_wait");
      for (const m of ms) lib.dnnl_memory_destroy(m);
    },
    bnBackward(rows, c, eps, x, mean, variance, dy, scale, dx, dScale, dShift) {
      let b!: ReturnType<typeof bnFor>;
      singleThreaded(() => b = bnFor(rows, c, eps, true));
      const ms = [
        memory(Deno.UnsafePointer.of(b.data), x),
        memory(Deno.UnsafePointer.of(b.stat), mean),
        memory(Deno.UnsafePointer.of(b.stat), variance),
        memory(Deno.UnsafePointer.of(b.data), dy),
        memory(Deno.UnsafePointer.of(b.stat), scale),
        // oneDNN 2.6 wants β here too though dβ does not depend on it: γ's buffer stands in.
        memory(Deno.UnsafePointer.of(b.stat), scale),
        memory(Deno.UnsafePointer.of(b.data), dx),
        memory(Deno.UnsafePointer.of(b.stat), dScale),
        memory(Deno.UnsafePointer.of(b.stat), dShift),
      ];
      const args = [
        ARG_SRC,
        ARG_MEAN,
        ARG_VARIANCE,
        ARG_DIFF_DST,
        ARG_SCALE,
        ARG_SHIFT,
        ARG_DIFF_SRC,
        ARG_DIFF_SCALE,
        ARG_DIFF_SHIFT,
      ];
      singleThreaded(() => {
        exec(b.bwd, execArgs(args.map((a, i) => [a, ms[i]])), "bn backward");
        check(lib.dnnl_stream_wait(stream), "stream_wait");
      });
      for (const m of ms) lib.dnnl_memory_destroy(m);
    },
    counters() {
      return { ...spent };
    },
    implementations() {
      return [...cache].map(([k, p]) => `${k.split(":").slice(0, 2).join(" ")} ${p.impl}`);
    },
  };
}
