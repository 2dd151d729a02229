/**
 * `deno task bench` (issue 5): training-step and inference speed of ResNet10-Tiny and
 * ResNet18-Tiny at 64 and 112 px, batch 32, in one process, for
 *
 * - ours: the default wasm kernels (oneDNN convolutions when `libdnnl2` is installed), in
 *   float32 and, where the CPU has bfloat16 instructions, with convolutions and matmuls in
 *   bfloat16 (the config's `precision: "bf16"`);
 * - stock wasm: tfjs as shipped plus only the missing `Conv2DBackpropFilter`;
 * - torch: the same network in PyTorch (bench/torch_ref.py, channels_last, as many threads as
 *   oneDNN uses here) when Debian's `python3-torch` is installed, in float32 and under bfloat16
 *   autocast;
 *
 * plus achieved GFLOP/s against a measured matrix-multiply rate, peak RSS and the tensor count
 * over steps, and the CPU (model, flags, oneDNN's ISA) and the load average around the run. Each
 * rate is the best of 3 timing windows (2 with `--quick`), as other processes on the cores only
 * slow a window down; `--cpu-time` divides by the process's CPU time instead (steadier on shared
 * cores; run it with `CEN_THREADS=1`, which the PyTorch rows follow). Writes results/bench.json.
 * Flags: `--quick` (ResNet10-Tiny at 64 px only, fewer steps), `--rows net:size,…`,
 * `--no-torch`, `--no-stock`, `--no-bf16`, `--steps N`, `--profile`, `--cpu-time`.
 *
 * Optional extra rows (e.g. the data loader's) come from bench/loader.ts when it exists:
 * `export async function loaderBench(): Promise<{name: string; imagesPerSec: number}[]>`.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import type * as tfl from "@tensorflow/tfjs-layers";
import process from "node:process";
import {
  bf16Unavailable,
  initBackend,
  registerTrainingKernels,
  setPrecision,
} from "../lib/backend/mod.ts";
import { type CommandSpec, type OptionValues, runCli } from "../lib/cli.ts";
import { UsageError } from "../lib/errors.ts";
import { oneDnn } from "../lib/backend/register.ts";
import { trainableVariables, trainStep } from "../lib/train/step.ts";
import { createSgd, disposeSgd } from "../lib/train/sgd.ts";
import { type Backbone, BACKBONES } from "../lib/config.ts";
import { cpuFlags, type OneDnn } from "../lib/backend/onednn.ts";
import { createCenModel } from "../lib/model/resnet.ts";
import { profileSteps, type StepProfile } from "../lib/backend/profile.ts";

const BATCH = 32;
const AGES = 101;

interface Speed {
  train: number;
  infer: number;
}

/** Ours on one row in one precision: speeds, peak RSS, tensors before and after the steps. */
type Ours = Speed & { peakRssMB: number; tensorsBefore: number; tensorsAfter: number };

interface Entry {
  net: string;
  input: number;
  /** Ours in float32. */
  ours: Ours;
  /** Ours with convolutions and matmuls in bfloat16 (null: not measured, see `cpu.bf16`). */
  ours_bf16: Ours | null;
  stock_wasm: Speed | null;
  torch: Speed | null;
  /** PyTorch under `torch.autocast("cpu", dtype=torch.bfloat16)`. */
  torch_bf16: Speed | null;
  /** Forward GFLOP per image (2 × multiply-adds of convolutions and dense layers). */
  gflopPerImage: number;
  /** With `--profile`: where a training step's time goes (float32, and bfloat16). */
  profile?: StepProfile;
  profile_bf16?: StepProfile;
}

