/**
 * Face images in notebooks and reports: a grid of RGB crops as inline PNGs with captions.
 *
 * @module
 */
import sharp from "sharp";
import { showHtml } from "./display.ts";
import { escapeHtml } from "./table.ts";

/** Encodes `size × size × 3` RGB bytes as a PNG data URL. */
export async function pngDataUrl(rgb: Uint8Array, size: number): Promise<string> {
  const png = await sharp(rgb, { raw: { width: size, height: size, channels: 3 } }).png()
    .toBuffer();
  return `data:image/png;base64,${png.toString("base64")}`;
}

/** HTML of a grid of faces, each shown at `px` pixels with its caption below. */
export async function faceGridHtml(
  images: readonly Uint8Array[],
  size: number,
  captions: readonly string[] = [],
  px = 96,
): Promise<string> {
  const cells = await Promise.all(
    images.map(async (img, i) =>
      `<figure style="margin:2px;text-align:center;font:11px sans-serif">` +
      `<img src="${await pngDataUrl(img, size)}" width="${px}" height="${px}" ` +
      `style="image-rendering:pixelated"/><figcaption>${
        escapeHtml(captions[i] ?? "")
      }</figcaption></figure>`
    ),
  );
  return `<div style="display:flex;flex-wrap:wrap">${cells.join("")}</div>`;
}

/** Shows a grid of faces (text fallback outside Jupyter: the captions). */
export async function showFaces(
  images: readonly Uint8Array[],
  size: number,
  captions: readonly string[] = [],
  px = 96,
): Promise<void> {
  await showHtml(await faceGridHtml(images, size, captions, px), captions.join(" | "));
}

/**
 * HTML of a photo (scaled to `px` wide) with each face's box and five points drawn over it, the
 * way the paper's pre-processing sees it.
 */
export async function photoWithFacesHtml(
  rgb: Uint8Array,
  width: number,
  height: number,
  faces: readonly {
    box: { x: number; y: number; width: number; height: number };
    five: readonly { x: number; y: number }[];
  }[],
  px = 480,
): Promise<string> {
  const h = Math.round((height * px) / width);
  const jpeg = await sharp(rgb, { raw: { width, height, channels: 3 } }).resize(px, h).jpeg({
    quality: 80,
  }).toBuffer();
  const k = px / width;
  const marks = faces.map((f) =>
    `<rect x="${f.box.x * k}" y="${f.box.y * k}" width="${f.box.width * k}" height="${
      f.box.height * k
    }" ` +
    `fill="none" stroke="lime" stroke-width="2"/>` +
    f.five.map((p) => `<circle cx="${p.x * k}" cy="${p.y * k}" r="3" fill="red"/>`).join("")
  ).join("");
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${px}" height="${h}">` +
    `<image href="data:image/jpeg;base64,${
      jpeg.toString("base64")
    }" width="${px}" height="${h}"/>${marks}</svg>`;
}
