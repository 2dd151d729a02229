/**
 * Convolutions (forward, input and filter gradients) and matrix products in bfloat16 on oneDNN
 * against tfjs `cpu` in float32, with bfloat16's tolerance: 8 bits of mantissa give each input
 * a relative rounding error up to 2⁻⁹, so sums of products land within about 1e-2 of the float32
 * result relative to its largest value (the bound here is 2e-2; float32 kernels stay within
 * 1e-4). Training a small ResNet in bfloat16 follows float32's loss curve. The
 * tests skip, with the reason recorded, where the CPU or oneDNN has no bfloat16. The detection,
 * the fallback to float32 and the refusal of a bf16 training run where it cannot run are tested
 * everywhere.
 */
import * as tf from "@tensorflow/tfjs-core";
import { assert, assertEquals, assertLessOrEqual, assertRejects } from "@std/assert";
import {
  bf16Unavailable,
  currentPrecision,
  setPrecision,
  withTrainingPrecision,
} from "../../lib/backend/mod.ts";
import { bf16Reason } from "../../lib/backend/onednn.ts";
import { oneDnn } from "../../lib/backend/register.ts";
import { ConfigError } from "../../lib/errors.ts";
import { createCenModel } from "../../lib/model/resnet.ts";
import { createSgd, disposeSgd } from "../../lib/train/sgd.ts";
import { trainableVariables, trainStep } from "../../lib/train/step.ts";
import { NO_ONEDNN, noBf16, skipUnless } from "../helpers/skip.ts";
import { relErr, runOn, useMode, values } from "./helpers.ts";

/** bfloat16's bound on max |a − b| / max |b| for sums of products (see the module doc). */
const BF16_TOL = 2e-2;

/** Why this machine cannot run the bf16 tests, or undefined (oneDNN's kernels registered). */
async function bf16Why(): Promise<string | undefined> {
  const d = oneDnn();
  if (typeof d === "string") return `${NO_ONEDNN}: ${d}`;
  await useMode("native");
  const why = bf16Unavailable();
  return why ? noBf16(why) : undefined;
}
const why = await bf16Why();

/** Runs `f` on wasm with oneDNN in bfloat16, then back in float32. */
async function inBf16(f: () => tf.Tensor | tf.Tensor[]): Promise<Float32Array[]> {
  await useMode("native");
  assertEquals(setPrecision("bf16"), "bf16");
  try {
    return await runOn("wasm", f);
  } finally {
    setPrecision("f32");
  }
}

/** Shapes through every path: oneDNN's convolutions, and im2col + gemm (strided 1×1, tiny). */
const CASES = [
  { n: 2, h: 12, w: 12, cin: 16, cout: 32, k: 3, s: 1, pad: "same" },
  { n: 3, h: 9, w: 11, cin: 5, cout: 6, k: 3, s: 2, pad: "same" },
  { n: 2, h: 15, w: 13, cin: 3, cout: 8, k: 7, s: 2, pad: "same" },
  { n: 2, h: 8, w: 8, cin: 8, cout: 16, k: 1, s: 2, pad: "same" },
  { n: 3, h: 2, w: 2, cin: 9, cout: 7, k: 3, s: 1, pad: "same" },
] as const;

type Case = typeof CASES[number];

function convInputs(c: Case) {
  const x = tf.tensor4d(values(c.n * c.h * c.w * c.cin, 1), [c.n, c.h, c.w, c.cin]);
  const w = tf.tensor4d(values(c.k * c.k * c.cin * c.cout, 2), [c.k, c.k, c.cin, c.cout]);
  const y = tf.conv2d(x, w, c.s, c.pad);
  const dy = tf.tensor4d(values(y.size, 3), y.shape);
  return { x, w, dy };
}

/** Forward, input gradient and filter gradient of case `c` as kernels. */
function convPasses(c: Case): tf.Tensor[] {
  const { x, w, dy } = convInputs(c);
  const attrs = { strides: [c.s, c.s], pad: c.pad, dataFormat: "NHWC" };
  return [
    tf.conv2d(x, w, c.s, c.pad),
    tf.engine().runKernel("Conv2DBackpropInput", { dy, filter: w }, {
      ...attrs,
      inputShape: x.shape,
    }) as tf.Tensor,
    tf.engine().runKernel("Conv2DBackpropFilter", { x, dy }, {
      ...attrs,
      filterShape: w.shape,
    }) as tf.Tensor,
  ];
}

