/**
 * The paper's experiments, one module per table: each owns its configs, how its runs are got
 * (trained, or looked up without training: a {@link RunsOf}), its rows of numbers, its verdicts and
 * its display (the columns `showTable` shows, the MAE over seeds written `mean ± std`). The
 * notebooks run them; `07-summary` composes the same functions.
 *
 * | module           | what                                                                        |
 * | ---------------- | --------------------------------------------------------------------------- |
 * | `paper.ts`       | the paper's reported numbers, beside ours in every table                    |
 * | `stats.ts`       | mean, std and count over seeds, and how they are written                    |
 * | `runs.ts`        | variants and seeds of a config; runs trained or looked up (RunsOf)          |
 * | `verdicts.ts`    | the Verdict type, its shared helpers and the claims' table                  |
 * | `epochs.ts`      | the epoch curve, the length it picks (on test and on validation), verdict   |
 * | `table1.ts`      | Table 1, coupled training, and its λ₁ sweep: configs, rows, verdicts, shown |
 * | `table5.ts`      | Table 5, evolution: configs, rows, verdicts, shown                          |
 * | `table6.ts`      | Table 6, τ, α, λ_t: configs, rows, verdict, shown                           |
 * | `baselines.ts`   | DLDL and the other baselines in the same harness, verdict, shown            |
 * | `slack.ts`       | the slack interval (Eqs. 10, 13), the plain-ℓ1 test: rows, verdicts, shown  |
 * | `pretraining.ts` | with and without pretraining; other backbones' configs; verdict, shown      |
 * | `effects.ts`     | the central claims as paired effects, the power analysis, shown             |
 * | `verify.ts`      | recorded runs retrained beside their records, with seed noise               |
 * | `plan.ts`        | the study plan (phases) and its balance over workers                        |
 * | `clock.ts`       | the study's training time: per day, over time, shared ones once             |
 * | `params.ts`      | notebook parameters: seeds and backbones                                    |
 *
 * @module
 */
export * from "./stats.ts";
export * from "./runs.ts";
export * from "./epochs.ts";
export * from "./table1.ts";
export * from "./table5.ts";
export * from "./table6.ts";
export * from "./baselines.ts";
export * from "./slack.ts";
export * from "./pretraining.ts";
export * from "./verdicts.ts";
export * from "./plan.ts";
export * from "./clock.ts";
export * from "./params.ts";
export * from "./effects.ts";
export * from "./verify.ts";
