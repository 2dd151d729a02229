/**
 * `deno run -A tools/template.ts <folder of aligned chips> [--every N]`: where face-api's five
 * points fall in a dataset's own aligned chips, as fractions of the side (the mean over every
 * N-th image by name, default 40, whose face is found once the chip is framed by black). This is
 * how `UTKFACE_CHIP_TEMPLATE` in lib/data/align.ts was measured.
 */
import { type CommandSpec, runCli } from "../lib/cli.ts";
import { initBackend } from "../lib/backend/mod.ts";
import { loadFaceDetector } from "../lib/data/align.ts";
import { decodeImage } from "../lib/data/decode.ts";
import { UsageError } from "../lib/errors.ts";
import { listImages } from "../lib/inference.ts";

/** The command line of tools/template.ts. */
export const TEMPLATE_CLI = {
  name: "template",
  usage: "deno run -A tools/template.ts <folder of aligned chips> [--every N]",
  summary: "Where face-api's five points fall in a dataset's own aligned chips (fractions of " +
    "the side), as one JSON line.",
  options: { every: { type: "integer", help: "use every N-th image by name (default 40)" } },
  positionals: [1, 1],
} as const satisfies CommandSpec;

if (import.meta.main) {
  await runCli(TEMPLATE_CLI, async ({ options, positionals }) => {
    const every = options.every ?? 40;
    if (every < 1) throw new UsageError("--every must be ≥ 1");
    await initBackend();
    const files = (await listImages(positionals[0])).filter((_, i) => i % every === 0);
    const detector = await loadFaceDetector();
    const sums = Array.from({ length: 5 }, () => ({ x: 0, y: 0 }));
    let found = 0;
    for (const file of files) {
      const img = await decodeImage(file);
      if (!img.ok || img.width !== img.height) continue;
      const side = img.width, pad = side >> 1, framed = side + 2 * pad;
      const rgb = new Uint8Array(framed * framed * 3);
      for (let y = 0; y < side; y++) {
        rgb.set(
          img.data.subarray(y * side * 3, (y + 1) * side * 3),
          ((y + pad) * framed + pad) * 3,
        );
      }
      const faces = await detector.detect(rgb, framed, framed);
      if (faces.length === 0) continue;
      faces[0].five.forEach((p, i) => {
        sums[i].x += (p.x - pad) / side;
        sums[i].y += (p.y - pad) / side;
      });
      found++;
    }
    detector.dispose();
    const mean = sums.map((s) => ({ x: +(s.x / found).toFixed(3), y: +(s.y / found).toFixed(3) }));
    console.log(JSON.stringify({ images: files.length, found, template: mean }));
  });
}
