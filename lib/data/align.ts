/**
 * Face alignment (SPEC: "faces detected and aligned … resized to 224×224"). The
 * paper uses MTCNN's five points; we detect faces with `@vladmandic/face-api`'s SSD-MobileNetV1,
 * take its 68 landmarks, reduce them to the same five points (eye centres = mean of landmarks
 * 36–41 and 42–47, nose tip 30, mouth corners 48 and 54), fit a similarity transform to a fixed
 * template by least squares and warp an S×S crop. Pre-aligned sets (UTKFace chips, MegaAge, the
 * synthetic faces) skip detection and are only resized.
 *
 * face-api is loaded from its `dist/face-api.node-wasm.js` bundle with a `require` shim that
 * hands it *our* `@tensorflow/tfjs-core` module (the bundle asks for the `@tensorflow/tfjs`
 * union package, which is not installed), so it runs on whatever backend `lib/backend/mod.ts` chose
 * and shares its engine. The bundle relies on tfjs's chained tensor methods (`t.as3D(…)`), which
 * only the union package registers; the shim adds the missing ones to the Tensor prototype as
 * thin wrappers around the same ops (it never replaces an existing method).
 *
 * @module
 */
import { AAF_CROP, fixedCrop } from "./crops.ts";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { DataError } from "../errors.ts";
import type { Prepared, Preparer } from "./cache.ts";
import { decodeImage } from "./decode.ts";
import type { AgeSample } from "./types.ts";
import type { io } from "@tensorflow/tfjs-core";
import type { FivePoints, Point, RgbImage } from "./types.ts";

type WeightsManifestEntry = io.WeightsManifestEntry;

export type { FivePoints, Point, RgbImage } from "./types.ts";

/**
 * The template: where the five points go in an aligned crop, as fractions of its side. The
 * inter-ocular distance is a quarter of the side, leaving forehead, hairline and chin inside
 * the crop (the cues of age). The synthetic faces are drawn on this template.
 */
export const TEMPLATE: Readonly<FivePoints> = Object.freeze([
  { x: 0.375, y: 0.4 },
  { x: 0.625, y: 0.4 },
  { x: 0.5, y: 0.555 },
  { x: 0.405, y: 0.69 },
  { x: 0.595, y: 0.69 },
]) as Readonly<FivePoints>;

/**
 * Where face-api's five points fall in UTKFace's own aligned chips, as fractions of the side: the
 * mean over 168 of 198 part-1 chips (every 40th by name; 30 had no face even padded), measured by
 * `deno run -A tools/template.ts <utkface>/images --every 40`. The chips are tighter than
 * {@link TEMPLATE} (inter-ocular distance 0.39 of the side, eyes at 0.29), so a photo must be
 * aligned to this template to look like the chips a UTKFace model was trained on.
 */
export const UTKFACE_CHIP_TEMPLATE: Readonly<FivePoints> = Object.freeze([
  { x: 0.29, y: 0.289 },
  { x: 0.679, y: 0.292 },
  { x: 0.486, y: 0.516 },
  { x: 0.323, y: 0.682 },
  { x: 0.651, y: 0.687 },
]) as Readonly<FivePoints>;

/**
 * The datasets whose training images are framed like UTKFace's chips: UTKFace itself, AAF through
 * its fixed crop ({@link AAF_CROP}), and the datasets made of them (`lib/data/open.ts`).
 */
const CHIP_FRAMED: readonly string[] = ["utkface", "aaf", "real-pretrain", "utkface+aaf"];

/**
 * The framing of a dataset's training images, for aligning photos the same way at inference:
 * {@link UTKFACE_CHIP_TEMPLATE} for the chip-framed datasets; every other adapter aligns to
 * {@link TEMPLATE}.
 */
export function cropTemplateFor(dataset: string): Readonly<FivePoints> {
  return CHIP_FRAMED.includes(dataset) ? UTKFACE_CHIP_TEMPLATE : TEMPLATE;
}

/** A saved model's `crop` metadata: the template its training images were framed by. */
export interface CropMetadata {
  template: FivePoints;
}

/** The `crop` metadata of a model trained on `dataset` (see {@link cropTemplateFor}). */
export function cropMetadata(dataset: string): CropMetadata {
  return { template: cropTemplateFor(dataset).map((p) => ({ x: p.x, y: p.y })) as FivePoints };
}

