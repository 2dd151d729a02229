/**
 * `deno task baseline [--crop=landmarks|whole] [--size=N] [--limit=N]`: the off-the-shelf
 * `@vladmandic/face-api` age model on the UTKFace test split (`CEN_UTKFACE_DIR`, the committed
 * split file), printing one JSON line with MAE and CA(3, 5, 7); a run over the whole split also
 * saves them under `results/baselines/` for 07-summary.
 */
import type { FaceApiCrop } from "../lib/baselines/faceapi_age.ts";
import {
  faceApiAgeOnSplit,
  saveFaceApiScores,
  type SplitRunOptions,
} from "../lib/baselines/faceapi_utkface.ts";

/** The command line (see the module note); returns the exit code. */
async function main(args: string[]): Promise<number> {
  const folder = Deno.env.get("CEN_UTKFACE_DIR");
  if (!folder) {
    console.error("set CEN_UTKFACE_DIR to the UTKFace part 1 folder");
    return 2;
  }
  const opts: SplitRunOptions = {};
  for (const arg of args) {
    const m = arg.match(/^--(crop|size|limit)=(.+)$/);
    if (!m || (m[1] !== "crop" && !/^\d+$/.test(m[2]))) {
      console.error(`unexpected argument "${arg}" (--crop=whole|landmarks, --size=N, --limit=N)`);
      return 2;
    }
    if (m[1] === "crop") opts.crop = m[2] as FaceApiCrop;
    else opts[m[1] as "size" | "limit"] = Number(m[2]);
  }
  let last = 0;
  opts.onProgress = (done, total) => {
    if (Date.now() - last > 5000 || done === total) {
      last = Date.now();
      console.error(`face-api age: ${done}/${total}`);
    }
  };
  const r = await faceApiAgeOnSplit(folder, opts);
  if (opts.limit === undefined) { // the whole split: keep the scores for 07-summary
    console.error(`face-api age: scores saved to ${await saveFaceApiScores(r)}`);
  }
  const round = (x: number, d = 3) => Number(x.toFixed(d));
  console.log(JSON.stringify({
    crop: r.crop,
    size: r.size || "native",
    images: r.names.length,
    mae: round(r.mae),
    ca3: round(r.ca3, 1),
    ca5: round(r.ca5, 1),
    ca7: round(r.ca7, 1),
    seconds: round(r.seconds, 1),
    msPerImage: round((1000 * r.seconds) / r.names.length, 1),
  }));
  return 0;
}

Deno.exit(await main(Deno.args));
