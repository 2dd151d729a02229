/**
 * The paper's experiments as data: which configs each table needs (Table 1: coupled training,
 * Table 5: evolution, Table 6: τ, α, λ), how their runs are got (trained, or looked up without
 * training: a {@link RunsOf}), how their metrics become rows of numbers and verdicts, the baselines
 * beside them, and the whole study as one plan. The notebooks run them; `07-summary` looks the
 * same configs up through the same functions. How a row is written (`mean ± std`, the columns) is
 * `lib/report/study_tables.ts`. One module per concern:
 *
 * | module           | what                                                               |
 * | ---------------- | ------------------------------------------------------------------ |
 * | `paper.ts`       | the paper's reported numbers, beside ours in every table           |
 * | `stats.ts`       | mean, std and count over seeds, and how they are written           |
 * | `runs.ts`        | variants and seeds of a config; runs trained or looked up (RunsOf) |
 * | `epochs.ts`      | the epoch curve and the training length it picks                   |
 * | `table1.ts`      | Table 1, coupled training, and its λ₁ sweep                        |
 * | `table5.ts`      | Table 5, evolution                                                 |
 * | `table6.ts`      | Table 6, τ, α, λ_t                                                 |
 * | `baselines.ts`   | DLDL and the other baselines in the same harness                   |
 * | `slack.ts`       | how much the slack interval forgives (Eqs. 10, 13); the plain ℓ1   |
 * | `pretraining.ts` | with and without pretraining; other backbones' configs             |
 * | `verdicts.ts`    | each claim: the paper's numbers, ours, verdict, what it depends on |
 * | `plan.ts`        | the study plan (phases) and its balance over workers               |
 * | `clock.ts`       | the study's training time: per day, over time, shared ones once    |
 * | `params.ts`      | notebook parameters: seeds and backbones                           |
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