/** Version of the template and warp; part of the cache key. */
export const ALIGN_VERSION = 1;

/** A template (default {@link TEMPLATE}) in pixels for an S×S crop. */
export function templatePoints(
  size: number,
  template: Readonly<FivePoints> = TEMPLATE,
): FivePoints {
  return template.map((p) => ({ x: p.x * size, y: p.y * size })) as FivePoints;
}

/** The five points from face-api's 68 landmarks (iBUG 300-W numbering). */
export function fivePointsFrom68(landmarks: readonly Point[]): FivePoints {
  if (landmarks.length !== 68) {
    throw new DataError(`want 68 landmarks, got ${landmarks.length}`);
  }
  const mean = (from: number, to: number): Point => {
    let x = 0, y = 0;
    for (let i = from; i <= to; i++) {
      x += landmarks[i].x;
      y += landmarks[i].y;
    }
    const n = to - from + 1;
    return { x: x / n, y: y / n };
  };
  const p = (i: number) => ({ x: landmarks[i].x, y: landmarks[i].y });
  return [mean(36, 41), mean(42, 47), p(30), p(48), p(54)];
}

/**
 * A similarity transform `dst = A·src + t` with `A = [[a, −b], [b, a]]` (rotation, uniform
 * scale, no reflection).
 */
export interface Similarity {
  a: number;
  b: number;
  tx: number;
  ty: number;
}

/**
 * The least-squares similarity mapping `src` onto `dst` (Umeyama's closed form in 2-D: with
 * centred points, a + ib = Σ conj(p)·q / Σ|p|²).
 */
export function fitSimilarity(src: readonly Point[], dst: readonly Point[]): Similarity {
  if (src.length !== dst.length || src.length < 2) {
    throw new DataError(`similarity fit needs ≥ 2 point pairs, got ${src.length}/${dst.length}`);
  }
  const n = src.length;
  let sx = 0, sy = 0, dx = 0, dy = 0;
  for (let i = 0; i < n; i++) {
    sx += src[i].x;
    sy += src[i].y;
    dx += dst[i].x;
    dy += dst[i].y;
  }
  sx /= n;
  sy /= n;
  dx /= n;
  dy /= n;
  let num = 0, cross = 0, den = 0;
  for (let i = 0; i < n; i++) {
    const px = src[i].x - sx, py = src[i].y - sy;
    const qx = dst[i].x - dx, qy = dst[i].y - dy;
    num += px * qx + py * qy;
    cross += px * qy - py * qx;
    den += px * px + py * py;
  }
  if (!(den > 0)) throw new DataError("similarity fit: all source points coincide");
  const a = num / den, b = cross / den;
  return { a, b, tx: dx - (a * sx - b * sy), ty: dy - (b * sx + a * sy) };
}

/** Applies a similarity to a point. */
export function applySimilarity(m: Similarity, p: Point): Point {
  return { x: m.a * p.x - m.b * p.y + m.tx, y: m.b * p.x + m.a * p.y + m.ty };
}

/**
 * Warps `src` (`width × height × 3` RGB) into a `size × size` crop through `m` (source →
 * crop pixels, pixel centres at +0.5). Bilinear, with k×k supersampling when the crop shrinks
 * the image (k = ⌈1/scale⌉, at most 4) so that downscaling does not alias; edges are clamped.
 */