/** The command line of `deno task bench`. */
export const BENCH_CLI = {
  name: "bench",
  usage: "deno task bench [--quick] [--rows net:size,...] [--profile] [--no-paper] [--no-torch] " +
    "[--no-stock] [--no-bf16] [--cpu-time] [--steps N]",
  summary: "Training-step and inference speed of ResNet10/18-Tiny (and the paper's ResNet10/18 " +
    "at 224 px): ours vs stock wasm vs PyTorch, written to results/bench.json.",
  options: {
    quick: { type: "boolean", help: "ResNet10-Tiny at 64 px only, fewer steps" },
    rows: {
      type: "string",
      value: "<net:size,...>",
      help: "measure only these rows, e.g. resnet18-tiny:112,resnet10-tiny:112",
    },
    "no-bf16": { type: "boolean", help: "skip the bfloat16 rows (ours and PyTorch's autocast)" },
    "cpu-time": {
      type: "boolean",
      help: "rates per CPU-second of the process, not per wall second (use with CEN_THREADS=1)",
    },
    profile: {
      type: "boolean",
      help: "also split a training step's time by op kind (per net and size)",
    },
    "no-paper": { type: "boolean", help: "skip ResNet10/18 at 224 px (the paper's regime)" },
    "no-torch": { type: "boolean", help: "skip the PyTorch rows" },
    "no-stock": { type: "boolean", help: "skip the stock-wasm rows" },
    steps: { type: "integer", help: "steps per timing window (default 5; 3 with --quick)" },
    "no-split": {
      type: "boolean",
      help: "skip the core split (two 1-thread workers at once vs one 2-thread process)",
    },
    worker: {
      type: "string",
      value: "<net:size>",
      help: "internal: measure one row's training speed and print it as JSON",
    },
  },
} as const satisfies CommandSpec;

/** What to measure, from the parsed command line. */
function benchPlan(options: OptionValues<typeof BENCH_CLI>) {
  const quick = !!options.quick;
  const steps = options.steps ?? (quick ? 3 : 5);
  if (steps < 1) throw new UsageError("--steps must be ≥ 1");
  const picked = options.rows?.split(",").map((r) => {
    const [net, size] = r.split(":");
    if (!(BACKBONES as readonly string[]).includes(net) || !(Number(size) >= 32)) {
      throw new UsageError(`--rows: "${r}" is not <backbone>:<size>, e.g. resnet18-tiny:112`);
    }
    return { net: net as Backbone, size: Number(size), paper: Number(size) >= 224 };
  });
  return {
    quick,
    torch: !options["no-torch"],
    stock: !options["no-stock"],
    bf16: !options["no-bf16"],
    cpuTime: !!options["cpu-time"],
    steps,
    windows: quick ? 2 : 3,
    profile: !!options.profile,
    // The split compares wall-clock throughput: not with --cpu-time, nor for a subset of rows.
    split: !quick && !options["no-split"] && !picked && !options["cpu-time"],
    rows: picked ?? [
      ...(quick ? ["resnet10-tiny"] : ["resnet10-tiny", "resnet18-tiny"]).flatMap((net) =>
        (quick ? [64] : [64, 112]).map((size) => ({ net: net as Backbone, size, paper: false }))
      ),
      ...(quick || options["no-paper"] ? [] : (["resnet10", "resnet18"] as Backbone[]).map(
        (net) => ({ net, size: 224, paper: true }),
      )),
    ],
  };
}

/** Forward multiply-adds ×2 of the convolutions and dense layers of `model`, per image. */
function forwardGflop(model: tfl.LayersModel): number {
  let macs = 0;
  for (const layer of model.layers) {
    const cls = layer.getClassName();
    if (cls !== "Conv2D" && cls !== "Dense") continue;
    const kernel = layer.getWeights()[0].shape;
    const out = layer.outputShape as number[];
    const spatial = cls === "Conv2D" ? (out[1] as number) * (out[2] as number) : 1;
    macs += spatial * kernel.reduce((a, b) => a * b, 1);
  }
  return (2 * macs) / 1e9;
}

function rssMB(): number {
  return Deno.memoryUsage().rss / 2 ** 20;
}

/** Milliseconds of CPU time this process has used (all its threads). */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** The clock rates divide by: wall time, or (`--cpu-time`) the process's CPU time. */
type Clock = () => number;

