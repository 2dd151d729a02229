/**
 * The embedded synthetic face set: a deterministic generator of pre-aligned face images whose age
 * shows through cues that change at person-specific rates, fast in childhood and old age and slow
 * in middle age (the paper's Figure 1a): head and face proportions, eye size, skin lines
 * (forehead, crow's feet, nasolabial folds), eye bags, hair greying, a receding hairline, jowls,
 * age spots and skin texture. Pose, light, background, clothing and expression vary as nuisance.
 *
 * Faces are drawn directly into pixels (layers painted over their bounding boxes with
 * anti-aliased edges), already aligned to `TEMPLATE` of `align.ts` (eye centres at (0.375, 0.4)
 * and (0.625, 0.4) of the side, up to the pose jitter: the face unit is a quarter of the side). Everything is seeded: the same options give the
 * same pixels.
 *
 * @module
 */
import { DataError } from "../errors.ts";
import { createRng, mixSeed, type Rng } from "../rng.ts";

/** The two presets: a large noisy set (IMDB-WIKI's role) and a clean target set (Morph's role). */
export const SYNTHETIC_PRESETS = ["synthetic-pretrain", "synthetic-target"] as const;
/** A preset name. */
export type SyntheticPreset = typeof SYNTHETIC_PRESETS[number];

/** What a preset fixes: the age range, images per identity and the label noise. */
export interface PresetSpec {
  minAge: number;
  maxAge: number;
  /** Images per identity, inclusive range. */
  perIdentity: [number, number];
  /** Largest gap in years between two images of one identity (drawn per image). */
  maxGap: number;
  /** Label noise: standard deviation of the usual error, and the share and std of gross errors. */
  noise: { std: number; grossShare: number; grossStd: number };
  /** Default number of images. */
  count: number;
}

/** The presets' settings. */
export const PRESETS: Readonly<Record<SyntheticPreset, PresetSpec>> = {
  "synthetic-pretrain": {
    minAge: 0,
    maxAge: 100,
    perIdentity: [2, 6],
    maxGap: 12,
    noise: { std: 2.5, grossShare: 0.15, grossStd: 10 },
    count: 10000,
  },
  "synthetic-target": {
    minAge: 16,
    maxAge: 77,
    perIdentity: [2, 6],
    maxGap: 5,
    noise: { std: 0, grossShare: 0, grossStd: 0 },
    count: 3000,
  },
};

/** Person-specific traits, fixed for an identity. */
export interface Identity {
  id: number;
  female: boolean;
  skin: [number, number, number];
  hair: [number, number, number];
  iris: [number, number, number];
  longHair: boolean;
  /** Growth time constant in years (childhood proportions). */
  growthTau: number;
  /** Ageing rate factor after 20 (1 = average). */
  rate: number;
  /** Onsets (effective years after 20) of forehead lines, crow's feet, greying. */
  foreheadOnset: number;
  crowOnset: number;
  greyOnset: number;
  /** Propensity to a receding hairline, 0–1. */
  balding: number;
  /** Propensity to age spots, 0–1. */
  spots: number;
  faceWidth: number;
  jaw: number;
  headLength: number;
  eyeSize: number;
  browThickness: number;
  mouthWidth: number;
  lipThickness: number;
  hairline: number;
}

/** Everything that varies from one image to the next apart from age. */
export interface Nuisance {
  roll: number;
  yaw: number;
  scale: number;
  dx: number;
  dy: number;
  lightAngle: number;
  lightStrength: number;
  brightness: number;
  tint: [number, number, number];
  bgA: [number, number, number];
  bgB: [number, number, number];
  bgAngle: number;
  clothes: [number, number, number];
  smile: number;
  mouthOpen: number;
  browRaise: number;
  eyeOpen: number;
  noise: number;
  /** Seed of per-pixel noise and spot positions. */
  seed: number;
}

/** One image to draw: who, at what true age, under what nuisance. */
export interface FaceSpec {
  identity: Identity;
  age: number;
  nuisance: Nuisance;
}

/** One generated image's record. */
export interface SyntheticRecord {
  /** File name inside the output folder. */
  file: string;
  /** The label as the dataset gives it (noisy for the pretrain preset). */
  age: number;
  /** The age the face was drawn at. */
  trueAge: number;
  /** Identity, `S000123`. */
  subject: string;
  female: boolean;
  spec: FaceSpec;
}

/** Options of {@link planSynthetic}. */
export interface SyntheticOptions {
  preset: SyntheticPreset;
  /** Number of images (default: the preset's). */
  count?: number;
  seed?: number;
}

type Rgb = [number, number, number];

const SKINS: Rgb[] = [[240, 206, 182], [222, 178, 145], [196, 148, 108], [156, 108, 74], [
  104,
  72,
  52,
]];
const HAIRS: Rgb[] = [[28, 24, 22], [62, 42, 28], [108, 74, 44], [196, 164, 106], [146, 68, 34]];
const IRISES: Rgb[] = [[84, 56, 34], [74, 112, 160], [84, 116, 78], [40, 30, 24]];