export function warpSimilarity(
  src: Uint8Array,
  width: number,
  height: number,
  m: Similarity,
  size: number,
): Uint8Array {
  if (src.length !== width * height * 3) {
    throw new DataError(`image has ${src.length} bytes, want ${width}×${height}×3`);
  }
  const det = m.a * m.a + m.b * m.b;
  if (!(det > 0)) throw new DataError("warp: degenerate transform");
  // Inverse: src = A⁻¹(dst − t), A⁻¹ = [[a, b], [−b, a]] / det.
  const ia = m.a / det, ib = m.b / det;
  const scale = Math.sqrt(det);
  const k = Math.min(4, Math.max(1, Math.ceil(1 / scale - 1e-9)));
  const out = new Uint8Array(size * size * 3);
  const acc = [0, 0, 0];
  const mx = width - 1, my = height - 1;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      acc[0] = acc[1] = acc[2] = 0;
      for (let sy = 0; sy < k; sy++) {
        for (let sx = 0; sx < k; sx++) {
          const qx = x + (sx + 0.5) / k - m.tx, qy = y + (sy + 0.5) / k - m.ty;
          let fx = ia * qx + ib * qy - 0.5, fy = -ib * qx + ia * qy - 0.5;
          fx = fx < 0 ? 0 : fx > mx ? mx : fx;
          fy = fy < 0 ? 0 : fy > my ? my : fy;
          const x0 = Math.floor(fx), y0 = Math.floor(fy);
          const x1 = Math.min(mx, x0 + 1), y1 = Math.min(my, y0 + 1);
          const wx = fx - x0, wy = fy - y0;
          const o00 = (y0 * width + x0) * 3, o01 = (y0 * width + x1) * 3;
          const o10 = (y1 * width + x0) * 3, o11 = (y1 * width + x1) * 3;
          for (let c = 0; c < 3; c++) {
            const top = src[o00 + c] + (src[o01 + c] - src[o00 + c]) * wx;
            const bot = src[o10 + c] + (src[o11 + c] - src[o10 + c]) * wx;
            acc[c] += top + (bot - top) * wy;
          }
        }
      }
      const o = (y * size + x) * 3, kk = k * k;
      out[o] = acc[0] / kk + 0.5;
      out[o + 1] = acc[1] / kk + 0.5;
      out[o + 2] = acc[2] / kk + 0.5;
    }
  }
  return out;
}

/**
 * Aligns an image given its five points: fit to the template (default {@link TEMPLATE}), warp to
 * `size × size`.
 */
export function alignFace(
  rgb: Uint8Array,
  width: number,
  height: number,
  five: readonly Point[],
  size: number,
  template: Readonly<FivePoints> = TEMPLATE,
): { crop: Uint8Array; transform: Similarity } {
  const transform = fitSimilarity(five, templatePoints(size, template));
  return { crop: warpSimilarity(rgb, width, height, transform, size), transform };
}

/** One detected face. */
export interface DetectedFace {
  /** Detector confidence, 0–1. */
  score: number;
  box: { x: number; y: number; width: number; height: number };
  landmarks: Point[];
  five: FivePoints;
}

/** Options of one detection. */
export interface DetectOptions {
  /**
   * Run the box detector on a copy scaled down to this longest side; the landmarks still come
   * from the full-resolution image. Default: no scaling.
   */
  maxSide?: number;
  /** How that copy is made (default: sharp; `downscaleRgb` of resample.ts: plain TypeScript). */
  downscale?: Downscale;
}

/** A loaded detector: SSD-MobileNetV1 + 68-point landmarks. */
export interface FaceDetector {
  /** All faces in an RGB image, best first (score × box area). */
  detect(
    rgb: Uint8Array,
    width: number,
    height: number,
    options?: DetectOptions,
  ): Promise<DetectedFace[]>;
  /** Releases the networks' weights. */
  dispose(): void;
}

/** The detector's default minimum confidence (face-api's; `deno task predict` and the web page). */
export const DEFAULT_MIN_CONFIDENCE = 0.5;

/** Options of {@link loadFaceDetector}. */
export interface DetectorOptions {
  /** Minimum detection confidence (default {@link DEFAULT_MIN_CONFIDENCE}, face-api's). */
  minConfidence?: number;
  /** face-api's package folder (default: the one in node_modules). */
  packageDir?: string;
}

// deno-lint-ignore no-explicit-any
type Any = any;

/** The face-api package folder in this checkout's node_modules. */
export function faceApiDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  return join(here, "..", "..", "node_modules", "@vladmandic", "face-api");
}

