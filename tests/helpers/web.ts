/**
 * Inputs of the web page's tests (tests/web/): a model, the face-api sample photo and images cut
 * from it for each of `deno task predict`'s paths, and bad input.
 *
 * @module
 */
import { join } from "node:path";
import sharp from "sharp";
import { initBackend } from "../../lib/backend/mod.ts";
import { cropMetadata, faceApiDir } from "../../lib/data/align.ts";
import { saveModel } from "../../lib/model/io.ts";
import { createCenModel } from "../../lib/model/resnet.ts";
import { SHIPPED_MODEL_DIR } from "../../lib/paths.ts";

/** The photo: three adults, 1920×1280. */
export const SAMPLE: string = join(faceApiDir(), "demo", "sample1.jpg");

/**
 * The model under test: the folder `CEN_WEB_MODEL` names, else the shipped one when present, else
 * a small untrained one made in `dir`.
 */
export async function testModel(dir: string): Promise<{ modelDir: string; what: string }> {
  const chosen = Deno.env.get("CEN_WEB_MODEL");
  if (chosen) return { modelDir: chosen, what: `${chosen} (CEN_WEB_MODEL)` };
  if (await Deno.stat(join(SHIPPED_MODEL_DIR, "model.json")).then(() => true, () => false)) {
    return { modelDir: SHIPPED_MODEL_DIR, what: "the shipped model (model/)" };
  }
  const modelDir = join(dir, "model");
  await initBackend();
  const model = createCenModel({ backbone: "resnet10-tiny", inputSize: 64, numAges: 62, seed: 3 });
  await saveModel(model, modelDir, {
    cen: { minAge: 16, maxAge: 77 },
    input: { size: 64 },
    crop: cropMetadata("utkface"),
  });
  model.dispose();
  return { modelDir, what: "an untrained 64 px model (model/ is absent)" };
}

/**
 * Writes the test's inputs: a face chip, a tight face crop (found once framed), a thumbnail too
 * small for the detector (used whole), the photo enlarged to 3,000 px (decoded to its 2,048 px
 * working size), a text file, an empty file, a photo with no face.
 */
export async function inputs(dir: string): Promise<Record<string, string>> {
  const files = {
    chip: join(dir, "chip.png"),
    tight: join(dir, "tight.png"),
    tiny: join(dir, "tiny.png"),
    large: join(dir, "large.jpg"),
    text: join(dir, "notes.jpg"),
    empty: join(dir, "empty.png"),
    noFace: join(dir, "wall.png"),
  };
  // The left face of the photo, cut to a 200 px square: a pre-aligned chip for --align auto.
  await sharp(SAMPLE).extract({ left: 395, top: 360, width: 200, height: 200 }).png().toFile(
    files.chip,
  );
  await sharp(SAMPLE).extract({ left: 440, top: 420, width: 130, height: 160 }).png().toFile(
    files.tight,
  );
  await sharp(SAMPLE).extract({ left: 440, top: 420, width: 130, height: 160 }).resize(39, 48)
    .png().toFile(files.tiny);
  await sharp(SAMPLE).resize(3000, 2000).jpeg({ quality: 90 }).toFile(files.large);
  await Deno.writeTextFile(files.text, "not an image, whatever its name says\n");
  await Deno.writeFile(files.empty, new Uint8Array());
  // A large smooth gradient: a photo (not a chip, not small) with no face in it.
  const [w, h] = [800, 600];
  const rgb = new Uint8Array(w * h * 3).map((_, i) => {
    const p = Math.floor(i / 3);
    return (((p % w) * 255) / w + ((i % 3) * 40)) % 256;
  });
  await sharp(rgb, { raw: { width: w, height: h, channels: 3 } }).png().toFile(files.noFace);
  return files;
}

/**
 * Writes a pixel bomb to `dir`: a 12,000 × 12,000 JPEG of one colour (144 megapixels, under 1 MB
 * on disk; decoded whole it would take 432 MB as RGB, and four times that as the detector's
 * tensor). Returns its path.
 */
export async function pixelBomb(dir: string): Promise<string> {
  const path = join(dir, "bomb.jpg");
  await sharp({
    create: { width: 12000, height: 12000, channels: 3, background: { r: 200, g: 180, b: 160 } },
    limitInputPixels: false,
  }).jpeg({ quality: 50 }).toFile(path);
  return path;
}
