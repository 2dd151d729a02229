/**
 * Native convolutions through Deno FFI into oneDNN 2.x (Debian `libdnnl2`), working in place on
 * the wasm heap: NHWC activations and HWIO filters, as tfjs stores them (issue 5).
 *
 * Primitives are created once per shape and cached. When the library is absent, of another
 * major version or FFI is not permitted, {@link loadOneDnn} returns the reason instead and the
 * caller stays on pure wasm.
 *
 * @module
 */

// oneDNN 2.6 constants (dnnl_types.h).
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
// Sizes of oneDNN 2.x structs (x86-64): the library writes into buffers we own.
const MD_BYTES = 696;
const OP_DESC_BYTES = 8192;

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
  dnnl_sgemm: {
    parameters: [
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
    ],
    result: "i32",
  },
} as const;

type Lib = Deno.DynamicLibrary<typeof SYMBOLS>["symbols"];

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

/** The three convolution passes, on raw pointers into one memory (the wasm heap). */
export interface OneDnn {
  /** e.g. "oneDNN 2.6.3". */
  readonly version: string;
  /** y = conv(x, w). `inference` picks the forward-inference primitive. */
  convForward(
    s: ConvShape,
    x: Deno.PointerValue,
    w: Deno.PointerValue,
    y: Deno.PointerValue,
    inference: boolean,
  ): void;
  /** dx = conv_backward_data(dy, w). */
  convBackwardData(
    s: ConvShape,
    dy: Deno.PointerValue,
    w: Deno.PointerValue,
    dx: Deno.PointerValue,
  ): void;
  /** dw = conv_backward_weights(x, dy). */
  convBackwardWeights(
    s: ConvShape,
    x: Deno.PointerValue,
    dy: Deno.PointerValue,
    dw: Deno.PointerValue,
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
  /** Implementation names oneDNN picked, per cached primitive (for the bench's report). */
  implementations(): string[];
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
  try {
    if (!Deno.env.get("OMP_WAIT_POLICY")) Deno.env.set("OMP_WAIT_POLICY", "PASSIVE");
  } catch { /* env not permitted: keep the default */ }
  let lib: Lib;
  try {
    lib = Deno.dlopen(path, SYMBOLS).symbols;
  } catch (e) {
    return `cannot load ${path}: ${(e as Error).message.split("\n")[0]}`;
  }
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

  const md = (shape: number[], tag: number): Uint8Array => {
    const buf = new Uint8Array(MD_BYTES);
    check(
      lib.dnnl_memory_desc_init_by_tag(
        buf,
        shape.length,
        dims(shape) as unknown as Uint8Array,
        F32,
        tag,
      ),
      "memory_desc_init_by_tag",
    );
    return buf;
  };

  const cache = new Map<string, Prepared>();
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
  const run = (p: Prepared, userArgs: [number, Deno.PointerValue, Uint8Array][]): void => {
    const mems: Deno.PointerValue[] = [];
    const pairs: [number, Deno.PointerValue][] = [];
    const after: (() => void)[] = [];
    userArgs.forEach(([arg, ptr, userMd], slot) => {
      const userMem = memory(Deno.UnsafePointer.of(userMd), ptr);
      mems.push(userMem);
      const st = p.staged.get(arg);
      if (!st) {
        pairs.push([arg, userMem]);
        return;
      }
      const stMem = memory(st.md, stageBuffer(slot, st.bytes));
      mems.push(stMem);
      pairs.push([arg, stMem]);
      if (st.isOutput) {
        after.push(() =>
          check(
            lib.dnnl_primitive_execute(
              st.reorder,
              stream,
              2,
              execArgs([[ARG_FROM, stMem], [ARG_TO, userMem]]),
            ),
            "reorder",
          )
        );
      } else {
        check(
          lib.dnnl_primitive_execute(
            st.reorder,
            stream,
            2,
            execArgs([[ARG_FROM, userMem], [ARG_TO, stMem]]),
          ),
          "reorder",
        );
      }
    });
    check(lib.dnnl_primitive_execute(p.prim, stream, pairs.length, execArgs(pairs)), "execute");
    for (const f of after) f();
    check(lib.dnnl_stream_wait(stream), "stream_wait");
    for (const m of mems) lib.dnnl_memory_destroy(m);
  };

  const convMds = (s: ConvShape) => ({
    src: md([s.n, s.cin, s.h, s.w], TAG_NHWC),
    wei: md([s.cout, s.cin, s.kh, s.kw], TAG_HWIO),
    dst: md([s.n, s.cout, s.oh, s.ow], TAG_NHWC),
    weiAny: md([s.cout, s.cin, s.kh, s.kw], TAG_ANY),
    strides: dims([s.sh, s.sw]) as unknown as Uint8Array,
    padL: dims([s.pt, s.pl]) as unknown as Uint8Array,
    padR: dims([s.pb, s.pr]) as unknown as Uint8Array,
  });

  const key = (kind: string, s: ConvShape) =>
    `${kind}:${s.n},${s.h},${s.w},${s.cin},${s.kh},${s.kw},${s.cout},${s.oh},${s.ow},` +
    `${s.sh},${s.sw},${s.pt},${s.pl},${s.pb},${s.pr}`;

  const fwdDesc = (s: ConvShape, prop: number): Uint8Array => {
    const m = convMds(s);
    const d = new Uint8Array(OP_DESC_BYTES);
    check(
      lib.dnnl_convolution_forward_desc_init(
        d,
        prop,
        ALG_CONV_DIRECT,
        m.src,
        m.weiAny,
        null,
        m.dst,
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
    const k = key("md", s);
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

  const CHAR_N = "N".charCodeAt(0);
  const CHAR_T = "T".charCodeAt(0);

  return {
    version,
    convForward(s, x, w, y, inference) {
      const m = mdsFor(s);
      const p = get(
        key(inference ? "fwdi" : "fwd", s),
        () =>
          prepare(fwdDesc(s, inference ? PROP_FWD_INFERENCE : PROP_FWD_TRAINING), null, [
            { arg: ARG_SRC, query: Q_SRC_MD, md: m.src, isOutput: false },
            { arg: ARG_WEIGHTS, query: Q_WEIGHTS_MD, md: m.wei, isOutput: false },
            { arg: ARG_DST, query: Q_DST_MD, md: m.dst, isOutput: true },
          ]),
      );
      run(p, [[ARG_SRC, x, m.src], [ARG_WEIGHTS, w, m.wei], [ARG_DST, y, m.dst]]);
    },
    convBackwardData(s, dy, w, dx) {
      const m = mdsFor(s);
      const p = get(key("bwd_data", s), () => {
        const d = new Uint8Array(OP_DESC_BYTES);
        check(
          lib.dnnl_convolution_backward_data_desc_init(
            d,
            ALG_CONV_DIRECT,
            m.src,
            m.weiAny,
            m.dst,
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
      run(p, [[ARG_DIFF_DST, dy, m.dst], [ARG_WEIGHTS, w, m.wei], [ARG_DIFF_SRC, dx, m.src]]);
    },
    convBackwardWeights(s, x, dy, dw) {
      const m = mdsFor(s);
      const p = get(key("bwd_weights", s), () => {
        const d = new Uint8Array(OP_DESC_BYTES);
        check(
          lib.dnnl_convolution_backward_weights_desc_init(
            d,
            ALG_CONV_DIRECT,
            m.src,
            m.weiAny,
            null,
            m.dst,
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
      run(p, [[ARG_SRC, x, m.src], [ARG_DIFF_DST, dy, m.dst], [ARG_DIFF_WEIGHTS, dw, m.wei]]);
    },
    sgemm(transA, transB, m, n, k, a, b, c) {
      check(
        lib.dnnl_sgemm(
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
        ),
        "sgemm",
      );
    },
    implementations() {
      return [...cache].map(([k, p]) => `${k.split(":")[0]} ${p.impl}`);
    },
  };
}