/** Images/s of training steps and of inference for one network on the current kernels. */
function measure(
  net: Backbone,
  size: number,
  steps: number,
  windows: number,
  profile: boolean,
  clock: Clock = () => performance.now(),
) {
  const model = createCenModel({ backbone: net, inputSize: size, numAges: AGES, seed: 1 });
  const sgd = createSgd(trainableVariables(model));
  const x = tf.randomNormal([BATCH, size, size, 3], 0, 1, "float32", 7) as tf.Tensor4D;
  const classIndex = tf.tensor1d(Array.from({ length: BATCH }, (_, i) => (i * 7) % AGES));
  const y = tf.randomUniform([BATCH], 0, 1, "float32", 8) as tf.Tensor1D;
  const settings = { tau: 2, alpha: 0.5, lambda1: 4, lambdaT: 4, klTauSquared: false };
  const hp = { lr: 0.01, momentum: 0.9, weightDecay: 5e-4 };
  const step = () => trainStep(model, sgd, x, { classIndex, y }, 1, settings, hp);
  step();
  step();
  const tensorsBefore = tf.memory().numTensors;
  let peak = rssMB();
  // Images/s of the best of `windows` windows of `steps` calls: other processes on the cores
  // only ever slow a window down.
  const best = (f: () => void) => {
    let rate = 0;
    for (let w = 0; w < windows; w++) {
      const t0 = clock();
      for (let i = 0; i < steps; i++) {
        f();
        peak = Math.max(peak, rssMB());
      }
      rate = Math.max(rate, (BATCH * steps * 1000) / (clock() - t0));
    }
    return rate;
  };
  const train = best(step);
  const tensorsAfter = tf.memory().numTensors;
  const d = oneDnn();
  const stepProfile = profile
    ? profileSteps(step, { steps, dnn: typeof d === "string" ? undefined : d })
    : undefined;
  const infer1 = () => tf.tidy(() => (model.predict(x) as tf.Tensor[])[0].dataSync());
  infer1();
  infer1();
  const infer = best(infer1);
  const gflop = forwardGflop(model);
  disposeSgd(sgd);
  model.dispose();
  tf.dispose([x, classIndex, y]);
  return { train, infer, peakRssMB: peak, tensorsBefore, tensorsAfter, gflop, stepProfile };
}

/** GFLOP/s of a 512×512×512 matrix product on the current kernels (best of three). */
function matmulRate(): number {
  const a = tf.randomNormal([512, 512]) as tf.Tensor2D;
  const b = tf.randomNormal([512, 512]) as tf.Tensor2D;
  tf.tidy(() => tf.matMul(a, b).dataSync());
  const reps = 5;
  let best = 0;
  for (let r = 0; r < 3; r++) {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) tf.tidy(() => tf.matMul(a, b).dataSync());
    best = Math.max(best, (2 * 512 ** 3 * reps) / ((performance.now() - t0) / 1000) / 1e9);
  }
  tf.dispose([a, b]);
  return best;
}

/** GFLOP/s of oneDNN's sgemm on the same product, best of five (when loaded). */
function nativeMatmulRate(): number | null {
  const d = oneDnn();
  if (typeof d === "string") return null;
  const n = 512;
  const a = new Float32Array(n * n).fill(0.5);
  const b = new Float32Array(n * n).fill(0.25);
  const c = new Float32Array(n * n);
  const p = (x: Float32Array) => Deno.UnsafePointer.of(x);
  d.sgemm(false, false, n, n, n, p(a), p(b), p(c));
  const reps = 10;
  let best = 0;
  for (let r = 0; r < 5; r++) {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) d.sgemm(false, false, n, n, n, p(a), p(b), p(c));
    best = Math.max(best, (2 * n ** 3 * reps) / ((performance.now() - t0) / 1000) / 1e9);
  }
  return best;
}