Deno.test("the bf16 decision: CPU flag, oneDNN's ISA and a jit trial convolution", () => {
  const flags = new Set(["avx512f", "avx512_bf16"]);
  assertEquals(bf16Reason(flags, 0xe7, "brgconv:avx512_core_bf16"), undefined);
  assertEquals(bf16Reason(undefined, 0x3e7, "jit_bf16:avx512_core_bf16"), undefined);
  assert(bf16Reason(new Set(["avx512f"]), 0xe7, "brgconv")!.includes("no avx512_bf16"));
  assert(bf16Reason(flags, 0x67, "x")!.includes("avx512_core_vnni, below avx512_core_bf16"));
  assert(bf16Reason(flags, 0x7, "x")!.includes("avx2"));
  assert(bf16Reason(flags, 0xe7, "ref:any")!.includes("only a reference"));
  assert(bf16Reason(flags, 0xe7, "error: unimplemented")!.includes("cannot create"));
});

Deno.test("without oneDNN's kernels bf16 falls back to f32 (said once) and training refuses it", async () => {
  await useMode("wasm");
  try {
    const reason = bf16Unavailable();
    assert(reason !== undefined);
    const lines: string[] = [];
    const err = console.error;
    console.error = (l: string) => lines.push(l);
    try {
      assertEquals(setPrecision("bf16"), "f32");
      assertEquals(setPrecision("bf16"), "f32");
    } finally {
      console.error = err;
    }
    assertEquals(lines.length, 1);
    assert(lines[0].startsWith("bfloat16 not used, computing in float32: "), lines[0]);
    assertEquals(currentPrecision(), "f32");
    const e = await assertRejects(
      () => withTrainingPrecision("bf16", () => Promise.resolve(1)),
      ConfigError,
      'config.precision: "bf16" cannot run here',
    );
    assertEquals((e as ConfigError).field, "precision");
    assertEquals(await withTrainingPrecision("f32", () => Promise.resolve(2)), 2);
  } finally {
    await useMode("auto");
  }
});

Deno.test({
  name: "[bf16] convolutions and their gradients match cpu within bfloat16's tolerance",
  ignore: skipUnless(why === undefined, why ?? ""),
  fn: async () => {
    const worst = [0, 0, 0];
    for (const c of CASES) {
      const want = await runOn("cpu", () => convPasses(c));
      const got = await inBf16(() => convPasses(c));
      got.forEach((g, i) => {
        const e = relErr(g, want[i]);
        assertLessOrEqual(e, BF16_TOL, `${JSON.stringify(c)} pass ${i}`);
        worst[i] = Math.max(worst[i], e);
      });
    }
    // Rounded inputs show: float32 kernels stay within 1e-5 here.
    for (const e of worst) assert(e > 1e-4, `error ${e}: bf16 did not run`);
    console.log(
      `bf16 vs cpu, worst relative error: forward ${worst[0].toExponential(2)}, input ` +
        `gradient ${worst[1].toExponential(2)}, filter gradient ${worst[2].toExponential(2)}`,
    );
  },
});

Deno.test({
  name: "[bf16] a taped convolution's kept bf16 copies give the gradients of fresh conversions",
  ignore: skipUnless(why === undefined, why ?? ""),
  fn: async () => {
    // Under a tape the forward pass keeps x in bf16 and the input gradient keeps dy, both taken
    // by the filter gradient; called as bare kernels each pass converts its own inputs.
    for (const c of CASES.slice(0, 3)) {
      const taped = () => {
        const { x, w, dy } = convInputs(c);
        return tf.grads((a: tf.Tensor, b: tf.Tensor) =>
          tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.s, c.pad), dy))
        )([x, w]);
      };
      const [dx, dw] = await inBf16(taped);
      const [, wantDx, wantDw] = await inBf16(() => convPasses(c));
      assertEquals(relErr(dx, wantDx), 0, `${JSON.stringify(c)} input gradient`);
      assertEquals(relErr(dw, wantDw), 0, `${JSON.stringify(c)} filter gradient`);
    }
  },
});