const lerp = (a: number, b: number, t: number) => a + (b - a) * t;
const clamp01 = (x: number) => x < 0 ? 0 : x > 1 ? 1 : x;
const smooth = (x: number) => {
  const t = clamp01(x);
  return t * t * (3 - 2 * t);
};
const mixRgb = (a: Rgb, b: Rgb, t: number): Rgb => [
  lerp(a[0], b[0], t),
  lerp(a[1], b[1], t),
  lerp(a[2], b[2], t),
];
const uniform = (rng: Rng, a: number, b: number) => a + (b - a) * rng.next();
function gauss(rng: Rng): number {
  const u = Math.max(rng.next(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());
}
function pick<T>(rng: Rng, list: T[]): T {
  return list[Math.floor(rng.next() * list.length)];
}
function palette(rng: Rng, list: Rgb[]): Rgb {
  const t = rng.next() * (list.length - 1);
  const i = Math.min(list.length - 2, Math.floor(t));
  return mixRgb(list[i], list[i + 1], t - i);
}

/** Draws the traits of identity `id` under `seed`. */
export function makeIdentity(seed: number, id: number): Identity {
  const rng = createRng(mixSeed(seed, id, 0x1d));
  const female = rng.next() < 0.5;
  const hairIndex = rng.next();
  const hair = hairIndex < 0.55
    ? palette(rng, HAIRS.slice(0, 2))
    : hairIndex < 0.85
    ? palette(rng, HAIRS.slice(1, 3))
    : pick(rng, HAIRS.slice(3));
  return {
    id,
    female,
    skin: palette(rng, SKINS),
    hair,
    iris: pick(rng, IRISES),
    longHair: female ? rng.next() < 0.7 : rng.next() < 0.08,
    growthTau: uniform(rng, 3.5, 6.5),
    rate: Math.exp(0.2 * gauss(rng)),
    foreheadOnset: uniform(rng, 8, 28),
    crowOnset: uniform(rng, 6, 22),
    greyOnset: uniform(rng, 15, 45),
    balding: female ? 0.1 * rng.next() : rng.next() ** 0.7,
    spots: rng.next(),
    faceWidth: uniform(rng, 0.9, 1.08),
    jaw: uniform(rng, 0.22, 0.42) + (female ? 0.05 : 0),
    headLength: uniform(rng, 0.94, 1.06),
    eyeSize: uniform(rng, 0.88, 1.12),
    browThickness: uniform(rng, 0.8, 1.3) * (female ? 0.8 : 1),
    mouthWidth: uniform(rng, 0.9, 1.1),
    lipThickness: uniform(rng, 0.8, 1.25) * (female ? 1.1 : 1),
    hairline: uniform(rng, -0.05, 0.08),
  };
}

/** Draws the nuisance of one image. */
export function makeNuisance(rng: Rng): Nuisance {
  const bgA: Rgb = [uniform(rng, 20, 235), uniform(rng, 20, 235), uniform(rng, 20, 235)];
  const bgB = mixRgb(
    bgA,
    [uniform(rng, 20, 235), uniform(rng, 20, 235), uniform(rng, 20, 235)],
    0.6,
  );
  const warm = uniform(rng, -0.08, 0.08);
  return {
    roll: uniform(rng, -8, 8) * Math.PI / 180,
    yaw: uniform(rng, -0.3, 0.3),
    scale: uniform(rng, 0.93, 1.07),
    dx: uniform(rng, -0.03, 0.03),
    dy: uniform(rng, -0.03, 0.03),
    lightAngle: uniform(rng, 0, 2 * Math.PI),
    lightStrength: uniform(rng, 0.05, 0.45),
    brightness: uniform(rng, 0.72, 1.15),
    tint: [1 + warm, 1, 1 - warm],
    bgA,
    bgB,
    bgAngle: uniform(rng, 0, 2 * Math.PI),
    clothes: [uniform(rng, 10, 230), uniform(rng, 10, 230), uniform(rng, 10, 230)],
    smile: uniform(rng, -0.3, 1),
    mouthOpen: rng.next() < 0.3 ? uniform(rng, 0, 0.6) : 0,
    browRaise: uniform(rng, -0.6, 1),
    eyeOpen: uniform(rng, 0.55, 1.1),
    noise: uniform(rng, 1, 6),
    seed: Math.floor(rng.next() * 2 ** 31),
  };
}

/** Age cues in [0, 1] of an identity at an age: how far each has progressed. */
export interface AgeCues {
  /** Childhood growth: 0 at birth, → 1 in adulthood (1 − e^{−age/τ}). */
  growth: number;
  forehead: number;
  crow: number;
  nasolabial: number;
  bags: number;
  grey: number;
  recession: number;
  sag: number;
  spots: number;
  texture: number;
  /** Hair density (babies have little). */
  hairDensity: number;
}

/**
 * The cue curves: growth saturates in childhood; adult cues start late (person-specific onsets)
 * and accelerate (powers > 1 of the effective years after 20, scaled by the person's rate).
 */
export function ageCues(p: Identity, age: number): AgeCues {
  const a = Math.max(0, (age - 20) * p.rate);
  return {
    growth: 1 - Math.exp(-age / p.growthTau),
    forehead: clamp01((a - p.foreheadOnset) / 75) ** 1.3,
    crow: clamp01((a - p.crowOnset) / 70) ** 1.3,
    nasolabial: clamp01(a / 85) ** 1.4,
    bags: clamp01((a - 12) / 75) ** 1.5,
    grey: smooth((a - p.greyOnset) / 40),
    recession: p.balding * smooth((a - 5) / 45),
    sag: clamp01((a - 25) / 70) ** 1.6,
    spots: p.spots * clamp01((a - 35) / 55) ** 1.5,
    texture: clamp01(a / 90) ** 1.5,
    hairDensity: clamp01(0.12 + age / 3),
  };
}

/** Plans the images of a preset: identities, their ages, labels and nuisance (no pixels yet). */
export function planSynthetic(options: SyntheticOptions): SyntheticRecord[] {
  const preset = PRESETS[options.preset];
  if (!preset) {
    throw new DataError(
      `unknown synthetic preset "${options.preset}" (one of ${SYNTHETIC_PRESETS.join(", ")})`,
    );
  }
  const count = options.count ?? preset.count;
  const seed = options.seed ?? 0;
  if (!Number.isInteger(count) || count < 1) {
    throw new DataError(`synthetic count must be an integer ≥ 1, got ${count}`);
  }
  const out: SyntheticRecord[] = [];
  const presetCode = options.preset === "synthetic-target" ? 2 : 1;
  for (let id = 0; out.length < count; id++) {
    const identity = makeIdentity(mixSeed(seed, presetCode), id);
    const rng = createRng(mixSeed(seed, presetCode, id, 0xa9e));
    const [lo, hi] = preset.perIdentity;
    const n = Math.min(count - out.length, lo + Math.floor(rng.next() * (hi - lo + 1)));
    let age = uniform(rng, preset.minAge, preset.maxAge + 1);
    for (let k = 0; k < n; k++) {
      if (k > 0) age += uniform(rng, 0, preset.maxGap) * (rng.next() < 0.5 ? -1 : 1);
      if (age < preset.minAge) age = preset.minAge + (preset.minAge - age);
      if (age >= preset.maxAge + 1) age = 2 * (preset.maxAge + 1) - age - 1e-6;
      age = Math.min(preset.maxAge + 0.999, Math.max(preset.minAge, age));
      const trueAge = Math.floor(age);
      const noise = preset.noise;
      let label = trueAge;
      if (noise.std > 0 || noise.grossShare > 0) {
        const std = rng.next() < noise.grossShare ? noise.grossStd : noise.std;
        label = Math.round(trueAge + std * gauss(rng));
        label = Math.min(preset.maxAge, Math.max(preset.minAge, label));
      }
      const subject = `S${String(id).padStart(6, "0")}`;
      const file = `${label}_${identity.female ? 1 : 0}_0_${String(id).padStart(8, "0")}${
        String(k).padStart(9, "0")
      }.jpg.chip.jpg`;
      out.push({
        file,
        age: label,
        trueAge,
        subject,
        female: identity.female,
        spec: { identity, age, nuisance: makeNuisance(rng) },
      });
    }
  }
  return out;
}

/** The mapping from face units (eyes at (±0.5, 0)) to pixels and back. */
interface Frame {
  size: number;
  /** Pixels per face unit. */
  k: number;
  cx: number;
  cy: number;
  cos: number;
  sin: number;
}

type Shader = (u: number, v: number, px: Float32Array) => void;

/**
 * Paints `shader` over the pixels whose centres map into the face-space box [u0,u1]×[v0,v1]. The
 * shader reads and writes the pixel's RGB (0–255 floats) in `px`.
 */
function paint(
  img: Float32Array,
  f: Frame,
  u0: number,
  v0: number,
  u1: number,
  v1: number,
  shader: Shader,
): void {
  let xmin = Infinity, xmax = -Infinity, ymin = Infinity, ymax = -Infinity;
  for (const [u, v] of [[u0, v0], [u1, v0], [u0, v1], [u1, v1]]) {
    const x = f.cx + f.k * (f.cos * u - f.sin * v);
    const y = f.cy + f.k * (f.sin * u + f.cos * v);
    xmin = Math.min(xmin, x);
    xmax = Math.max(xmax, x);
    ymin = Math.min(ymin, y);
    ymax = Math.max(ymax, y);
  }
  const xa = Math.max(0, Math.floor(xmin - 1)), xb = Math.min(f.size - 1, Math.ceil(xmax + 1));
  const ya = Math.max(0, Math.floor(ymin - 1)), yb = Math.min(f.size - 1, Math.ceil(ymax + 1));
  const px = new Float32Array(3);
  const inv = 1 / f.k;
  for (let y = ya; y <= yb; y++) {
    const dy = y + 0.5 - f.cy;
    for (let x = xa; x <= xb; x++) {
      const dx = x + 0.5 - f.cx;
      const u = (f.cos * dx + f.sin * dy) * inv;
      const v = (-f.sin * dx + f.cos * dy) * inv;
      if (u < u0 || u > u1 || v < v0 || v > v1) continue;
      const o = (y * f.size + x) * 3;
      px[0] = img[o];
      px[1] = img[o + 1];
      px[2] = img[o + 2];
      shader(u, v, px);
      img[o] = px[0];
      img[o + 1] = px[1];
      img[o + 2] = px[2];
    }
  }
}

/** Signed distance (face units, negative inside) to an axis-aligned ellipse, first order. */
function ellipseSd(du: number, dv: number, a: number, b: number): number {
  const x = du / a, y = dv / b;
  const f = Math.sqrt(x * x + y * y);
  if (f < 1e-9) return -Math.min(a, b);
  const g = Math.sqrt(x * x / (a * a) + y * y / (b * b)) / f;
  return (f - 1) / g;
}

function blend(px: Float32Array, c: Rgb, alpha: number): void {
  if (alpha <= 0) return;
  px[0] += (c[0] - px[0]) * alpha;
  px[1] += (c[1] - px[1]) * alpha;
  px[2] += (c[2] - px[2]) * alpha;
}

function darken(px: Float32Array, amount: number): void {
  const m = 1 - amount;
  px[0] *= m;
  px[1] *= m * 0.97 + 0.03 * (1 - amount * 0.2);
  px[2] *= m;
}

/** A cheap hash of integers to [0, 1) (per-pixel noise). */
function hash01(a: number, b: number, c: number): number {
  let h = Math.imul(a, 0x27d4eb2d) ^ Math.imul(b, 0x165667b1) ^ Math.imul(c, 0x9e3779b1);
  h = Math.imul(h ^ h >>> 15, 0x85ebca6b);
  h = Math.imul(h ^ h >>> 13, 0xc2b2ae35);
  return ((h ^ h >>> 16) >>> 0) / 4294967296;
}

/** Renders one face as `size × size × 3` RGB bytes. */
export function renderFace(spec: FaceSpec, size: number): Uint8Array {
  if (!Number.isInteger(size) || size < 16) {
    throw new DataError(`synthetic image size must be an integer ≥ 16, got ${size}`);
  }
  const p = spec.identity, n = spec.nuisance;
  const c = ageCues(p, spec.age);
  const g = c.growth;
  const k = 0.25 * size * n.scale;
  const f: Frame = {
    size,
    k,
    cx: size * (0.5 + n.dx),
    cy: size * (0.4 + n.dy),
    cos: Math.cos(n.roll),
    sin: Math.sin(n.roll),
  };
  const aa = 1 / k; // one pixel in face units
  const cov = (d: number) => clamp01(0.5 - d / aa);
  const img = new Float32Array(size * size * 3);

  // Background: a linear gradient at a random angle, in image space.
  const ca = Math.cos(n.bgAngle), sa = Math.sin(n.bgAngle);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const t = clamp01(0.5 + ((x / size - 0.5) * ca + (y / size - 0.5) * sa));
      const o = (y * size + x) * 3;
      img[o] = lerp(n.bgA[0], n.bgB[0], t);
      img[o + 1] = lerp(n.bgA[1], n.bgB[1], t);
      img[o + 2] = lerp(n.bgA[2], n.bgB[2], t);
    }
  }

  // Proportions: babies have a large cranium, a short lower face, round cheeks and big eyes.
  const crown = lerp(-2.0, -1.62 * p.headLength, g);
  const mouthY = lerp(0.84, 1.16 * p.headLength, g) + 0.05 * c.sag;
  const chin = mouthY + lerp(0.42, 0.6 * p.headLength, g) + 0.06 * c.sag;
  const headCy = (crown + chin) / 2, ry = (chin - crown) / 2;
  const rx = lerp(1.22, 1.0 * p.faceWidth, g);
  const taper = lerp(0.12, p.jaw, g) - 0.12 * c.sag;
  const yawHead = n.yaw * 0.08;
  const lx = Math.cos(n.lightAngle), ly = Math.sin(n.lightAngle);
  const light = (nu: number, nv: number) => {
    const nz = Math.sqrt(Math.max(0, 1 - nu * nu - nv * nv));
    return 1 + n.lightStrength * (nu * lx + nv * ly + 0.3 * nz - 0.3);
  };
  // Skin: babies pinker, old skin a little paler and yellower.
  const skin: Rgb = mixRgb(
    mixRgb(p.skin, [p.skin[0] + 10, p.skin[1] - 6, p.skin[2] + 2], 1 - g),
    [p.skin[0] * 0.97 + 6, p.skin[1] * 0.96 + 6, p.skin[2] * 0.88],
    c.texture,
  );
  const greyHair: Rgb = [205 + 30 * c.grey, 205 + 30 * c.grey, 208 + 30 * c.grey];
  const hair = mixRgb(p.hair, greyHair, c.grey * 0.85);
  const halfWidth = (v: number) => {
    const t = Math.max(0, (v - headCy) / ry);
    return rx * (1 - taper * t * t);
  };
  const headSd = (u: number, v: number) => {
    const du = u - yawHead, dv = v - headCy;
    return ellipseSd(du, dv, halfWidth(v), ry);
  };

  // Long hair behind the head.
  if (p.longHair && c.hairDensity > 0.5) {
    const hb = chin + 0.2;
    paint(img, f, -rx - 0.5, crown - 0.3, rx + 0.5, hb + 0.5, (u, v, px) => {
      const d = ellipseSd(u - yawHead, v - (crown + hb) / 2, rx + 0.32, (hb - crown) / 2 + 0.15);
      blend(px, hair, cov(d) * c.hairDensity * 0.95);
    });
  }
  // Clothes, neck and ears.
  const clothesTop = chin + 0.55;
  paint(img, f, -3, clothesTop - 0.2, 3, clothesTop + 3, (u, v, px) => {
    const d = ellipseSd(u - yawHead * 2, v - (clothesTop + 1.1), 2.3, 1.1);
    blend(px, n.clothes, cov(d));
  });
  const neckW = lerp(0.5, 0.52, g) * p.faceWidth;
  const neckSkin: Rgb = [skin[0] * 0.82, skin[1] * 0.8, skin[2] * 0.8];
  paint(img, f, -neckW - 0.1, headCy, neckW + 0.1, clothesTop + 0.6, (u, v, px) => {
    const d = Math.abs(u - yawHead) - neckW;
    blend(px, neckSkin, cov(d) * cov(v - clothesTop - 0.45));
  });
  for (const side of [-1, 1]) {
    const eu = side * halfWidth(0.25) * 0.98 + yawHead - n.yaw * 0.25 * side;
    paint(img, f, eu - 0.2, -0.1, eu + 0.2, 0.7, (u, v, px) => {
      const d = ellipseSd(u - eu, v - 0.28, 0.11, 0.26);
      blend(px, [skin[0] * 0.9, skin[1] * 0.86, skin[2] * 0.86], cov(d));
    });
  }
  // Head with shading and skin texture (rougher with age).
  const texAmp = 2 + 9 * c.texture;
  paint(img, f, -rx - 0.1, crown - 0.1, rx + 0.1, chin + 0.1, (u, v, px) => {
    const d = headSd(u, v);
    const a = cov(d);
    if (a <= 0) return;
    const nu = clamp01(Math.abs(u - yawHead) / rx) * Math.sign(u - yawHead) * 0.95;
    const nv = Math.max(-0.95, Math.min(0.95, (v - headCy) / ry));
    const s = light(nu, nv) *
      (1 + texAmp / 255 * (hash01(n.seed, Math.round(u * 200), Math.round(v * 200)) - 0.5) * 2);
    // Cheek blush in children.
    const blush = (1 - g) * 0.25 *
      Math.exp(-(((Math.abs(u) - 0.55) / 0.22) ** 2 + ((v - 0.55) / 0.2) ** 2));
    blend(px, [skin[0] * s + 20 * blush, skin[1] * s - 12 * blush, skin[2] * s - 6 * blush], a);
  });

  // Jowls and marionette lines in old age.
  if (c.sag > 0.05) {
    for (const side of [-1, 1]) {
      paint(
        img,
        f,
        side < 0 ? -1.2 : 0,
        mouthY - 0.05,
        side < 0 ? 0 : 1.2,
        chin + 0.1,
        (u, v, px) => {
          const su = u * side;
          if (su < 0) return;
          const mu = 0.42 * p.mouthWidth, t = (v - mouthY) / (chin - mouthY);
          const line = Math.abs(su - (mu + 0.05 + 0.06 * t));
          const amt = c.sag * 0.3 * Math.exp(-((line / 0.03) ** 2)) * clamp01(t * 3) *
            clamp01((1 - t) * 2);
          darken(px, amt * cov(headSd(u, v)));
        },
      );
    }
  }

  // Hair cap: above a hairline that recedes (temples first), density low in babies.
  const hy0 = lerp(-1.25, -0.92 + p.hairline, g) - 0.75 * c.recession;
  paint(img, f, -rx - 0.3, crown - 0.3, rx + 0.3, p.longHair ? chin : 0.4, (u, v, px) => {
    const du = u - yawHead;
    const d = ellipseSd(du, v - headCy + 0.06, rx + 0.1, ry + 0.1);
    let a = cov(d);
    if (a <= 0) return;
    const au = Math.abs(du) / rx;
    const temple = 0.32 * c.recession * Math.exp(-(((au - 0.55) / 0.2) ** 2));
    const line = hy0 - temple + 0.28 * au * au;
    const sideLimit = p.longHair ? 1.1 : -0.05;
    // Above the hairline, or at the sides (temples, long hair) down to the side limit.
    const side = smooth((au - 0.76) / 0.14);
    a *= Math.max(cov(v - line), side * cov(v - sideLimit));
    // A bald crown when the recession is advanced.
    if (c.recession > 0.55) a *= 1 - smooth((c.recession - 0.55) * 3) * (1 - smooth(au * 1.3));
    const strand = 1 + 0.12 * Math.sin(du * 70 + v * 9);
    const pepper = hash01(n.seed + 7, Math.round(u * 60), Math.round(v * 30));
    const col = mixRgb(p.hair, greyHair, c.grey * (0.55 + 0.45 * pepper));
    const s = light(clamp01(au) * Math.sign(du) * 0.9, -0.5) * strand;
    blend(px, [col[0] * s, col[1] * s, col[2] * s], a * c.hairDensity);
  });

  // Forehead lines.
  const browY = lerp(-0.4, -0.3, g) - 0.07 * n.browRaise;
  if (c.forehead > 0.02) {
    const fy = -n.yaw * 0.3;
    paint(img, f, -0.8, hy0 - 0.1, 0.8, browY - 0.05, (u, v, px) => {
      const uu = u + fy;
      const fade = clamp01(1 - Math.abs(uu) / 0.75) * cov(hy0 + 0.08 - v);
      let dark = 0;
      for (let i = 0; i < 4; i++) {
        const ly = browY - 0.17 - i * 0.11 * (1 + 0.3 * n.browRaise) + 0.08 * uu * uu;
        dark += Math.exp(-(((v - ly) / 0.016) ** 2));
      }
      darken(px, Math.min(1, dark) * c.forehead * 0.42 * fade);
    });
  }

  // Eyes, bags, crow's feet and brows.
  const eyeShift = -n.yaw * 0.3;
  const eyeRx = lerp(0.22, 0.19, g) * p.eyeSize;
  const eyeRy = eyeRx * 0.48 * n.eyeOpen * (1 - 0.15 * c.sag);
  const irisR = lerp(0.135, 0.09, g) * p.eyeSize;
  for (const side of [-1, 1]) {
    const ex = side * 0.5 + eyeShift;
    if (c.bags > 0.02) {
      paint(img, f, ex - 0.3, 0, ex + 0.3, 0.35, (u, v, px) => {
        const d = ellipseSd(u - ex, v - eyeRy - 0.07, eyeRx * 1.05, 0.08);
        const arc = Math.exp(-(((v - eyeRy - 0.12 - 0.15 * ((u - ex) / eyeRx) ** 2) / 0.018) ** 2));
        darken(px, c.bags * (0.22 * clamp01(-d / 0.04) + 0.25 * arc * clamp01(-d / 0.02 + 1)));
      });
    }
    if (c.crow > 0.02) {
      const ox = ex + side * (eyeRx + 0.04);
      paint(img, f, ox - 0.3, -0.25, ox + 0.3, 0.25, (u, v, px) => {
        const du = (u - ox) * side, dv = v;
        const r = Math.sqrt(du * du + dv * dv);
        if (du < 0 || r < 0.03 || r > 0.24) return;
        const ang = Math.atan2(dv, du);
        let dark = 0;
        for (const a0 of [-0.5, -0.15, 0.2, 0.55]) {
          dark += Math.exp(-(((ang - a0) * r / 0.012) ** 2));
        }
        darken(px, Math.min(1, dark) * c.crow * 0.45 * (1 - r / 0.24));
      });
    }
    paint(img, f, ex - eyeRx - 0.05, -eyeRy - 0.05, ex + eyeRx + 0.05, eyeRy + 0.05, (u, v, px) => {
      const d = ellipseSd(u - ex, v, eyeRx, eyeRy);
      const a = cov(d);
      if (a <= 0) return;
      blend(px, [235, 232, 228], a);
      const di = Math.hypot(u - ex - n.yaw * 0.05, v) - irisR;
      blend(px, p.iris, cov(di) * a);
      blend(px, [12, 10, 10], cov(di + irisR * 0.55) * a);
      // Upper lid line.
      const lid = Math.abs(d) < 0.03 && v < 0 ? 0.7 : 0;
      blend(px, [40, 28, 24], lid * a);
    });
    const browLen = 0.3, bx = ex + side * 0.04;
    const browThick = lerp(0.025, 0.05 * p.browThickness, g);
    const browCol = mixRgb(p.hair, [190, 190, 190], c.grey * 0.7);
    paint(
      img,
      f,
      bx - browLen - 0.05,
      browY - 0.2,
      bx + browLen + 0.05,
      browY + 0.15,
      (u, v, px) => {
        const t = (u - bx) / browLen;
        const curve = browY + 0.07 * t * t - 0.03 - 0.02 * side * t;
        const d = Math.max(Math.abs(v - curve) - browThick * (1 - 0.4 * t * side), Math.abs(t) - 1);
        blend(px, browCol, cov(d * 0.7) * lerp(0.35, 0.85, g));
      },
    );
  }

  // Nose: shadow side of the ridge, nostrils, a soft shadow below.
  const noseY = mouthY * 0.5;
  const nx = -n.yaw * 0.55;
  const noseW = lerp(0.14, 0.2, g);
  paint(img, f, nx - 0.35, -0.1, nx + 0.35, noseY + 0.2, (u, v, px) => {
    const du = u - nx;
    const ridge = Math.exp(-(((du + 0.09 * Math.sign(lx + 1e-9)) / 0.035) ** 2)) *
      clamp01(v / noseY) * 0.12 * n.lightStrength * 3;
    darken(px, ridge);
    for (const s of [-1, 1]) {
      const d = ellipseSd(du - s * noseW * 0.55, v - noseY, 0.055 * lerp(0.7, 1, g), 0.028);
      darken(px, cov(d) * 0.55);
    }
    const wing = ellipseSd(du, v - noseY + 0.03, noseW, 0.09);
    darken(px, 0.12 * Math.exp(-((wing / 0.025) ** 2)));
  });

  // Nasolabial folds: deepen steadily from the twenties.
  if (c.nasolabial > 0.02) {
    for (const side of [-1, 1]) {
      const u0 = nx * 0.7 + side * (noseW - 0.05), u1 = nx * 0.7 + side * (noseW + 0.4);
      paint(img, f, Math.min(u0, u1), noseY - 0.1, Math.max(u0, u1), mouthY + 0.3, (u, v, px) => {
        const t = (v - noseY) / (mouthY + 0.2 - noseY);
        if (t < 0 || t > 1) return;
        const curve = nx * 0.7 + side * (noseW + 0.08 + 0.18 * Math.sin(t * Math.PI * 0.6));
        const d = Math.abs(u - curve);
        darken(px, c.nasolabial * 0.4 * Math.exp(-((d / 0.025) ** 2)) * Math.sin(t * Math.PI));
      });
    }
  }

  // Mouth: lips thin with age, corners rise with a smile and fall with sag.
  const mw = lerp(0.26, 0.34 * p.mouthWidth, g) * (1 + 0.12 * n.smile);
  const mx = -n.yaw * 0.3;
  const lipT = lerp(0.05, 0.065 * p.lipThickness, g) * (1 - 0.4 * c.texture);
  const open = n.mouthOpen * 0.09;
  const lipCol: Rgb = [skin[0] * 0.86 + 18, skin[1] * 0.62, skin[2] * 0.64];
  paint(img, f, mx - mw - 0.05, mouthY - 0.25, mx + mw + 0.05, mouthY + 0.3, (u, v, px) => {
    const t = (u - mx) / mw;
    if (Math.abs(t) > 1.05) return;
    const w = Math.sqrt(Math.max(0, 1 - t * t));
    const line = mouthY - (0.09 * n.smile - 0.06 * c.sag) * t * t;
    const upper = cov(Math.max(line - lipT * 0.8 * w - open / 2 - v, v - line + open / 2));
    const lower = cov(Math.max(line + open / 2 - v, v - line - open / 2 - lipT * w));
    blend(px, lipCol, Math.max(upper, lower) * cov(Math.abs(t) - 1));
    if (open > 0) {
      const inner = cov(Math.abs(v - line) - open / 2 * w);
      blend(px, [40, 16, 18], inner * cov(Math.abs(t) - 0.95));
    }
    const crease = Math.exp(-(((v - line) / 0.012) ** 2)) * w;
    darken(px, 0.35 * crease);
  });

  // Age spots on cheeks and forehead.
  if (c.spots > 0.05) {
    const rng = createRng(mixSeed(n.seed, 0x5907));
    const count = Math.floor(c.spots * 9);
    for (let i = 0; i < count; i++) {
      const su = uniform(rng, -0.85, 0.85), sv = uniform(rng, -0.8, 1.1);
      const r = uniform(rng, 0.02, 0.045);
      if (Math.abs(sv) < 0.15 && Math.abs(Math.abs(su) - 0.5) < 0.25) continue;
      paint(img, f, su - r - 0.02, sv - r - 0.02, su + r + 0.02, sv + r + 0.02, (u, v, px) => {
        const d = Math.hypot(u - su, v - sv) - r;
        darken(px, 0.25 * cov(d * 0.5) * cov(headSd(u, v)));
      });
    }
  }

  // Light colour, brightness and sensor noise, then bytes.
  const out = new Uint8Array(size * size * 3);
  const scale = 2 * n.noise / 4294967296;
  let state = (n.seed | 0) || 1;
  for (let o = 0; o < out.length; o++) {
    // Two xorshift32 draws: a triangular noise of half-width 2·noise.
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    const r1 = state >>> 0;
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    const z = (r1 + (state >>> 0) - 4294967296) * scale;
    const val = img[o] * n.brightness * n.tint[o % 3] + z;
    out[o] = val < 0 ? 0 : val > 255 ? 255 : val + 0.5;
  }
  return out;
}