/** Threads PyTorch gets: as many as oneDNN uses here (`CEN_THREADS`, else one per core). */
function torchThreads(): number {
  return Number(Deno.env.get("CEN_THREADS")) || navigator.hardwareConcurrency;
}

/** PyTorch's img/s on one row (bench/torch_ref.py), or null without Debian's python3-torch. */
async function torchSpeed(
  net: string,
  size: number,
  steps: number,
  windows: number,
  o: { bf16: boolean; cpuTime: boolean },
): Promise<Speed | null> {
  const py = "/usr/bin/python3";
  try {
    const probe = await new Deno.Command(py, { args: ["-c", "import torch"], stderr: "null" })
      .output();
    if (!probe.success) return null;
  } catch {
    return null;
  }
  const script = new URL("./torch_ref.py", import.meta.url).pathname;
  const out = await new Deno.Command(py, {
    args: [
      script,
      ...["--net", net, "--size", String(size), "--steps", String(steps)],
      ...["--windows", String(windows), "--threads", String(torchThreads())],
      ...(o.bf16 ? ["--bf16"] : []),
      ...(o.cpuTime ? ["--cpu-time"] : []),
    ],
    stderr: "inherit",
  }).output();
  if (!out.success) return null;
  const lines = new TextDecoder().decode(out.stdout).trim().split("\n");
  return JSON.parse(lines[lines.length - 1]) as Speed;
}

async function loaderRows(): Promise<{ name: string; imagesPerSec: number }[]> {
  const url = new URL("./loader.ts", import.meta.url);
  try {
    await Deno.stat(url);
  } catch {
    return [];
  }
  const mod = await import(url.href) as {
    loaderBench?: () => Promise<{ name: string; imagesPerSec: number }[]>;
  };
  return mod.loaderBench ? await mod.loaderBench() : [];
}

const f1 = (v: number) => v.toFixed(1);
const f2 = (v: number) => v.toFixed(2);

/** The report's record of ours on a row (speeds, peak RSS, tensor counts). */
function oursOf(m: ReturnType<typeof measure>): Ours {
  const { train, infer, peakRssMB, tensorsBefore, tensorsAfter } = m;
  return { train, infer, peakRssMB, tensorsBefore, tensorsAfter };
}

