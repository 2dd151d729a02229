/**
 * The paper's reported numbers (docs/method.md, "Results to reproduce"), for side-by-side tables.
 *
 * @module
 */

/** Table 1 (ResNet18): Morph MAE and MegaAge-Asian CA(3, 5, 7) of each head setting. */
export const PAPER_TABLE1 = [
  { setting: "Reg only", morphMae: 2.578, ca3: 58.22, ca5: 79.01, ca7: 89.03 },
  { setting: "LDL only", morphMae: 2.323, ca3: 59.14, ca5: 78.7, ca7: 89.26 },
  { setting: "LDL+Reg, ŷ_reg", morphMae: 2.243, ca3: 60.57, ca5: 79.77, ca7: 90.21 },
  { setting: "LDL+Reg, ŷ_ldl", morphMae: 2.231, ca3: 59.14, ca5: 79.24, ca7: 89.62 },
  { setting: "LDL+Reg, ŷ", morphMae: 2.22, ca3: 60.83, ca5: 80.11, ca7: 90.52 },
] as const;

/** Table 5: Morph MAE of generations t = 1…4 for each backbone. */
export const PAPER_TABLE5: Readonly<Record<string, readonly number[]>> = {
  "resnet10-tiny": [2.446, 2.3, 2.241, 2.229],
  "resnet10": [2.321, 2.207, 2.15, 2.134],
  "resnet18-tiny": [2.304, 2.136, 2.069, 2.074],
  "resnet18": [2.22, 1.996, 1.905, 1.919],
};

/** Table 6 (ResNet18, Morph MAE): τ (α .5, λ 4), α (τ 2, λ 4), λ (τ 2, α .5). */
export const PAPER_TABLE6 = {
  tau: { values: [1, 2, 3, 4], mae: [2.096, 1.905, 1.941, 1.97] },
  alpha: { values: [0.25, 0.5, 0.75, 1], mae: [1.946, 1.905, 1.921, 1.952] },
  lambda: { values: [1, 2, 3, 4, 5], mae: [1.965, 1.962, 1.922, 1.905, 1.933] },
} as const;

/** Tables 2–4: the paper's state-of-the-art results. */
export const PAPER_SOTA = {
  morph: { backbone: "resnet18", mae: 1.905 },
  chalearn: { backbone: "resnet10-tiny", mae: 3.052, epsilon: 0.274 },
  megaage: { backbone: "resnet18-tiny", ca3: 64.45, ca5: 82.95, ca7: 91.98 },
} as const;
