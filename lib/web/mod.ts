/**
 * The age-estimation web page: bundling the page and its model into a static site.
 *
 * @example
 * ```ts
 * import { bundleApp } from "./mod.ts";
 * console.log(typeof bundleApp); // the page's script, bundled for the browser
 * ```
 *
 * @module
 */
export * from "./site.ts";
