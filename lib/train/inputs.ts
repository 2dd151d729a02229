/**
 * What a run depends on besides its config: the images it trains and tests on, the pretrained
 * weights it starts from, and the version of the trainer. The config hash names the run; these
 * inputs are recorded beside it (`inputs.json`, and in each shared generation's index entry) and
 * checked before anything is reused, so a run is never served for other data or other weights.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { basename, join } from "node:path";
import { canonicalJson, type CenConfig } from "../config.ts";
import type { SampleSource } from "../data/types.ts";
import { NotFoundError } from "../errors.ts";
import { exists, readJsonIfExists, writeJsonAtomic } from "../fsutil.ts";
import { DEFAULT_RECORDS_ROOT, readRecord } from "./record.ts";
import { DEFAULT_RUNS_ROOT, runDirOf, type RunInputs, type RunPaths } from "./run.ts";

/**
 * Version of what training computes from a config and its inputs; bump it when a change to the
 * trainer changes the numbers a run produces, so that runs made before are not reused.
 */
export const TRAINER_VERSION = 1;

export type { RunInputs } from "./run.ts";

function sha(text: string | Uint8Array): string {
  return createHash("sha256").update(text).digest("hex").slice(0, 16);
}

/** A source's fingerprint; an in-memory source without one is identified by name and ages. */
export function sourceFingerprint(source: SampleSource): string {
  return source.fingerprint ??
    sha(canonicalJson({ name: source.name, size: source.imageSize, ages: [...source.ages] }));
}

/**
 * The identity of the pretraining `ref` (a run id or folder, or a bare model folder): its id and
 * the digest of its recorded inputs, from its run folder or, without one, from its record.
 */
export async function pretrainedIdentity(
  ref: string,
  runsRoot = DEFAULT_RUNS_ROOT,
  recordsRoot: string | null = DEFAULT_RECORDS_ROOT,
): Promise<string> {
  if (await exists(join(ref, "model.json"))) {
    return `weights:${sha(await Deno.readFile(join(ref, "weights.bin")))}`;
  }
  const dir = await runDirOf(ref, runsRoot);
  const id = basename(dir);
  const local = await readJsonIfExists<RunInputs>(join(dir, "inputs.json"));
  const recorded = local ? undefined : recordsRoot ? await readRecord(recordsRoot, id) : undefined;
  const inputs = local ?? recorded?.inputs;
  if (!inputs) {
    throw new NotFoundError(
      `pretrained run "${ref}" was not found (no ${join(dir, "inputs.json")}` +
        (recordsRoot ? `, no record in ${recordsRoot}` : "") + "): train it first",
    );
  }
  return `${id}:${inputsDigest(inputs)}`;
}

/** The inputs of a run of `config` on `train` / `test`. */
export async function runInputs(
  config: CenConfig,
  train: SampleSource,
  test: SampleSource,
  runsRoot?: string,
  recordsRoot?: string | null,
): Promise<RunInputs> {
  const pretrained = config.pretrained
    ? await pretrainedIdentity(config.pretrained, runsRoot, recordsRoot)
    : null;
  return {
    trainer: TRAINER_VERSION,
    train: sourceFingerprint(train),
    test: sourceFingerprint(test),
    pretrained,
  };
}

/** One string for a set of inputs (compared before a generation is reused). */
export function inputsDigest(inputs: RunInputs): string {
  return sha(canonicalJson(inputs));
}

/** `inputs.json` of a run directory. */
export function inputsPath(paths: RunPaths): string {
  return join(paths.dir, "inputs.json");
}

/**
 * Makes the run directory hold a run of `inputs`. A directory left by other inputs (other images,
 * other pretrained weights, an older trainer, or a version that recorded none) is moved whole to
 * `<runs root>/_stale/<id>-<n>`, never deleted, and the run starts afresh. Returns the folder it
 * was moved to, if any.
 */
export async function claimRunDir(
  paths: RunPaths,
  inputs: RunInputs,
  log: (line: string) => void,
): Promise<string | undefined> {
  let moved: string | undefined;
  const recorded = await readJsonIfExists<RunInputs>(inputsPath(paths));
  const used = await exists(paths.dir) && (await Array.fromAsync(Deno.readDir(paths.dir))).length;
  if (used && canonicalJson(recorded ?? null) !== canonicalJson(inputs)) {
    const stale = join(paths.dir, "..", "_stale");
    await Deno.mkdir(stale, { recursive: true });
    let n = 1;
    while (await exists(join(stale, `${paths.id}-${n}`))) n++;
    moved = join(stale, `${paths.id}-${n}`);
    await Deno.rename(paths.dir, moved);
    log(
      `run ${paths.id}: its folder was made from other inputs (${
        describeChange(recorded, inputs)
      }); ` +
        `moved to ${moved}, training afresh`,
    );
  }
  await Deno.mkdir(paths.dir, { recursive: true });
  await writeJsonAtomic(inputsPath(paths), inputs);
  return moved;
}

/** Which inputs differ, in words. */
function describeChange(old: RunInputs | undefined, now: RunInputs): string {
  if (!old) return "none recorded";
  const fields = (Object.keys(now) as (keyof RunInputs)[]).filter((k) => old[k] !== now[k]);
  const words: Record<keyof RunInputs, string> = {
    trainer: "trainer version",
    train: "training images",
    test: "test images",
    pretrained: "pretrained weights",
  };
  return fields.map((k) => words[k]).join(", ") + " changed";
}
