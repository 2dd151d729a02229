/// <reference lib="dom" />
/**
 * The web page's script (bundled to `app.js` by `deno task serve`, lib/web/site.ts): the user
 * picks or drops a photo; it is decoded here, its faces are found and aligned and their ages
 * estimated by web/estimate.ts (the library's detector, alignment and Eqs. 16–18), and each face
 * is drawn with its box, ŷ and its age distribution (Plotly). Everything runs in the browser
 * (tfjs on WebAssembly); the photo is never uploaded.
 *
 * For tests and scripts the page publishes its state in `document.body.dataset.state`
 * ("loading", "ready", "busy", "done", "error") and the last result in `globalThis.cenResult`.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs/dist/index.js";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm/dist/index.js";
import * as faceapi from "@vladmandic/face-api/dist/face-api.esm-nobundle.js";
import {
  DEFAULT_MIN_CONFIDENCE,
  detectFacesWith,
  type FaceDetector,
  type FaceNets,
  type RgbImage,
} from "../lib/data/align.ts";
import {
  imageSizeFromHeader,
  MAX_IMAGE_PIXELS,
  tooManyPixels,
  WORKING_SIDE,
  workingSize,
} from "../lib/data/limits.ts";
import { resizeRgb } from "../lib/data/resample.ts";
import { type AgeModelMetadata, ageModelSettings, type FaceSource } from "../lib/inference.ts";
import { estimateAges, type FaceEstimate, type PageModel } from "./estimate.ts";

/** Where the page finds what `deno task serve` serves beside it. */
const ASSETS = {
  model: "model/model.json",
  faceApi: "face-api",
  wasm: "wasm/",
  sample: "sample.jpg",
} as const;

/** The page's state, as `document.body.dataset.state`. */
type PageState = "loading" | "ready" | "busy" | "done" | "error";

/** One face of {@link PageResult}: JSON-friendly. */
interface FaceReport {
  face: number;
  source: FaceSource;
  box: FaceEstimate["box"];
  five?: FaceEstimate["five"];
  age: number;
  ageLdl: number;
  ageReg: number;
  top: { age: number; p: number }[];
}

/** What the page shows, published as `globalThis.cenResult`. */
interface PageResult {
  state: PageState;
  message: string;
  file?: string;
  width?: number;
  height?: number;
  chip?: boolean;
  backend?: string;
  faces: FaceReport[];
}

/** The subset of Plotly the page uses (plotly.js is loaded by its own script tag). */
interface PlotlyApi {
  newPlot(el: HTMLElement, data: unknown[], layout: unknown, config: unknown): Promise<unknown>;
  purge(el: HTMLElement): void;
}

declare global {
  /** The last result, for tests and scripts. */
  var cenResult: PageResult | undefined;
  /** plotly.js, when its script loaded. */
  var Plotly: PlotlyApi | undefined;
}

/** How each kind of face was found, for its card (lib/inference.ts: FaceSource). */
const SOURCE_NOTES: Record<FaceSource, string> = {
  "chip": "a small square image, taken as a face chip and used whole",
  "detected": "",
  "detected-padded": "found once the image was framed by a border",
  "detected-upscaled": "found once the image was framed and enlarged",
  "aaf-crop": "no face found: the whole image, framed as All-Age-Faces images are",
  "whole-image": "no face found: the centre square of the whole image",
};

/** A problem with the user's file, shown as it is. */
class BadInput extends Error {}

/** Face colours, one per face (boxes, labels, cards). */
const COLORS = ["#e4572e", "#17bebb", "#ffc914", "#76b041", "#2e86ab", "#a23b72", "#f18f01"];

/** An element by id (the page's own markup: missing is a bug). */
function el<T extends HTMLElement>(id: string): T {
  const e = document.getElementById(id);
  if (!e) throw new Error(`#${id} missing from index.html`);
  return e as T;
}

/** Shows a state and a message, and publishes them. */
function setState(state: PageState, message: string, result: Partial<PageResult> = {}): void {
  document.body.dataset.state = state;
  const status = el("status");
  status.textContent = message;
  status.className = state === "error" ? "status error" : "status";
  globalThis.cenResult = { state, message, faces: [], ...result };
}

/** Picks the WebAssembly backend (CPU when WebAssembly is unavailable). */
async function initBackend(): Promise<string> {
  setWasmPaths(new URL(ASSETS.wasm, location.href).href);
  try {
    if (await tf.setBackend("wasm")) {
      await tf.ready();
      return "wasm";
    }
  } catch { /* fall through to cpu */ }
  await tf.setBackend("cpu");
  await tf.ready();
  return "cpu";
}

