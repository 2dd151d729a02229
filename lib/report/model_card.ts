/**
 * The model card of the shipped model (`model/README.md`), written from measured numbers only:
 * the runs it came from, the data, the pretraining curve, its scores on both targets beside
 * face-api's on the same files, and how far each goal is.
 *
 * @module
 */
import type { CenConfig } from "../config.ts";
import type { TargetEvaluation } from "../evaluate.ts";
import type { EpochLog } from "../train/run.ts";

/** Everything the card says, all of it measured. */
export interface ModelCardInfo {
  /** The fine-tuning run (its id is the config hash) and its config. */
  run: string;
  config: CenConfig;
  /** The pretraining run and its config and epoch log (held-out MAE per epoch). */
  pretrain?: {
    run: string;
    config: CenConfig;
    epochs: EpochLog[];
    trainImages: number;
    heldOut: number;
  };
  /** Training images of the fine-tuning run. */
  trainImages: number;
  evaluations: TargetEvaluation[];
  /** Whether the weights ship as float16, and each target's MAE with float32 and float16 weights. */
  quantization: {
    float16: boolean;
    maeFloat32: Record<string, number>;
    maeFloat16: Record<string, number>;
  };
  /** Size of `weights.bin` in bytes. */
  weightBytes: number;
  date: string;
}

/** The MAE goal of each target; face-api's score is set beside each. */
export const GOALS: Readonly<Record<string, { mae: number }>> = {
  utkface: { mae: 4.5 },
  aaf: { mae: 5.0 },
};

const NAMES: Record<string, string> = {
  utkface: "UTKFace part 1, committed test split",
  aaf: "All-Age-Faces, official val list",
};

const f = (x: number, d = 3) => x.toFixed(d);

/** One line per goal: met, or missed by how much. */
export function goalLines(evaluations: readonly TargetEvaluation[]): string[] {
  const out: string[] = [];
  for (const e of evaluations) {
    const g = GOALS[e.dataset];
    if (!g) continue;
    const gap = e.model.mae - g.mae;
    out.push(
      `- ${e.dataset}: MAE ${f(e.model.mae)} against the goal ≤ ${g.mae}: ` +
        (gap <= 0 ? "**met**" : `**missed by ${f(gap)} years**`),
    );
    if (e.faceApi) {
      const d = e.model.mae - e.faceApi.mae;
      out.push(
        `- ${e.dataset}: against face-api's ${f(e.faceApi.mae)} on the same images: ` +
          (d < 0 ? `**beaten by ${f(-d)} years**` : `**behind by ${f(d)} years**`),
      );
    }
  }
  return out;
}

/** What the datasets of the shipped model's runs are, in words. */
const DATA_WORDS: Record<string, string> = {
  "real-pretrain":
    "real faces (UTKFace's chips outside part 1 and AAF's official train list; no test image of either target)",
  "utkface+aaf":
    "both targets' training sets (UTKFace part 1's committed train split and AAF's train list)",
};

function describeData(dataset: string): string {
  return DATA_WORDS[dataset] ?? `\`${dataset}\``;
}

function schedule(c: CenConfig): string {
  const o = c.optim;
  return `${o.epochs} epochs of SGD at lr ${o.lr} (÷${
    1 / o.lrGamma
  } every ${o.lrStepEpochs} epochs), ` +
    `momentum ${o.momentum}, weight decay ${o.weightDecay}, batch ${o.batchSize}, seed ${c.seed}`;
}

/** Which weights ship, and why (the 0.05-year rule). */
export function quantizationLine(q: ModelCardInfo["quantization"]): string {
  const pairs = Object.keys(q.maeFloat32).map((d) =>
    `${d} ${f(q.maeFloat32[d])} → ${f(q.maeFloat16[d])}`
  ).join(", ");
  return q.float16
    ? `float16 (tfjs weight quantization), since it moves no MAE by 0.05 years or more (float32 → float16: ${pairs}); scores below are the float16 model's`
    : `float32, since float16 would move an MAE by 0.05 years or more (${pairs})`;
}

/**
 * Where a goal is missed: what the measurements say would help (the better head alone) and what the
 * paper had that this model lacks.
 */
