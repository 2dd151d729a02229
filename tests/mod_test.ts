/** lib/mod.ts, the library's single entry point, exports the public API by its names. */
import { assertEquals } from "@std/assert";
import * as cen from "../lib/mod.ts";

/** The functions a reader reaches for first, by group (see the module doc of lib/mod.ts). */
const MAIN_FUNCTIONS = [
  // configs and profiles
  "makeConfig",
  "configHash",
  "profile",
  "profileConfig",
  // experiments
  "runProfile",
  "runConfig",
  "runPretraining",
  "runAll",
  "runEvolution",
  // losses (Eqs. 1–15)
  "softmaxT",
  "crossEntropy",
  "klDivergence",
  "softCrossEntropy",
  "ldlLoss",
  "normalizeAge",
  "l1Loss",
  "slackDelta",
  "slackL1",
  "cenLoss",
  // prediction (Eqs. 16–18) and metrics (Eqs. 19–21)
  "expectedAge",
  "regressionAge",
  "combinedAge",
  "predictImages",
  "mae",
  "epsilonError",
  "cumulativeAccuracy",
  "scoreAges",
  // data, models, inference, evaluation
  "openDataset",
  "createCenModel",
  "loadModel",
  "loadAgeModel",
  "predictFiles",
  "evaluateModel",
  // notebook display, setup, paths
  "showTable",
  "showPlot",
  "showMarkdown",
  "showFaces",
  "lossCurves",
  "foldRunLogs",
  "initBackend",
  "displayPath",
] as const;

Deno.test("lib/mod.ts exports the main functions of every group", () => {
  const missing = MAIN_FUNCTIONS.filter((name) => typeof cen[name] !== "function");
  assertEquals(missing, []);
  assertEquals(cen.PROFILE_NAMES.includes("smoke"), true);
  assertEquals(typeof cen.REPO_ROOT, "string");
});

Deno.test("lib/mod.ts: Eqs. 16–18 and 19 through the entry point", () => {
  const p = [0.25, 0.5, 0.25]; // ages 20, 21, 22
  const yLdl = cen.expectedAge(p, 20);
  const yReg = cen.regressionAge(0.5, { minAge: 20, maxAge: 22 });
  assertEquals([yLdl, yReg, cen.combinedAge(yLdl, yReg)], [21, 21, 21]);
  assertEquals(cen.mae([21, 23], [20, 20]), 2);
});