/** Version of the drawing code; part of every cache key, bumped when the pictures change. */
export const SYNTHETIC_VERSION = 3;

/** Options of {@link writeSynthetic}. */
export interface WriteOptions extends SyntheticOptions {
  /** Side of the images in pixels (default 128). */
  size?: number;
  /** JPEG quality (default 92). */
  quality?: number;
  /** Progress lines. */
  log?: (line: string) => void;
}

/** What {@link writeSynthetic} leaves in `manifest.json`. */
export interface SyntheticManifest {
  version: number;
  preset: SyntheticPreset;
  count: number;
  seed: number;
  size: number;
  quality: number;
  /** Folder of the images, relative to the output folder. */
  images: string;
  /** Morph-style label file (subject ids), relative to the output folder. */
  labels: string;
}

/** The manifest `writeSynthetic` would write for these options (defaults filled in). */
export function syntheticManifest(options: WriteOptions): SyntheticManifest {
  const preset = PRESETS[options.preset];
  if (!preset) throw new DataError(`unknown synthetic preset "${options.preset}"`);
  return {
    version: SYNTHETIC_VERSION,
    preset: options.preset,
    count: options.count ?? preset.count,
    seed: options.seed ?? 0,
    size: options.size ?? 128,
    quality: options.quality ?? 92,
    images: "images",
    labels: "labels.csv",
  };
}