/** face-api's SSD and 68-landmark nets, as a detector of lib/data/align.ts. */
async function loadDetector(): Promise<FaceDetector> {
  const ssd = new faceapi.SsdMobilenetv1();
  const marks = new faceapi.FaceLandmark68Net();
  await ssd.loadFromUri(ASSETS.faceApi);
  await marks.loadFromUri(ASSETS.faceApi);
  const ssdOptions = new faceapi.SsdMobilenetv1Options({ minConfidence: DEFAULT_MIN_CONFIDENCE });
  const nets: FaceNets = { api: faceapi, tf, ssd, marks, ssdOptions };
  return {
    detect: (rgb, width, height, options = {}) =>
      detectFacesWith(nets, rgb, width, height, options),
    dispose() {
      ssd.dispose();
      marks.dispose();
    },
  };
}

/** The age model and its settings (input size, ages, template) from its metadata. */
async function loadModel(): Promise<PageModel> {
  let model: tf.LayersModel;
  try {
    model = await tf.loadLayersModel(ASSETS.model);
  } catch (e) {
    throw new Error(
      `cannot load the age model (${ASSETS.model}): ${(e as Error).message}. ` +
        "Start the page with deno task serve --run <id|dir>.",
    );
  }
  const meta = model.getUserDefinedMetadata() as AgeModelMetadata;
  return { model, ...ageModelSettings(meta ?? {}, ASSETS.model) };
}

/** How much of a file the page reads for its header (a JPEG's size follows its EXIF block). */
const HEADER_BYTES = 512 * 1024;

/**
 * Decodes an image file to RGB as `deno task predict` does for face finding (lib/data/decode.ts,
 * lib/data/limits.ts): the size is read from the header first and an image of more than
 * {@link MAX_IMAGE_PIXELS} is refused with its size before it is decoded; EXIF orientation is
 * applied, alpha flattened onto white, and a photo larger than {@link WORKING_SIDE} is shrunk to
 * its working size with Lanczos-3 (lib/data/resample.ts), as predict's sharp shrinks it.
 */
async function decodeFile(file: Blob, name: string): Promise<RgbImage> {
  if (file.size === 0) throw new BadInput(`“${name}” is empty (0 bytes).`);
  const head = imageSizeFromHeader(new Uint8Array(await file.slice(0, HEADER_BYTES).arrayBuffer()));
  const tooLarge = head && tooManyPixels(head.width, head.height, MAX_IMAGE_PIXELS);
  if (tooLarge) throw new BadInput(`“${name}” is too large: ${tooLarge}.`);
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file, { imageOrientation: "from-image" });
  } catch {
    throw new BadInput(
      `“${name}” is not an image this browser can read. Pick a photo (JPEG, PNG, WebP, …).`,
    );
  }
  const decoded = tooManyPixels(bitmap.width, bitmap.height, MAX_IMAGE_PIXELS);
  if (decoded) {
    bitmap.close();
    throw new BadInput(`“${name}” is too large: ${decoded}.`);
  }
  const { width, height } = bitmap;
  const canvas = new OffscreenCanvas(width, height);
  const ctx = canvas.getContext("2d", { willReadFrequently: true });
  if (!ctx) throw new Error("no 2D canvas");
  ctx.drawImage(bitmap, 0, 0);
  bitmap.close();
  const rgba = ctx.getImageData(0, 0, width, height).data;
  const data = new Uint8Array(width * height * 3);
  for (let i = 0, j = 0; i < rgba.length; i += 4, j += 3) {
    const a = rgba[i + 3] / 255;
    for (let c = 0; c < 3; c++) data[j + c] = Math.round(rgba[i + c] * a + 255 * (1 - a));
  }
  // A photo larger than the working size is shrunk as predict's sharp does (Lanczos-3).
  const to = workingSize(width, height, WORKING_SIDE);
  if (to.width === width && to.height === height) return { data, width, height };
  return resizeRgb({ data, width, height }, to.width, to.height);
}

/** The three most probable ages, as `deno task predict` lists them. */
function topAges(p: Float32Array, minAge: number): { age: number; p: number }[] {
  return Array.from(p, (v, i) => ({ age: minAge + i, p: v })).sort((a, b) => b.p - a.p).slice(
    0,
    3,
  );
}

