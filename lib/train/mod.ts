/**
 * The evolution trainer: the loop (`evolve`, the paper's §3), the run store behind it (where each
 * generation comes from and goes), one generation and one epoch of training, checkpoints, SGD, the
 * ancestor store, run folders, run inputs, records and their checks, per-image predictions, locks
 * and progress lines.
 *
 * @example
 * ```ts
 * import { readAllRecords } from "./mod.ts";
 * const records = await readAllRecords("records/runs"); // damaged ones are named and left out
 * console.log(records.length, records[0]?.generations.map((g) => g.metrics.mae));
 * ```
 *
 * @module
 */
export * from "./evolve.ts";
export * from "./store.ts";
export * from "./generation.ts";
export * from "./epoch.ts";
export * from "./step.ts";
export * from "./sgd.ts";
export * from "./checkpoint.ts";
export * from "./ancestor.ts";
export * from "./run.ts";
export * from "./inputs.ts";
export * from "./record.ts";
export * from "./records_check.ts";
export * from "./predictions.ts";
export * from "./locks.ts";
export * from "./progress.ts";
