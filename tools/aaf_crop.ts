/**
 * `deno run -A tools/aaf_crop.ts <AAF images folder> [--every N] [--points file.json]`: where
 * face-api's five points fall in All-Age-Faces' aligned faces (every N-th image by name, default
 * 25, whose face is found as it is or framed by black): their mean, and the fixed square crop, in
 * fractions of the image's width and height, that maps it onto UTKFace's chip template. This is
 * how `AAF_FIVE_POINTS` and `AAF_CROP` in lib/data/crops.ts were measured. Prints one JSON object
 * (with how well one crop fits each image); progress on stderr; `--points` also saves each image's
 * five points.
 */
import { basename } from "node:path";
import { type CommandSpec, runCli } from "../lib/cli.ts";
import { initBackend } from "../lib/backend/mod.ts";
import {
  type FaceDetector,
  loadFaceDetector,
  type Point,
  UTKFACE_CHIP_TEMPLATE,
} from "../lib/data/align.ts";
import { type CropRect, squareCropRect } from "../lib/data/crops.ts";
import { decodeImage } from "../lib/data/decode.ts";
import { listImages } from "../lib/inference.ts";
import { UsageError } from "../lib/errors.ts";

/** `rgb` framed by `pad` black pixels on every side. */
function frame(rgb: Uint8Array, width: number, height: number, pad: number): Uint8Array {
  const w = width + 2 * pad;
  const out = new Uint8Array(w * (height + 2 * pad) * 3);
  for (let y = 0; y < height; y++) {
    out.set(rgb.subarray(y * width * 3, (y + 1) * width * 3), ((y + pad) * w + pad) * 3);
  }
  return out;
}

/** The five points of the best face as fractions of width and height, or undefined. */
async function fivePointsOf(
  detector: FaceDetector,
  rgb: Uint8Array,
  width: number,
  height: number,
): Promise<Point[] | undefined> {
  for (const pad of [0, Math.round(Math.max(width, height) / 2)]) {
    const img = pad === 0 ? rgb : frame(rgb, width, height, pad);
    const faces = await detector.detect(img, width + 2 * pad, height + 2 * pad);
    if (faces.length > 0) {
      return faces[0].five.map((p) => ({ x: (p.x - pad) / width, y: (p.y - pad) / height }));
    }
  }
  return undefined;
}

/** The median of `values`. */
function median(values: readonly number[]): number {
  const v = [...values].sort((a, b) => a - b), m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

/** Mean and sample standard deviation of `values`. */
function meanStd(values: readonly number[]): { mean: number; std: number } {
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  const v = values.reduce((s, x) => s + (x - mean) ** 2, 0) / Math.max(1, values.length - 1);
  return { mean, std: Math.sqrt(v) };
}

const SPEC = {
  name: "aaf_crop",
  usage: "deno run -A tools/aaf_crop.ts <AAF images folder> [--every N]",
  summary: "Measures AAF's five points and the fixed crop onto UTKFace's chip template.",
  options: {
    every: { type: "integer", value: "<n>", help: "every n-th image by name (25)" },
    points: { type: "string", value: "<file.json>", help: "also write each image's five points" },
  },
  positionals: [1, 1],
} as const satisfies CommandSpec;

/** Every `every`-th image of `folder` by name: the five points of those with a face found. */
async function collect(
  folder: string,
  every: number,
): Promise<{ images: number; size: string; found: { name: string; five: Point[] }[] }> {
  await initBackend();
  const files = (await listImages(folder)).filter((_, i) => i % every === 0);
  const detector = await loadFaceDetector();
  const found: { name: string; five: Point[] }[] = [];
  const sizes = new Set<string>();
  for (const [n, file] of files.entries()) {
    const img = await decodeImage(file);
    if (!img.ok) continue;
    sizes.add(`${img.width}x${img.height}`);
    const five = await fivePointsOf(detector, img.data, img.width, img.height);
    if (five) found.push({ name: basename(file), five });
    if ((n + 1) % 50 === 0) console.error(`${n + 1}/${files.length} images, ${found.length} faces`);
  }
  detector.dispose();
  if (sizes.size !== 1) throw new Error(`images of several sizes: ${[...sizes].join(", ")}`);
  return { images: files.length, size: [...sizes][0], found };
}

/** `v` rounded to `d` decimals. */
function round(v: number, d: number): number {
  return +v.toFixed(d);
}

/** A crop rectangle's fractions rounded to 4 decimals. */
function rounded(r: CropRect): CropRect {
  return {
    x: round(r.x, 4),
    y: round(r.y, 4),
    width: round(r.width, 4),
    height: round(r.height, 4),
  };
}

/**
 * The fixed crop: the square that maps the mean five points (rounded to 3 decimals, as committed
 * in `AAF_FIVE_POINTS`) onto UTKFace's chip template. For comparison, the median of every image's
 * own crop (the square that maps its points onto the template), and for each the share of images
 * whose own crop lies within 5, 10, 20% of the side of it.
 */
function summarize(
  found: readonly { five: Point[] }[],
  width: number,
  height: number,
): Record<string, unknown> {
  const fivePoints = [0, 1, 2, 3, 4].map((i) => ({
    x: round(meanStd(found.map((r) => r.five[i].x)).mean, 3),
    y: round(meanStd(found.map((r) => r.five[i].y)).mean, 3),
  }));
  const crop = squareCropRect(fivePoints, width, height, UTKFACE_CHIP_TEMPLATE);
  const own = found.map((r) => squareCropRect(r.five, width, height, UTKFACE_CHIP_TEMPLATE));
  const side = median(own.map((r) => r.width * width));
  const medianCrop: CropRect = {
    x: median(own.map((r) => r.x)),
    y: median(own.map((r) => r.y)),
    width: side / width,
    height: side / height,
  };
  const within = (c: CropRect) => {
    const off = own.map((r) =>
      Math.max(
        Math.abs(r.x - c.x) / c.width,
        Math.abs(r.y - c.y) / c.height,
        Math.abs(r.width / c.width - 1),
      )
    );
    const share = (limit: number) => round(off.filter((o) => o <= limit).length / off.length, 3);
    return { "5%": share(0.05), "10%": share(0.1), "20%": share(0.2) };
  };
  return {
    fivePoints,
    crop: rounded(crop),
    within: within(rounded(crop)),
    medianOwnCrop: rounded(medianCrop),
    medianOwnCropWithin: within(rounded(medianCrop)),
  };
}

await runCli(SPEC, async ({ options, positionals }) => {
  const every = options.every ?? 25;
  if (every < 1) throw new UsageError("--every must be ≥ 1");
  const { images, size, found } = await collect(positionals[0], every);
  if (options.points) await Deno.writeTextFile(options.points, JSON.stringify(found));
  const [width, height] = size.split("x").map(Number);
  const summary = summarize(found, width, height);
  console.log(JSON.stringify({ images, found: found.length, width, height, ...summary }, null, 2));
});
