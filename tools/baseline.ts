/**
 * `deno task baseline [--crop=landmarks|whole] [--size=N] [--limit=N]`: the off-the-shelf
 * `@vladmandic/face-api` age model on the UTKFace test split (`CEN_UTKFACE_DIR`, the committed
 * split file), printing one JSON line with MAE and CA(3, 5, 7); a run over the whole split also
 * saves them under `results/baselines/` for 07-summary.
 */
import { type CommandSpec, type OptionValues, runCli } from "../lib/cli.ts";
import { UsageError, UserError } from "../lib/errors.ts";
import {
  faceApiAgeOnSplit,
  saveFaceApiScores,
  type SplitRunOptions,
} from "../lib/baselines/faceapi_utkface.ts";

/** The command line of `deno task baseline`. */
export const BASELINE_CLI = {
  name: "baseline",
  usage: "deno task baseline [--crop whole|landmarks] [--size N] [--limit N]",
  summary: "face-api's age model on the UTKFace test split (CEN_UTKFACE_DIR): one JSON line with " +
    "MAE and CA(3, 5, 7); a run over the whole split also saves them for 07-summary.",
  options: {
    crop: {
      type: "string",
      choices: ["whole", "landmarks"],
      help: "what face-api sees: the whole chip or a landmark crop",
    },
    size: { type: "integer", help: "resize the input to N px (default: native)" },
    limit: { type: "integer", help: "only the first N test images" },
  },
} as const satisfies CommandSpec;

/** The command line (see the module note); returns the exit code. */
async function main({ options }: { options: OptionValues<typeof BASELINE_CLI> }): Promise<number> {
  const folder = Deno.env.get("CEN_UTKFACE_DIR");
  if (!folder) throw new UserError("set CEN_UTKFACE_DIR to the UTKFace part 1 folder");
  for (const n of ["size", "limit"] as const) {
    if (options[n] !== undefined && options[n]! < 1) throw new UsageError(`--${n} must be ≥ 1`);
  }
  const opts: SplitRunOptions = { crop: options.crop, size: options.size, limit: options.limit };
  let last = 0;
  opts.onProgress = (done, total) => {
    if (Date.now() - last > 5000 || done === total) {
      last = Date.now();
      console.error(`face-api age: ${done}/${total}`);
    }
  };
  const r = await faceApiAgeOnSplit(folder, opts);
  if (opts.limit === undefined) { // the whole split: keep the scores for 07-summary
    console.error(`face-api age: scores saved to ${await saveFaceApiScores(r, folder)}`);
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

if (import.meta.main) await runCli(BASELINE_CLI, main);