/** The chained tensor methods the union package would register, as wrappers of tfjs-core ops. */
function registerChainedOps(tf: Any): void {
  const proto = tf.Tensor.prototype;
  const reshape = (t: Any, shape: number[]) => tf.reshape(t, shape);
  const special: Record<string, (this: Any, ...a: Any[]) => Any> = {
    as1D() {
      return reshape(this, [this.size]);
    },
    as2D(r: number, c: number) {
      return reshape(this, [r, c]);
    },
    as3D(r: number, c: number, d: number) {
      return reshape(this, [r, c, d]);
    },
    as4D(r: number, c: number, d: number, e: number) {
      return reshape(this, [r, c, d, e]);
    },
    as5D(r: number, c: number, d: number, e: number, f: number) {
      return reshape(this, [r, c, d, e, f]);
    },
    asScalar() {
      return reshape(this, []);
    },
    asType(dtype: string) {
      return tf.cast(this, dtype);
    },
    toFloat() {
      return tf.cast(this, "float32");
    },
    toInt() {
      return tf.cast(this, "int32");
    },
    toBool() {
      return tf.cast(this, "bool");
    },
    flatten() {
      return reshape(this, [this.size]);
    },
    reshapeAs(x: Any) {
      return reshape(this, x.shape);
    },
    concat(x: Any, axis?: number) {
      return tf.concat([this, ...(Array.isArray(x) ? x : [x])], axis);
    },
    stack(x: Any, axis?: number) {
      return tf.stack([this, ...(Array.isArray(x) ? x : [x])], axis);
    },
  };
  for (const [name, fn] of Object.entries(special)) if (!(name in proto)) proto[name] = fn;
  const ops = [
    "abs add all any argMax argMin avgPool batchNorm broadcastTo cast ceil clipByValue conv2d",
    "cos cumsum depthwiseConv2d div divNoNan dot elu equal exp expandDims floor floorDiv gather",
    "greater greaterEqual isNaN leakyRelu less lessEqual log logSoftmax logicalAnd logicalNot",
    "logicalOr matMul max maxPool maximum mean min minimum mirrorPad mod mul neg norm notEqual",
    "onesLike pad pow prelu prod reciprocal relu relu6 reshape resizeBilinear",
    "resizeNearestNeighbor reverse round rsqrt selu sigmoid sign sin slice softmax softplus",
    "split sqrt square squaredDifference squeeze step stridedSlice sub sum tanh tile topk",
    "transpose unstack zerosLike",
  ].join(" ").split(" ");
  for (const name of ops) {
    if (name in proto || typeof tf[name] !== "function") continue;
    proto[name] = function (this: Any, ...args: Any[]) {
      return tf[name](this, ...args);
    };
  }
}

let faceApi: Promise<Any> | undefined;

/**
 * Loads face-api's node-wasm bundle once, wired to our tfjs-core (see the module note), and
 * initialises the tfjs backend through `lib/backend/mod.ts` if none is set yet.
 */
export function loadFaceApi(packageDir = faceApiDir()): Promise<Any> {
  faceApi ??= (async () => {
    const tf = await import("@tensorflow/tfjs-core");
    const wasm = await import("@tensorflow/tfjs-backend-wasm");
    const fs = await import("node:fs");
    const { initBackend } = await import("../backend/mod.ts");
    await initBackend();
    registerChainedOps(tf);
    const source = await Deno.readTextFile(join(packageDir, "dist", "face-api.node-wasm.js"));
    const mod: { exports: Record<string, unknown> } = { exports: {} };
    const shim = (name: string): unknown => {
      if (name === "@tensorflow/tfjs") return tf;
      if (name === "@tensorflow/tfjs-backend-wasm") return wasm;
      if (name === "fs") return fs;
      throw new Error(`face-api asked for "${name}", which the shim does not provide`);
    };
    // The bundle is CommonJS; run it with our require so it shares our tfjs engine.
    new Function("require", "module", "exports", source)(shim, mod, mod.exports);
    return mod.exports;
  })();
  faceApi.catch(() => (faceApi = undefined));
  return faceApi;
}

/** Loads a face-api net's weights (`model/<name>-weights_manifest.json` and its shards) from disk. */
export async function loadNet(net: Any, packageDir: string, name: string): Promise<void> {
  const tf = await import("@tensorflow/tfjs-core");
  const manifestPath = join(packageDir, "model", `${name}-weights_manifest.json`);
  const manifest = JSON.parse(await Deno.readTextFile(manifestPath)) as {
    paths: string[];
    weights: WeightsManifestEntry[];
  }[];
  const parts: Uint8Array[] = [];
  for (const group of manifest) {
    for (const p of group.paths) parts.push(await Deno.readFile(join(packageDir, "model", p)));
  }
  const total = parts.reduce((s, p) => s + p.length, 0);
  const bytes = new Uint8Array(total);
  let off = 0;
  for (const p of parts) {
    bytes.set(p, off);
    off += p.length;
  }
  const specs = manifest.flatMap((g) => g.weights);
  net.loadFromWeightMap(tf.io.decodeWeights(bytes.buffer, specs));
}