/** The summary: one line per row, ours and PyTorch in both precisions, and the ratios. */
function printTable(results: Entry[]): void {
  const pair = (v: Speed | null) => v ? `${v.train.toFixed(0)} / ${v.infer.toFixed(0)}` : "-";
  const ratio = (a: Speed | null, b: Speed | null) =>
    a && b ? `${f2(a.train / b.train)}, ${f2(a.infer / b.infer)}` : "-";
  const head = ["net, input", "ours f32", "ours bf16", "torch f32", "torch bf16"];
  const rows = results.map((r) => [
    `${r.net} ${r.input}px`,
    pair(r.ours),
    pair(r.ours_bf16),
    pair(r.torch),
    pair(r.torch_bf16),
    ratio(r.ours, r.torch),
    ratio(r.ours_bf16, r.torch),
    ratio(r.ours_bf16, r.torch_bf16),
  ]);
  const cols = [...head, "ours f32 ÷ torch f32", "ours bf16 ÷ torch f32", "ours bf16 ÷ torch bf16"];
  const width = cols.map((c, i) => Math.max(c.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(width[i])).join(" | ");
  console.log("\nimg/s, train / infer (batch 32); ratios train, infer");
  console.log(line(cols));
  for (const r of rows) console.log(line(r));
}

/** The CPU's model name (/proc/cpuinfo), or "unknown". */
function cpuModel(): string {
  try {
    const line = Deno.readTextFileSync("/proc/cpuinfo").split("\n").find((l) =>
      l.startsWith("model name")
    );
    return line?.split(":")[1].trim() ?? "unknown";
  } catch {
    return "unknown";
  }
}

/** The profile of one row: ms per step and share by op kind, and the convs left to wasm. */
function printProfile(p: StepProfile, label: string): void {
  console.log(
    `  profile (${label}): ${f1(p.stepMs)} ms/step (with timers), ` +
      `${f1(100 * p.convArithmeticShare)}% in convolution arithmetic`,
  );
  for (const k of p.byKind) {
    if (k.msPerStep < 0.05) continue;
    console.log(
      `    ${k.kind.padEnd(28)} ${f1(k.msPerStep).padStart(7)} ms ${
        f1(100 * k.share).padStart(5)
      }%`,
    );
  }
  const top = p.kernels.slice(0, 12).map((k) =>
    `${k.kernel} ${f1(k.ms / p.steps)}` +
    (k.reorderMs + k.glueMs > 0.05 * p.steps
      ? ` (oneDNN ${f1(k.workMs / p.steps)}, reorders ${f1(k.reorderMs / p.steps)}, glue ${
        f1(k.glueMs / p.steps)
      })`
      : "")
  );
  console.log(`    kernels, ms/step: ${top.join(", ")}`);
  const wasmConvs = p.kernels.filter((k) => k.kind.startsWith("conv") && k.wasmCalls > 0);
  for (const k of wasmConvs) {
    console.log(
      `    (of which ${k.kernel} on wasm, shapes oneDNN does not take: ${
        k.wasmCalls / p.steps
      } calls, ${f1(k.wasmMs / p.steps)} ms per step)`,
    );
  }
}

/** `--worker net:size`: one row's training img/s as a JSON line (for the core split). */
async function worker(spec: string, steps: number, windows: number): Promise<void> {
  const [net, size] = spec.split(":");
  await initBackend(Deno.env.get("CEN_BACKEND") || undefined);
  await registerTrainingKernels("auto");
  const r = measure(net as Backbone, Number(size), steps, windows, false);
  console.log(JSON.stringify({ train: r.train }));
}

/**
 * Training img/s of two single-threaded workers running at once (`CEN_THREADS=1`, the split a
 * study can use: two runs side by side), summed; compare with one two-thread process.
 */
async function twoWorkers(net: Backbone, size: number, steps: number) {
  const one = () =>
    new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        new URL(import.meta.url).pathname,
        "--worker",
        `${net}:${size}`,
        "--steps",
        String(steps),
      ],
      env: { CEN_THREADS: "1", OMP_NUM_THREADS: "1" },
      stderr: "inherit",
    }).output();
  const outs = await Promise.all([one(), one()]);
  const rates = outs.map((o) => {
    const lines = new TextDecoder().decode(o.stdout).trim().split("\n");
    return (JSON.parse(lines[lines.length - 1]) as { train: number }).train;
  });
  return { perWorker: rates, total: rates[0] + rates[1] };
}