export function gapLines(evaluations: readonly TargetEvaluation[]): string[] {
  const missed = evaluations.filter((e) => GOALS[e.dataset] && e.model.mae > GOALS[e.dataset].mae);
  if (missed.length === 0) return [];
  const heads = missed.map((e) =>
    `${e.dataset}: ŷ_ldl ${f(e.model.maeLdl)}, ŷ_reg ${f(e.model.maeReg)}, their average ŷ ${
      f(e.model.mae)
    }`
  ).join("; ");
  return [
    "## What would close the gap",
    "",
    `- The coupled average of Eq. 18 is held back by the regression head (${heads}).`,
    "- The paper's scale: pretraining on IMDB-WIKI's 0.5 M faces (here about 19,600), 224 px inputs",
    "  (here 96), ResNet18 (here ResNet10-Tiny), 160 epochs per stage: a GPU's worth of training.",
    "",
  ];
}

/** The card as Markdown. */
export function modelCard(info: ModelCardInfo): string {
  const c = info.config;
  const rows = info.evaluations.map((e) => {
    const m = e.model, fa = e.faceApi;
    const ours = `${f(m.mae)} | ${f(m.maeLdl)} | ${f(m.maeReg)} | ${f(m.ca3, 1)} | ${
      f(m.ca5, 1)
    } | ${f(m.ca7, 1)}`;
    const theirs = fa
      ? `${f(fa.mae)} | ${f(fa.ca3, 1)} | ${f(fa.ca5, 1)} | ${f(fa.ca7, 1)}`
      : "– | – | – | –";
    return `| ${NAMES[e.dataset] ?? e.dataset} | ${m.n} | ${ours} | ${theirs} |`;
  });
  const p = info.pretrain;
  const curve = p
    ? p.epochs.filter((e) => e.testMae !== undefined).map((e) => `${e.epoch}: ${f(e.testMae!, 2)}`)
      .join(", ")
    : "";
  return [
    "# The shipped age model (model card)",
    "",
    `Written by \`deno task ship\` on ${info.date} from the numbers it measured; do not edit by hand.`,
    "",
    "## What it is",
    "",
    `- CEN generation 1 (docs/method.md: Eq. 14 training, Eqs. 16–18 prediction: ŷ = (ŷ_ldl + ŷ_reg) / 2),`,
    `  ${c.backbone} at ${c.inputSize}×${c.inputSize} px, ages ${c.minAge}–${c.maxAge} (${
      c.maxAge - c.minAge + 1
    } classes).`,
    `- Faces must be framed like UTKFace's chips: \`deno task predict\` detects and aligns photos to`,
    "  that framing (the `crop` template in `model.json`) and uses small square chips whole.",
    `- Files: \`model.json\` + \`weights.bin\` (tfjs layers format, ${
      (info.weightBytes / 1e6).toFixed(2)
    } MB), \`source.json\` (the run's config and inputs), \`card.json\` (every number below).`,
    `- Weights: ${quantizationLine(info.quantization)}.`,
    "",
    "## Data and protocol",
    "",
    ...(p
      ? [
        `- Pretraining (Eq. 14), run \`${p.run}\`: ${p.trainImages} images of ${
          describeData(p.config.data.dataset)
        }, ${p.heldOut} more held out; ${schedule(p.config)}.`,
        `- Held-out MAE by epoch (the pretraining curve): ${curve}.`,
      ]
      : []),
    `- Fine-tuning, run \`${info.run}\` (config hash): ${info.trainImages} images of ${
      describeData(c.data.dataset)
    }; ${schedule(c)}; augmentation (random resized crop, flip): ${c.data.augment ? "yes" : "no"}.`,
    "",
    "## Scores on the test images of both targets",
    "",
    "MAE in years (ŷ, and each head), CA(n) in % (share of errors below n years). face-api: its",
    "age model on the same image files with its own detection and landmark crop (`deno task",
    "evaluate --face-api`); it was likely trained on UTKFace.",
    "",
    "| test set | images | MAE ŷ | MAE ŷ_ldl | MAE ŷ_reg | CA(3) | CA(5) | CA(7) | face-api MAE | CA(3) | CA(5) | CA(7) |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ...rows,
    "",
    "## Goals",
    "",
    ...goalLines(info.evaluations),
    "",
    ...gapLines(info.evaluations),
    "## Reproduce",
    "",
    "```sh",
    "npx deno task train --profile shipped   # pretraining, then fine-tuning (both resume if cut off)",
    `npx deno task ship --run ${info.run}     # export here, evaluate on both targets, write this card`,
    "```",
    "",
    "Data locations: `CEN_UTKFACE_DIR` (part 1), `CEN_UTKFACE_REST_DIR` (the other chips),",
    "`CEN_AAF_DIR` (data/README.md).",
    "",
  ].join("\n");
}