/** Encodes RGB bytes as a JPEG (deterministic for a given libvips). */
export async function encodeJpeg(rgb: Uint8Array, size: number, quality = 92): Promise<Uint8Array> {
  const { default: sharp } = await import("sharp");
  const buf = await sharp(rgb, { raw: { width: size, height: size, channels: 3 } })
    .jpeg({ quality, chromaSubsampling: "4:4:4" })
    .toBuffer();
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

/**
 * Writes a synthetic dataset into `dir` atomically (the folder appears whole or not at all):
 * `images/<age>_<gender>_<race>_<id>.jpg.chip.jpg` (UTKFace's naming, the age being the label),
 * `labels.csv` (one row per image: file, subject, label age, gender, true age) and
 * `manifest.json`. Returns the records.
 */
export async function writeSynthetic(
  dir: string,
  options: WriteOptions,
): Promise<SyntheticRecord[]> {
  const m = syntheticManifest(options);
  const log = options.log ?? (() => {});
  const records = planSynthetic({ preset: m.preset, count: m.count, seed: m.seed });
  const { replaceDirAtomic } = await import("../fsutil.ts");
  await replaceDirAtomic(dir, async (tmp) => {
    await Deno.mkdir(`${tmp}/${m.images}`, { recursive: true });
    const inFlight = new Set<Promise<void>>();
    const t0 = performance.now();
    for (let i = 0; i < records.length; i++) {
      const r = records[i];
      const rgb = renderFace(r.spec, m.size);
      const job = encodeJpeg(rgb, m.size, m.quality).then((bytes) =>
        Deno.writeFile(`${tmp}/${m.images}/${r.file}`, bytes)
      ).finally(() => inFlight.delete(job));
      inFlight.add(job);
      if (inFlight.size >= 8) await Promise.race(inFlight);
      if ((i + 1) % 1000 === 0 || i + 1 === records.length) {
        log(
          `synthetic ${m.preset}: ${i + 1}/${records.length} images (${
            ((performance.now() - t0) / 1000).toFixed(1)
          } s)`,
        );
      }
    }
    await Promise.all(inFlight);
    const rows = ["photo,id_num,age,gender,true_age"];
    for (const r of records) {
      rows.push(`${m.images}/${r.file},${r.subject},${r.age},${r.female ? "F" : "M"},${r.trueAge}`);
    }
    await Deno.writeTextFile(`${tmp}/${m.labels}`, rows.join("\n") + "\n");
    await Deno.writeTextFile(`${tmp}/manifest.json`, JSON.stringify(m, null, 2) + "\n");
  });
  return records;
}