/**
 * face-api's two networks and the modules they run on: what {@link detectFacesWith} needs, in Deno
 * ({@link loadFaceDetector}) or in a browser (`web/app.ts`, with face-api's ESM build).
 */
export interface FaceNets {
  /** face-api's module (its `Rect` and `extractFaceTensors`). */
  api: Any;
  /** The tfjs-core module face-api runs on. */
  tf: Any;
  /** SSD-MobileNetV1 (boxes) and the 68-landmark net, weights loaded. */
  ssd: Any;
  marks: Any;
  /** face-api's `SsdMobilenetv1Options` (minimum confidence). */
  ssdOptions: Any;
}

/** Scales an RGB image by `k` < 1 for the box detector. */
export type Downscale = (
  rgb: Uint8Array,
  width: number,
  height: number,
  k: number,
) => Promise<RgbImage>;

/**
 * Every face in an RGB image, best first (score × box area): boxes from SSD (on a copy scaled to
 * `maxSide` when the image is larger), 68 landmarks from the full-resolution image, and the five
 * points. The one detection path of `deno task predict` and of the web page.
 */
export async function detectFacesWith(
  nets: FaceNets,
  rgb: Uint8Array,
  width: number,
  height: number,
  options: DetectOptions = {},
): Promise<DetectedFace[]> {
  const { api, tf, ssd, marks, ssdOptions } = nets;
  if (rgb.length !== width * height * 3) {
    throw new DataError(`image has ${rgb.length} bytes, want ${width}×${height}×3`);
  }
  const k = Math.min(1, (options.maxSide ?? Infinity) / Math.max(width, height));
  // The full-resolution tensor (4 bytes a value) is made only when it is needed: for the boxes of
  // an image at most maxSide, for the landmarks once a box is found.
  let input: Any | undefined;
  const full = () => input ??= tf.tensor3d(rgb, [height, width, 3], "int32");
  try {
    let boxes: { x: number; y: number; width: number; height: number }[];
    let scores: number[];
    if (k < 1) {
      const small = await (options.downscale ?? downscale)(rgb, width, height, k);
      const t = tf.tensor3d(small.data, [small.height, small.width, 3], "int32");
      let dets: Any[];
      try {
        dets = await ssd.locateFaces(t, ssdOptions);
      } finally {
        t.dispose();
      }
      const sx = width / small.width, sy = height / small.height;
      boxes = dets.map((d) => ({
        x: d.box.x * sx,
        y: d.box.y * sy,
        width: d.box.width * sx,
        height: d.box.height * sy,
      }));
      scores = dets.map((d) => d.score);
    } else {
      const dets: Any[] = await ssd.locateFaces(full(), ssdOptions);
      boxes = dets.map((d) => ({
        x: d.box.x,
        y: d.box.y,
        width: d.box.width,
        height: d.box.height,
      }));
      scores = dets.map((d) => d.score);
    }
    if (boxes.length === 0) return [];
    const rects = boxes.map((b) => new api.Rect(b.x, b.y, b.width, b.height));
    const crops = await api.extractFaceTensors(full(), rects);
    const faces: DetectedFace[] = [];
    try {
      for (let i = 0; i < boxes.length; i++) {
        const lm = await marks.detectLandmarks(crops[i]);
        const box = boxes[i];
        // Crops are cut at integer pixels: shift by the rounded corner, as face-api does.
        const shifted = lm.shiftBy(
          Math.max(0, Math.floor(box.x)),
          Math.max(0, Math.floor(box.y)),
        );
        const pts: Point[] = shifted.positions.map((p: Point) => ({ x: p.x, y: p.y }));
        faces.push({
          score: scores[i],
          box,
          landmarks: pts,
          five: fivePointsFrom68(pts),
        });
      }
    } finally {
      for (const c of crops) c.dispose();
    }
    const rank = (f: DetectedFace) => f.score * f.box.width * f.box.height;
    return faces.sort((a, b) => rank(b) - rank(a));
  } finally {
    input?.dispose();
  }
}

