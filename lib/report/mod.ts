/**
 * What notebooks call to display: tables, the study's tables as shown, Plotly figures (the
 * forest plot among them), faces, run logs folded into one block, notebook summaries and the
 * model card.
 *
 * @example
 * ```ts
 * import { tableText } from "./mod.ts";
 * console.log(tableText([{ t: 1, mae: 5.52 }, { t: 2, mae: 5.63 }]));
 * ```
 *
 * @module
 */
export * from "./display.ts";
export * from "./table.ts";
export * from "./plot.ts";
export * from "./figures.ts";
export * from "./faces.ts";
export * from "./runlog.ts";
export * from "./summary.ts";
export * from "./toy.ts";
export * from "./model_card.ts";
