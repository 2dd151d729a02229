/**
 * web/estimate.ts, the page's age estimation without the browser: run in Deno with the library's
 * detector on the same decoded images, it gives `deno task predict`'s faces, paths and ages
 * (`predictFiles`) for every path predict takes — a photo with three faces, a chip, a tight crop
 * found once framed, a thumbnail used whole, a photo larger than its 2,048 px working size (both
 * decode it to that size) — and refuses a large photo with no face as predict
 * skips it. What is left to the browser (decoding, the wasm backend, the page's own resampling of
 * the detector's copy) is tested by tests/web/page_test.ts.
 */
import { assert, assertEquals } from "@std/assert";
import { initBackend } from "../../lib/backend/mod.ts";
import { loadFaceDetector } from "../../lib/data/align.ts";
import { decodeImage } from "../../lib/data/decode.ts";
import { WORKING_SIDE } from "../../lib/data/limits.ts";
import { loadAgeModel, predictFiles } from "../../lib/inference.ts";
import { estimateAges } from "../../web/estimate.ts";
import { inputs, SAMPLE, testModel } from "../helpers/web.ts";

Deno.test("the page's estimate equals deno task predict's on each of its paths", async () => {
  await initBackend();
  const dir = await Deno.makeTempDir({ prefix: "cen-estimate-" });
  const detector = await loadFaceDetector();
  try {
    const files = await inputs(dir);
    const m = await loadAgeModel((await testModel(dir)).modelDir);
    for (const file of [SAMPLE, files.chip, files.tight, files.tiny, files.large]) {
      // The page decodes a photo to its working size as predict does (lib/data/limits.ts).
      const img = await decodeImage(file, { maxSide: WORKING_SIDE });
      if (!img.ok) throw new Error(img.detail);
      const est = await estimateAges(img, detector, m);
      const ref = await predictFiles([file], m, { detector });
      assert(est.ok, `${file}: no face`);
      assertEquals(
        est.faces.map((f) => [f.face, f.source]),
        ref.rows.map((r) => [r.face, r.source]),
      );
      est.faces.forEach((f, i) => {
        // Chips are made square by lib/data/resample.ts rather than sharp: a fraction of a level.
        const tolerance = f.source === "chip" ? 0.05 : 1e-4;
        const d = Math.abs(f.age - ref.rows[i].age);
        assert(d <= tolerance, `${file} face ${i}: ${f.age} vs ${ref.rows[i].age}`);
      });
    }
    const wall = await decodeImage(files.noFace);
    if (!wall.ok) throw new Error(wall.detail);
    const none = await estimateAges(wall, detector, m);
    assertEquals(none.ok, false);
    m.model.dispose();
  } finally {
    detector.dispose();
    await Deno.remove(dir, { recursive: true });
  }
});