/** Draws the photo with each face's box and ŷ on the canvas. */
function drawPhoto(img: RgbImage, faces: readonly FaceEstimate[]): void {
  const canvas = el<HTMLCanvasElement>("photo");
  const maxWidth = Math.min(960, canvas.parentElement?.clientWidth ?? 960);
  const k = Math.min(1, maxWidth / img.width);
  canvas.width = Math.round(img.width * k);
  canvas.height = Math.round(img.height * k);
  const ctx = canvas.getContext("2d")!;
  ctx.drawImage(rgbCanvas(img), 0, 0, canvas.width, canvas.height);
  const font = Math.max(14, Math.round(canvas.width / 40));
  faces.forEach((f, i) => {
    const color = COLORS[i % COLORS.length];
    const [x, y, w, h] = [f.box.x * k, f.box.y * k, f.box.width * k, f.box.height * k];
    ctx.lineWidth = Math.max(2, font / 6);
    ctx.strokeStyle = color;
    ctx.strokeRect(x, y, w, h);
    const label = `${f.age.toFixed(1)}`;
    ctx.font = `bold ${font}px system-ui, sans-serif`;
    const tw = ctx.measureText(label).width + font * 0.6;
    const ty = y - font * 1.4 >= 0 ? y - font * 1.4 : y + h;
    ctx.fillStyle = color;
    ctx.fillRect(x - ctx.lineWidth / 2, ty, tw, font * 1.4);
    ctx.fillStyle = "#fff";
    ctx.fillText(label, x + font * 0.3, ty + font * 1.08);
  });
  canvas.hidden = false;
}

/** An RGB image on a canvas (for drawing it scaled). */
function rgbCanvas(img: RgbImage): HTMLCanvasElement {
  const c = document.createElement("canvas");
  c.width = img.width;
  c.height = img.height;
  const rgba = new ImageData(img.width, img.height);
  for (let i = 0, j = 0; j < img.data.length; i += 4, j += 3) {
    rgba.data[i] = img.data[j];
    rgba.data[i + 1] = img.data[j + 1];
    rgba.data[i + 2] = img.data[j + 2];
    rgba.data[i + 3] = 255;
  }
  c.getContext("2d")!.putImageData(rgba, 0, 0);
  return c;
}

/** One face's card: the aligned crop the model saw, its ages, and p(age) as a bar chart. */
function faceCard(f: FaceEstimate, i: number, m: PageModel): HTMLElement {
  const card = document.createElement("section");
  card.className = "face";
  card.style.borderColor = COLORS[i % COLORS.length];
  const crop = rgbCanvas({ data: f.crop, width: m.size, height: m.size });
  crop.className = "crop";
  crop.title = "the aligned face the model sees";
  const text = document.createElement("div");
  const top = topAges(f.p, m.minAge).map((t) => `${t.age} (${(t.p * 100).toFixed(1)}%)`);
  const note = SOURCE_NOTES[f.source] ? `<p class="note">${SOURCE_NOTES[f.source]}</p>` : "";
  text.innerHTML = `<h2>${f.face < 0 ? "The image" : `Face ${i + 1}`}: <b class="age">` +
    `${f.age.toFixed(1)}</b> years</h2><p>ŷ<sub>ldl</sub> ${f.ageLdl.toFixed(1)} · ` +
    `ŷ<sub>reg</sub> ${f.ageReg.toFixed(1)} · most likely ${top.join(", ")}</p>${note}`;
  const plot = document.createElement("div");
  plot.className = "dist";
  card.append(crop, text, plot);
  drawDistribution(plot, f, m, COLORS[i % COLORS.length]);
  return card;
}

/** Plots p over ages with a line at ŷ (Plotly; skipped with a note if it failed to load). */
function drawDistribution(div: HTMLElement, f: FaceEstimate, m: PageModel, color: string): void {
  const plotly = globalThis.Plotly;
  if (!plotly) {
    div.textContent = "(plotly.js did not load: no chart)";
    return;
  }
  const ages = Array.from(f.p, (_, i) => m.minAge + i);
  const peak = Math.max(...f.p);
  const data = [{
    type: "bar",
    x: ages,
    y: Array.from(f.p),
    marker: { color },
    hovertemplate: "age %{x}: p = %{y:.3f}<extra></extra>",
  }];
  const layout = {
    height: 180,
    margin: { l: 40, r: 10, t: 10, b: 36 },
    xaxis: { title: { text: "age (years)" }, range: [m.minAge - 0.5, m.maxAge + 0.5] },
    yaxis: { title: { text: "p" } },
    // ŷ as a dotted line (when the regression head puts it inside the age range).
    shapes: f.age >= m.minAge && f.age <= m.maxAge
      ? [{ type: "line", x0: f.age, x1: f.age, y0: 0, y1: peak, line: { dash: "dot" } }]
      : [],
    bargap: 0.05,
  };
  plotly.newPlot(div, data, layout, { displayModeBar: false, responsive: true });
}

