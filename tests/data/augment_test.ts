import { assert, assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import { applyAugment, sampleAugment } from "../../lib/data/augment.ts";
import { DataError } from "../../lib/errors.ts";
import { createRng } from "../../lib/rng.ts";

function ramp(size: number): Uint8Array {
  return Uint8Array.from({ length: size * size * 3 }, (_, i) => (i * 7) % 256);
}

Deno.test("applyAugment: the whole window without flip is the identity", () => {
  const src = ramp(9);
  const out = applyAugment(src, 9, { x: 0, y: 0, w: 9, h: 9, flip: false });
  assertEquals(out, src);
});

Deno.test("applyAugment: flip alone mirrors each row", () => {
  const size = 5, src = ramp(size);
  const out = applyAugment(src, size, { x: 0, y: 0, w: size, h: size, flip: true });
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      for (let c = 0; c < 3; c++) {
        assertEquals(out[(y * size + x) * 3 + c], src[(y * size + size - 1 - x) * 3 + c]);
      }
    }
  }
});

Deno.test("applyAugment: bilinear value by hand", () => {
  // 2×2 image, one output pixel at the centre: the mean of the four pixels (per channel).
  const src = new Uint8Array([10, 0, 0, 20, 0, 0, 30, 0, 0, 41, 0, 255]);
  const out = applyAugment(src, 2, { x: 0, y: 0, w: 2, h: 2, flip: false }, 1);
  assertEquals(Array.from(out), [25, 0, 64]); // 101/4 = 25.25, 255/4 = 63.75 → rounded
  // A half-pixel window shift: x = 0.5 samples between columns 0 and 1 of row 0 for output (0,0).
  const shifted = applyAugment(src, 2, { x: 0.5, y: 0, w: 1, h: 1, flip: false }, 1);
  // fx = 0.5 + 0.5·1 − 0.5 = 0.5, fy = 0: (10 + 20)/2 = 15.
  assertEquals(shifted[0], 15);
});

Deno.test("sampleAugment: the paper's ranges (scale 0.8–1, ratio 0.8–1.25, flip 0.5), seeded", () => {
  const size = 64, rng = createRng(3);
  let flips = 0;
  const n = 4000;
  for (let i = 0; i < n; i++) {
    const p = sampleAugment(rng, size);
    const scale = (p.w * p.h) / (size * size), ratio = p.w / p.h;
    assert(scale >= 0.8 - 1e-9 && scale <= 1 + 1e-9, `scale ${scale}`);
    assert(ratio >= 0.8 - 1e-9 && ratio <= 1.25 + 1e-9, `ratio ${ratio}`);
    assert(p.x >= 0 && p.y >= 0 && p.x + p.w <= size + 1e-9 && p.y + p.h <= size + 1e-9);
    if (p.flip) flips++;
  }
  assertAlmostEquals(flips / n, 0.5, 0.03);
  const a = sampleAugment(createRng(11), size), b = sampleAugment(createRng(11), size);
  assertEquals(a, b);
});

Deno.test("applyAugment: wrong buffer sizes are DataErrors", () => {
  const p = { x: 0, y: 0, w: 4, h: 4, flip: false };
  assertThrows(() => applyAugment(new Uint8Array(10), 4, p), DataError, "want 4×4×3");
  assertThrows(
    () => applyAugment(new Uint8Array(48), 4, p, 4, new Uint8Array(3)),
    DataError,
    "output",
  );
});
