import { assert, assertEquals, assertGreater, assertRejects, assertThrows } from "@std/assert";
import { join } from "node:path";
import { loadMorph } from "../../lib/data/adapters/morph.ts";
import { loadUtkface, parseUtkfaceName } from "../../lib/data/adapters/utkface.ts";
import {
  ageCues,
  makeIdentity,
  planSynthetic,
  renderFace,
  writeSynthetic,
} from "../../lib/data/synthetic.ts";
import { DataError } from "../../lib/errors.ts";

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

Deno.test("planSynthetic: target preset has clean labels in 16–77, several images per subject", () => {
  const recs = planSynthetic({ preset: "synthetic-target", count: 300, seed: 4 });
  assertEquals(recs.length, 300);
  for (const r of recs) {
    assert(r.age >= 16 && r.age <= 77, `age ${r.age}`);
    assertEquals(r.age, r.trueAge);
    assertEquals(parseUtkfaceName(r.file), { age: r.age, problems: [] });
  }
  const perSubject = new Map<string, number>();
  for (const r of recs) perSubject.set(r.subject, (perSubject.get(r.subject) ?? 0) + 1);
  assert(perSubject.size < 150, `${perSubject.size} subjects for 300 images`);
  // Images of one subject are at different ages.
  const s0 = recs.filter((r) => r.subject === recs[0].subject).map((r) => r.spec.age);
  assertEquals(new Set(s0).size, s0.length);
  assertEquals(new Set(recs.map((r) => r.file)).size, 300);
});

Deno.test("planSynthetic: pretrain preset spans 0–100 with noisy labels", () => {
  const recs = planSynthetic({ preset: "synthetic-pretrain", count: 2000, seed: 1 });
  const ages = recs.map((r) => r.trueAge);
  assert(Math.min(...ages) <= 3 && Math.max(...ages) >= 97);
  assert(recs.every((r) => r.age >= 0 && r.age <= 100));
  const wrong = recs.filter((r) => r.age !== r.trueAge).length;
  assert(wrong > 0.5 * recs.length, `${wrong} noisy labels of ${recs.length}`);
  const gross = recs.filter((r) => Math.abs(r.age - r.trueAge) >= 10).length;
  assert(gross > 0.02 * recs.length && gross < 0.2 * recs.length, `${gross} gross errors`);
});

Deno.test("planSynthetic / renderFace: deterministic under the seed", () => {
  const a = planSynthetic({ preset: "synthetic-target", count: 5, seed: 9 });
  const b = planSynthetic({ preset: "synthetic-target", count: 5, seed: 9 });
  assertEquals(a, b);
  assert(sameBytes(renderFace(a[0].spec, 48), renderFace(b[0].spec, 48)));
  const c = planSynthetic({ preset: "synthetic-target", count: 5, seed: 10 });
  assert(!sameBytes(renderFace(c[0].spec, 48), renderFace(a[0].spec, 48)));
  assertEquals(renderFace(a[0].spec, 48).length, 48 * 48 * 3);
});

/** Mean absolute pixel change of the same faces (same nuisance) from age `a` to `a + 5`. */
function change(a: number): number {
  const recs = planSynthetic({ preset: "synthetic-pretrain", count: 40, seed: 1 });
  let s = 0;
  for (const r of recs) {
    const x = renderFace({ ...r.spec, age: a }, 32), y = renderFace({ ...r.spec, age: a + 5 }, 32);
    for (let i = 0; i < x.length; i++) s += Math.abs(x[i] - y[i]);
  }
  return s / (recs.length * 32 * 32 * 3);
}

Deno.test("renderFace: fast change in childhood and old age, slow in middle age (Figure 1a)", () => {
  const child = change(2), middle = change(25), old = change(60);
  assertGreater(child, 3 * middle);
  assertGreater(old, 3 * middle);
  assertGreater(middle, 0);
});

Deno.test("ageCues: growth by hand, adult cues monotone", () => {
  const p = makeIdentity(1, 0);
  assertEquals(ageCues(p, 0).growth, 0);
  assertEquals(ageCues(p, 10).growth, 1 - Math.exp(-10 / p.growthTau));
  assertEquals(ageCues(p, 19).forehead, 0);
  for (let a = 0; a < 100; a += 5) {
    const x = ageCues(p, a), y = ageCues(p, a + 5);
    for (const k of ["growth", "forehead", "crow", "grey", "bags", "sag", "texture"] as const) {
      assert(y[k] >= x[k], `${k} at ${a}`);
    }
  }
});

Deno.test("renderFace: an identity looks different at 20 and at 75", () => {
  const [r] = planSynthetic({ preset: "synthetic-target", count: 1, seed: 2 });
  const young = renderFace({ ...r.spec, age: 20 }, 64);
  const old = renderFace({ ...r.spec, age: 75 }, 64);
  let diff = 0;
  for (let i = 0; i < young.length; i++) diff += Math.abs(young[i] - old[i]);
  assertGreater(diff / young.length, 2);
});

Deno.test("writeSynthetic: same bytes twice, readable by the Morph and UTKFace adapters", async () => {
  const root = await Deno.makeTempDir();
  try {
    const opts = { preset: "synthetic-target" as const, count: 24, seed: 3, size: 32 };
    const recs = await writeSynthetic(join(root, "a"), opts);
    await writeSynthetic(join(root, "b"), opts);
    for (const r of recs) {
      const a = await Deno.readFile(join(root, "a", "images", r.file));
      assert(sameBytes(await Deno.readFile(join(root, "b", "images", r.file)), a));
      assertEquals([a[0], a[1]], [0xff, 0xd8]); // a JPEG
    }
    const morph = await loadMorph(join(root, "a"), { split: "none" });
    assertEquals(morph.skipped, []);
    assertEquals(morph.samples.length, 24);
    const byPath = new Map(recs.map((r) => [join(root, "a", "images", r.file), r]));
    for (const s of morph.samples) {
      assertEquals(s.age, byPath.get(s.path)!.age);
      assertEquals(s.subject, byPath.get(s.path)!.subject);
    }
    const utk = await loadUtkface(join(root, "a"));
    assertEquals(utk.samples.length, 24);
    assertEquals(utk.warnings, []);
    const manifest = JSON.parse(await Deno.readTextFile(join(root, "a", "manifest.json")));
    assertEquals(manifest.count, 24);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("synthetic: bad options are DataErrors", async () => {
  assertThrows(() => planSynthetic({ preset: "synthetic-target", count: 0 }), DataError, "count");
  assertThrows(
    // deno-lint-ignore no-explicit-any
    () => planSynthetic({ preset: "nope" as any }),
    DataError,
    "unknown synthetic preset",
  );
  const [r] = planSynthetic({ preset: "synthetic-target", count: 1 });
  assertThrows(() => renderFace(r.spec, 8), DataError, "size");
  const root = await Deno.makeTempDir();
  try {
    await assertRejects(
      // deno-lint-ignore no-explicit-any
      () => writeSynthetic(join(root, "x"), { preset: "bad" as any }),
      DataError,
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