/** Shows an estimate: the photo with boxes and a card per face. */
function render(img: RgbImage, faces: readonly FaceEstimate[], m: PageModel): void {
  drawPhoto(img, faces);
  const list = el("faces");
  list.replaceChildren(...faces.map((f, i) => faceCard(f, i, m)));
}

/** Clears the last photo's drawing (a new file, or bad input). */
function clear(): void {
  el<HTMLCanvasElement>("photo").hidden = true;
  el("faces").replaceChildren();
}

/** The loaded detector, model and backend (loaded once, when the page opens). */
interface Engine {
  detector: FaceDetector;
  model: PageModel;
  backend: string;
}

/** Loads the backend, the detector and the model. */
async function loadEngine(): Promise<Engine> {
  const backend = await initBackend();
  const [detector, model] = await Promise.all([loadDetector(), loadModel()]);
  el("model-info").textContent = `model: ${model.size}×${model.size} px input, ages ` +
    `${model.minAge}–${model.maxAge}; tfjs backend: ${backend}`;
  return { detector, model, backend };
}

/** Estimates and shows the ages in one file. */
async function handleFile(file: File, engine: Promise<Engine>): Promise<void> {
  clear();
  const name = file.name || "the file";
  setState("busy", `Reading ${name}…`);
  try {
    const { detector, model, backend } = await engine;
    const img = await decodeFile(file, name);
    setState("busy", `Finding faces in ${name} (${img.width}×${img.height})…`);
    await new Promise((r) => setTimeout(r, 0)); // let the status paint
    const est = await estimateAges(img, detector, model);
    const base = { file: name, width: img.width, height: img.height, backend };
    if (!est.ok) {
      throw new BadInput(
        `No face found in “${name}” (${img.width}×${img.height}). Try a photo where the faces ` +
          "are larger, lit and turned towards the camera.",
      );
    }
    render(img, est.faces, model);
    const faces = est.faces.map((f) => report(f, model.minAge));
    const n = faces.length;
    const what = est.chip
      ? "a face chip, used whole"
      : est.faces[0].face < 0
      ? "no face found, the whole image used"
      : `${n} face${n === 1 ? "" : "s"}`;
    setState("done", `${name}: ${what}. Ages: ${faces.map((f) => f.age.toFixed(1)).join(", ")}`, {
      ...base,
      chip: est.chip,
      faces,
    });
  } catch (e) {
    clear();
    const bad = e instanceof BadInput;
    const message = bad ? (e as Error).message : `Something went wrong: ${(e as Error).message}`;
    setState("error", message, { file: name });
    if (!bad) console.warn(e);
  }
}

/** A face's numbers for `globalThis.cenResult`. */
function report(f: FaceEstimate, minAge: number): FaceReport {
  return {
    face: f.face,
    source: f.source,
    box: f.box,
    five: f.five,
    age: f.age,
    ageLdl: f.ageLdl,
    ageReg: f.ageReg,
    top: topAges(f.p, minAge),
  };
}

/** Wires the file picker, drag and drop, and the sample button (files are taken in turn). */
function wire(engine: Promise<Engine>): void {
  let queue = Promise.resolve();
  const take = (file: File) => queue = queue.then(() => handleFile(file, engine));
  const input = el<HTMLInputElement>("file");
  input.addEventListener("change", () => {
    const file = input.files?.[0];
    if (file) take(file);
    input.value = "";
  });
  const zone = el("drop");
  for (const type of ["dragenter", "dragover"]) {
    document.addEventListener(type, (e) => {
      e.preventDefault();
      zone.classList.add("over");
    });
  }
  document.addEventListener("dragleave", () => zone.classList.remove("over"));
  document.addEventListener("drop", (e) => {
    e.preventDefault();
    zone.classList.remove("over");
    const file = e.dataTransfer?.files[0];
    if (file) take(file);
  });
  el("sample").addEventListener("click", async () => {
    const blob = await (await fetch(ASSETS.sample)).blob();
    take(new File([blob], "sample.jpg", { type: blob.type }));
  });
}

/** Starts the page: load everything, then wait for a photo. */
function main(): void {
  setState("loading", "Loading the face detector and the age model…");
  const engine = loadEngine();
  engine.then(
    () => {
      if (document.body.dataset.state === "loading") {
        setState("ready", "Ready: pick or drop a photo.");
      }
    },
    (e) => setState("error", `The page could not start: ${(e as Error).message}`),
  );
  wire(engine);
}

main();