Deno.test({
  name: "[bf16] matrix products (transposed, fused bias and relu) match cpu",
  ignore: skipUnless(why === undefined, why ?? ""),
  fn: async () => {
    // 2^24 multiply-adds or more run in bf16 (smaller products stay float32: the conversions
    // would cost more than they save).
    let worst = 0;
    for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]]) {
      const f = () => {
        const a = tf.tensor2d(values(257 * 288, 4), ta ? [288, 257] : [257, 288]);
        const b = tf.tensor2d(values(288 * 231, 5), tb ? [231, 288] : [288, 231]);
        const bias = tf.tensor1d(values(231, 6));
        return [
          tf.matMul(a, b, ta, tb),
          tf.fused.matMul({ a, b, transposeA: ta, transposeB: tb, bias, activation: "relu" }),
        ];
      };
      const want = await runOn("cpu", f);
      const got = await inBf16(f);
      got.forEach((g, i) => {
        const e = relErr(g, want[i]);
        assertLessOrEqual(e, BF16_TOL, `transposeA ${ta} transposeB ${tb} output ${i}`);
        worst = Math.max(worst, e);
      });
    }
    assert(worst > 1e-4, `error ${worst}: bf16 did not run`);
    console.log(`bf16 matmul vs cpu, worst relative error ${worst.toExponential(2)}`);
    const small = () =>
      tf.matMul(
        tf.tensor2d(values(37 * 45, 4), [37, 45]),
        tf.tensor2d(values(45 * 29, 5), [45, 29]),
      );
    const [want] = await runOn("cpu", small);
    const [got] = await inBf16(small);
    assertLessOrEqual(relErr(got, want), 1e-5, "a small product stays float32");
  },
});

/** The loss of each of `steps` SGD steps of a ResNet10-Tiny (64 px) on one fixed batch of 8. */
function lossCurve(steps: number): number[] {
  const model = createCenModel({ backbone: "resnet10-tiny", inputSize: 64, numAges: 7, seed: 5 });
  const sgd = createSgd(trainableVariables(model));
  const x = tf.tensor4d(values(8 * 64 * 64 * 3, 31, 2), [8, 64, 64, 3]);
  const classIndex = tf.tensor1d([0, 3, 6, 2, 5, 1, 4, 0], "int32");
  const y = tf.tensor1d(values(8, 32, 0.5, 0.5));
  const settings = { tau: 2, alpha: 0.5, lambda1: 4, lambdaT: 4, klTauSquared: false };
  const hp = { lr: 0.003, momentum: 0.9, weightDecay: 1e-4 };
  const losses: number[] = [];
  for (let i = 0; i < steps; i++) {
    losses.push(trainStep(model, sgd, x, { classIndex, y }, 1, settings, hp).total);
  }
  disposeSgd(sgd);
  model.dispose();
  tf.dispose([x, classIndex, y]);
  return losses;
}

Deno.test({
  name: "[bf16] ResNet10-Tiny training in bfloat16 follows float32's loss curve",
  ignore: skipUnless(why === undefined, why ?? ""),
  fn: async () => {
    // A step's gradients are not a smooth function of its inputs (max-pool and relu switch
    // where values nearly tie): rounding only the input image to bfloat16 moves a step's
    // gradients at initialisation by ~10% of their norm, in float32. So training is compared
    // by what it does: the same first loss (a forward pass) within 1e-2, and the loss of a
    // batch fitted for 12 steps falling alike
    // (lr 0.003: higher rates make both curves jump).
    await useMode("native");
    const f32 = lossCurve(12);
    setPrecision("bf16");
    let bf16: number[];
    try {
      bf16 = lossCurve(12);
    } finally {
      setPrecision("f32");
    }
    console.log(`loss, f32:  ${f32.map((v) => v.toFixed(3)).join(" ")}`);
    console.log(`loss, bf16: ${bf16.map((v) => v.toFixed(3)).join(" ")}`);
    assertLessOrEqual(Math.abs(bf16[0] - f32[0]) / f32[0], 1e-2, "first loss");
    // The loss oscillates from step to step (λ·ℓ1 on random targets): compare last 6 means.
    const tail = (l: number[]) => l.slice(-6).reduce((a, b) => a + b, 0) / 6;
    assertLessOrEqual(tail(f32), 0.6 * f32[0], "float32 fits the batch");
    assertLessOrEqual(tail(bf16), 0.6 * bf16[0], "bfloat16 fits the batch");
    assertLessOrEqual(Math.abs(tail(bf16) - tail(f32)), 0.15 * f32[0], "the last losses");
  },
});
