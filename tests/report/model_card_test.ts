import { assert, assertEquals } from "@std/assert";
import { makeConfig } from "../../lib/config.ts";
import type { TargetEvaluation } from "../../lib/evaluate.ts";
import { goalLines, modelCard, quantizationLine } from "../../lib/report/model_card.ts";

const metrics = (mae: number) => ({
  mae,
  maeLdl: mae + 0.1,
  maeReg: mae + 0.2,
  ca3: 40,
  ca5: 60,
  ca7: 75,
  n: 100,
});
const plain = (mae: number) => ({ images: 100, mae, ca3: 30, ca5: 50, ca7: 70, failed: 0 });
const evals: TargetEvaluation[] = [
  { dataset: "utkface", model: metrics(4.4), faceApi: plain(4.2) },
  { dataset: "aaf", model: metrics(5.25), faceApi: plain(8.1) },
];

Deno.test("model card: each goal met or missed by how much, face-api beaten or not", () => {
  assertEquals(goalLines(evals), [
    "- utkface: MAE 4.400 against the goal ≤ 4.5: **met**",
    "- utkface: against face-api's 4.200 on the same images: **behind by 0.200 years**",
    "- aaf: MAE 5.250 against the goal ≤ 5: **missed by 0.250 years**",
    "- aaf: against face-api's 8.100 on the same images: **beaten by 2.850 years**",
  ]);
});

Deno.test("model card: the weights line follows the 0.05-year rule; the card quotes every score", () => {
  const q = { float16: true, maeFloat32: { utkface: 4.4 }, maeFloat16: { utkface: 4.41 } };
  assert(quantizationLine(q).startsWith("float16"));
  assert(quantizationLine({ ...q, float16: false }).startsWith("float32"));
  const card = modelCard({
    run: "abc123",
    config: makeConfig({
      backbone: "resnet10-tiny",
      inputSize: 96,
      data: { dataset: "utkface+aaf" },
    }),
    trainImages: 11969,
    evaluations: evals,
    quantization: q,
    weightBytes: 2_500_000,
    date: "2026-11-29",
  });
  for (
    const s of ["abc123", "11969", "| 4.400 | 4.500 | 4.600 |", "8.100", "2.50 MB", "both targets"]
  ) {
    assert(card.includes(s), s);
  }
});