async function main({ options }: { options: OptionValues<typeof BENCH_CLI> }): Promise<void> {
  const opts = benchPlan(options);
  if (options.worker) return await worker(options.worker, opts.steps, opts.windows);
  await initBackend(Deno.env.get("CEN_BACKEND") || undefined, console.log);
  if (tf.getBackend() !== "wasm") {
    console.log(`note: the bench compares wasm kernels; backend is ${tf.getBackend()}`);
  }
  console.log("CPU numbers are noisy when other processes share the cores.");
  const results: Entry[] = [];
  await registerTrainingKernels("stock");
  const wasmRate = matmulRate(); // tfjs-wasm's own BatchMatMul
  await registerTrainingKernels("auto");
  const dnnRate = nativeMatmulRate();
  console.log(
    `matmul 512³: wasm ${f1(wasmRate)} GFLOP/s` +
      (dnnRate ? `, oneDNN sgemm ${f1(dnnRate)} GFLOP/s` : ""),
  );
  const flags = cpuFlags();
  const bf16Why = opts.bf16 ? bf16Unavailable() : "--no-bf16";
  if (opts.bf16 && bf16Why) console.log(`ours in bfloat16: not measured (${bf16Why})`);
  // PyTorch's autocast runs anywhere, emulated without the instructions: only measured with them.
  const torchBf16 = opts.bf16 && (flags?.has("avx512_bf16") ?? false);
  const clock = opts.cpuTime ? cpuMs : undefined;
  const loadBefore = Deno.loadavg();
  const d = oneDnn();
  console.log(
    `CPU: ${cpuModel()}, ${navigator.hardwareConcurrency} cores, oneDNN ISA ${
      typeof d === "string" ? "-" : d.isa
    }, flags ${
      [...(flags ?? [])].filter((f) => f.startsWith("avx512") || f.startsWith("amx")).join(" ")
    }; ` +
      `load average ${loadBefore.map(f2).join(" ")}; rates per ${
        opts.cpuTime ? "CPU second of the process" : "wall second"
      }, ${torchThreads()} threads`,
  );
  for (const { net, size, paper } of opts.rows) {
    {
      console.log(await registerTrainingKernels("auto"));
      // The paper's nets at 224 px are ~10× slower per image: fewer steps per window.
      const steps = paper ? Math.min(2, opts.steps) : opts.steps;
      const windows = paper ? 2 : opts.windows;
      setPrecision("f32");
      const ours = measure(net, size, steps, windows, opts.profile, clock);
      let bf16: ReturnType<typeof measure> | undefined;
      if (!bf16Why) {
        setPrecision("bf16");
        try {
          bf16 = measure(net, size, steps, windows, opts.profile, clock);
        } finally {
          setPrecision("f32");
        }
      }
      let stock: Speed | null = null;
      if (opts.stock && !paper) {
        await registerTrainingKernels("stock");
        const s = measure(
          net,
          size,
          Math.max(2, Math.ceil(opts.steps / 2)),
          opts.windows,
          false,
          clock,
        );
        stock = { train: s.train, infer: s.infer };
        await registerTrainingKernels("auto");
      }
      const torchOf = (bf16: boolean) =>
        torchSpeed(net, size, steps, windows, { bf16, cpuTime: opts.cpuTime });
      const torch = opts.torch ? await torchOf(false) : null;
      const torchB = opts.torch && torchBf16 ? await torchOf(true) : null;
      const trainGflops = ours.train * 3 * ours.gflop;
      const inferGflops = ours.infer * ours.gflop;
      const peakRate = dnnRate ?? wasmRate;
      const pair = (v: Speed | null | undefined) => v ? `${f1(v.train)} / ${f1(v.infer)}` : "-";
      const ratio = (a: Speed | null | undefined, b: Speed | null | undefined) =>
        a && b
          ? `${a.train / b.train >= 10 ? f1(a.train / b.train) : f2(a.train / b.train)}×, ${
            f2(a.infer / b.infer)
          }×`
          : "-";
      console.log(
        `${net} ${size}px b${BATCH}, img/s train / infer: ours f32 ${pair(ours)} | ours bf16 ${
          pair(bf16)
        } | stock ${pair(stock)} | torch f32 ${pair(torch)} | torch bf16 ${pair(torchB)}`,
      );
      console.log(
        `  train, infer: ours f32 ÷ torch f32 ${ratio(ours, torch)} | ours bf16 ÷ torch f32 ${
          ratio(bf16, torch)
        } | ours bf16 ÷ torch bf16 ${ratio(bf16, torchB)} | ours bf16 ÷ ours f32 ${
          ratio(bf16, ours)
        } | ours ÷ stock ${ratio(ours, stock)}`,
      );
      console.log(
        `  ${ours.gflop.toFixed(3)} GFLOP/img fwd; achieved (f32) train ${
          f1(trainGflops)
        } GFLOP/s, ` +
          `infer ${f1(inferGflops)} GFLOP/s (${f1((100 * trainGflops) / peakRate)}% / ${
            f1((100 * inferGflops) / peakRate)
          }% of the matmul rate); peak RSS ${ours.peakRssMB.toFixed(0)} MB f32${
            bf16 ? `, ${bf16.peakRssMB.toFixed(0)} MB bf16` : ""
          }; tensors ${ours.tensorsBefore} → ${ours.tensorsAfter}`,
      );
      results.push({
        net,
        input: size,
        ours: oursOf(ours),
        ours_bf16: bf16 ? oursOf(bf16) : null,
        stock_wasm: stock,
        torch,
        torch_bf16: torchB,
        gflopPerImage: ours.gflop,
        profile: ours.stepProfile,
        profile_bf16: bf16?.stepProfile,
      });
      if (ours.stepProfile) printProfile(ours.stepProfile, "f32");
      if (bf16?.stepProfile) printProfile(bf16.stepProfile, "bf16");
    }
  }
  const loadAfter = Deno.loadavg();
  printTable(results);
  const split: { net: string; input: number; oneProcess: number; twoWorkers: number[] }[] = [];
  if (opts.split) {
    for (const size of [64, 112]) {
      const net: Backbone = "resnet10-tiny";
      const single = results.find((r) => r.net === net && r.input === size)?.ours.train;
      if (!single) continue;
      const two = await twoWorkers(net, size, opts.steps);
      split.push({ net, input: size, oneProcess: single, twoWorkers: two.perWorker });
      console.log(
        `core split, ${net} ${size}px: one process on ${torchThreads()} threads ${
          f1(single)
        } img/s; two ` +
          `1-thread workers at once ${two.perWorker.map(f1).join(" + ")} = ${f1(two.total)} ` +
          `img/s (${f1(two.total / single)}× for a study of independent runs)`,
      );
    }
  }
  const paperRegime: {
    net: string;
    imgPerSec: number;
    epochMin: number;
    targetDays: number;
    pretrainDays: number;
  }[] = [];
  for (const r of results.filter((r) => r.input === 224)) {
    // The paper's schedule (docs/method.md): pretraining 160 epochs on IMDB-WIKI's 523,051
    // images, then 4 generations of 160 epochs on a target (MegaAge-Asian: 36,055 train images).
    const hours = (images: number, epochs: number) => (images * epochs) / r.ours.train / 3600;
    console.log(
      `paper regime, ${r.net} 224px at ${f1(r.ours.train)} img/s (batch ${BATCH}): one ` +
        `MegaAge-Asian epoch ${f1(hours(36_055, 1) * 60)} min; its 4 generations × 160 epochs ${
          f1(hours(36_055, 640) / 24)
        } days; IMDB-WIKI pretraining (160 epochs) ${f1(hours(523_051, 160) / 24)} days`,
    );
    paperRegime.push({
      net: r.net,
      imgPerSec: r.ours.train,
      epochMin: hours(36_055, 1) * 60,
      targetDays: hours(36_055, 640) / 24,
      pretrainDays: hours(523_051, 160) / 24,
    });
  }
  const loader = await loaderRows();
  for (const r of loader) console.log(`loader ${r.name}: ${f1(r.imagesPerSec)} img/s`);
  await Deno.mkdir("results", { recursive: true });
  const report = {
    date: new Date().toISOString(),
    batch: BATCH,
    quick: opts.quick,
    clock: opts.cpuTime ? "process CPU time" : "wall time",
    threads: torchThreads(),
    cpu: {
      model: cpuModel(),
      cores: navigator.hardwareConcurrency,
      flags: flags ? [...flags].sort() : null,
      onednnIsa: typeof oneDnn() === "string" ? null : (oneDnn() as OneDnn).isa,
      bf16: bf16Unavailable() ?? "available",
    },
    loadAverage: { before: loadBefore, after: loadAfter },
    kernels: await registerTrainingKernels("auto"),
    matmulGflops: { wasm: wasmRate, onednn: dnnRate },
    entries: results,
    coreSplit: split,
    paperRegime,
    loader,
  };
  await Deno.writeTextFile("results/bench.json", JSON.stringify(report, null, 2) + "\n");
  console.log("wrote results/bench.json");
}

if (import.meta.main) await runCli(BENCH_CLI, main);