/** Loads SSD-MobileNetV1 and the 68-landmark net from face-api's package (weights on disk). */
export async function loadFaceDetector(options: DetectorOptions = {}): Promise<FaceDetector> {
  const dir = options.packageDir ?? faceApiDir();
  const api = await loadFaceApi(dir);
  const tf = await import("@tensorflow/tfjs-core");
  const ssd = new api.SsdMobilenetv1();
  const marks = new api.FaceLandmark68Net();
  await loadNet(ssd, dir, "ssd_mobilenetv1_model");
  await loadNet(marks, dir, "face_landmark_68_model");
  const ssdOptions = new api.SsdMobilenetv1Options({
    minConfidence: options.minConfidence ?? DEFAULT_MIN_CONFIDENCE,
  });
  const nets: FaceNets = { api, tf, ssd, marks, ssdOptions };
  return {
    detect(rgb, width, height, detectOptions = {}) {
      return detectFacesWith(nets, rgb, width, height, detectOptions);
    },
    dispose() {
      ssd.dispose();
      marks.dispose();
    },
  };
}

/**
 * How a dataset's images become crops: resize pre-aligned images, detect and align, or cut AAF's
 * fixed crop ({@link AAF_CROP}: AAF's aligned faces framed like UTKFace's chips).
 */
export type AlignMode = "resize" | "detect" | "aaf-crop";

/** The alignment settings that go into a cache key. */
export function alignSettings(mode: AlignMode): Record<string, string | number | boolean> {
  if (mode === "resize") return { mode, version: ALIGN_VERSION };
  if (mode === "aaf-crop") {
    const r = AAF_CROP;
    return { mode, version: ALIGN_VERSION, rect: `${r.x},${r.y},${r.width},${r.height}` };
  }
  return { mode, version: ALIGN_VERSION, template: TEMPLATE.map((p) => `${p.x},${p.y}`).join(";") };
}

/**
 * A {@link Preparer} for the cache: "resize" decodes and resizes (centre crop to square),
 * "detect" decodes, detects the best face, aligns it to the template, and skips images with no
 * face (reason "no-face").
 */
export function makePreparer(
  mode: AlignMode,
  size: number,
  detector?: FaceDetector,
  /** Find faces on a copy scaled down to this longest side (landmarks at full resolution). */
  detectMaxSide = 1024,
): Preparer {
  if (mode === "resize") {
    return async (s: AgeSample): Promise<Prepared> => {
      const d = await decodeImage(s.path, { size, fit: "cover" });
      return d.ok ? { ok: true, rgb: d.data } : { ok: false, reason: d.reason, detail: d.detail };
    };
  }
  if (mode === "aaf-crop") {
    return async (s: AgeSample): Promise<Prepared> => {
      const d = await decodeImage(s.path);
      if (!d.ok) return { ok: false, reason: d.reason, detail: d.detail };
      return { ok: true, rgb: fixedCrop(d.data, d.width, d.height, AAF_CROP, size) };
    };
  }
  if (!detector) throw new DataError('alignment mode "detect" needs a face detector');
  return async (s: AgeSample): Promise<Prepared> => {
    const d = await decodeImage(s.path);
    if (!d.ok) return { ok: false, reason: d.reason, detail: d.detail };
    const faces = await detector.detect(d.data, d.width, d.height, { maxSide: detectMaxSide });
    if (faces.length === 0) {
      return { ok: false, reason: "no-face", detail: `no face found in ${d.width}×${d.height}` };
    }
    const five = faces[0].five;
    return { ok: true, rgb: alignFace(d.data, d.width, d.height, five, size).crop };
  };
}

/** Scales an RGB image by `k` < 1 with sharp (area-averaging). */
async function downscale(
  rgb: Uint8Array,
  width: number,
  height: number,
  k: number,
): Promise<RgbImage> {
  const { default: sharp } = await import("sharp");
  const w = Math.max(1, Math.round(width * k)), h = Math.max(1, Math.round(height * k));
  const buf = await sharp(rgb, { raw: { width, height, channels: 3 } })
    .resize(w, h, { fit: "fill" })
    .raw()
    .toBuffer();
  return { data: new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength), width: w, height: h };
}
