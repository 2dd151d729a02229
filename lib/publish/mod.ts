/**
 * The pipeline that tools use to publish the notebooks: executing them with parameters, nbformat
 * reading and writing, the HTML build (long code cells folded), the index page and the headless
 * browser check.
 *
 * @example
 * ```ts
 * import { readNotebook } from "./mod.ts";
 * const nb = await readNotebook("notebooks/07-summary.ipynb"); // a damaged file is one clear error
 * console.log(nb.cells.length);
 * ```
 *
 * @module
 */
export * from "./ipynb.ts";
export * from "./execute.ts";
export * from "./build.ts";
export * from "./fold.ts";
export * from "./index_page.ts";
export * from "./browser.ts";
