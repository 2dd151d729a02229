/**
 * Plotly figures as self-contained `text/html` outputs that survive nbconvert's static HTML export
 * (which drops `application/vnd.plotly.v1+json`) and draw offline: plotly.js (the npm package
 * `plotly.js-dist-min`) is inlined once per page — the first plot a kernel shows carries the
 * bundle (4.8 MB), later plots only call `Plotly.newPlot` (waiting for the bundle if needed).
 *
 * API:
 * - `Figure`: `{data, layout?, config?}` as plotly.js takes them (traces are plain objects).
 * - `showPlot(fig, opts?)`: displays a figure (`await` it). Outside Jupyter prints a one-line
 *   text summary. Options: `height` (px, default 420), `bundle` (force including the bundle).
 * - `plotHtml(fig, {bundle?, id?, height?})`: the HTML for one figure; `bundle` is the plotly.js
 *   source to inline (omit it for a page that already has one).
 * - `plotlyBundle()`: plotly.js's source, read once from node_modules.
 * - `resetPlotBundle()`: make the next `showPlot` inline the bundle again (e.g. after clearing
 *   outputs in the Jupyter UI).
 * - `figureSummary(fig)`: the text fallback, e.g. `[plot "MAE per generation": 2 traces]`.
 *
 * Every plot is a `<div class="cen-plot">`; the headless check (`lib/publish/browser.ts`) requires
 * each one to end up as a drawn `.js-plotly-plot` with an `svg.main-svg`.
 *
 * @module
 */
import { nodeModulesPath } from "../paths.ts";
import { display, inJupyter } from "./display.ts";

/** A plotly.js figure. */
export interface Figure {
  /** The traces. */
  data: Record<string, unknown>[];
  /** Axes, title and the rest of the layout. */
  layout?: Record<string, unknown>;
  /** plotly.js's config (e.g. responsive). */
  config?: Record<string, unknown>;
}

/** Options of `showPlot` / `plotHtml`. */
export interface PlotOptions {
  /** Height in pixels (default 420). */
  height?: number;
  /** Element id (default: a random one). */
  id?: string;
}

const BUNDLE_PATH = nodeModulesPath("plotly.js-dist-min", "plotly.min.js");

// Per kernel session (= per report page): whether a shown plot has carried the bundle yet.
let bundleShown = false;
let bundleText: Promise<string> | undefined;

/** plotly.js's minified source (read once per process). */
export function plotlyBundle(): Promise<string> {
  bundleText ??= Deno.readTextFile(BUNDLE_PATH).catch((e) => {
    bundleText = undefined;
    throw new Error(
      `plotly.js bundle not found at ${BUNDLE_PATH} (run npm ci): ${(e as Error).message}`,
    );
  });
  return bundleText;
}

/** Makes the next `showPlot` carry the bundle again. */
export function resetPlotBundle(): void {
  bundleShown = false;
}

/** JSON safe inside a `<script>` element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c").replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

/** The text fallback of a figure. */
export function figureSummary(fig: Figure): string {
  const title = fig.layout?.title;
  const text = typeof title === "string"
    ? title
    : (title && typeof title === "object" && typeof (title as { text?: unknown }).text === "string")
    ? (title as { text: string }).text
    : "";
  const n = fig.data.length;
  return `[plot${text ? ` "${text}"` : ""}: ${n} trace${n === 1 ? "" : "s"}]`;
}

function checkFigure(fig: Figure): void {
  if (!fig || !Array.isArray(fig.data)) {
    throw new TypeError("plot: a figure needs a `data` array of traces");
  }
}

/**
 * The HTML of one figure. With `bundle`, plotly.js is inlined first (inside a function that
 * hides any AMD `define`/CommonJS `module`, so it always sets `window.Plotly`).
 */
export function plotHtml(fig: Figure, opts: PlotOptions & { bundle?: string } = {}): string {
  checkFigure(fig);
  const id = opts.id ?? `cen-plot-${crypto.randomUUID().slice(0, 8)}`;
  if (!/^[A-Za-z][\w-]*$/.test(id)) throw new TypeError(`plot: invalid element id ${id}`);
  const height = opts.height ?? 420;
  const parts = [
    `<div id="${id}" class="cen-plot" style="width:100%;height:${height}px;"></div>`,
  ];
  if (opts.bundle !== undefined) {
    const safe = opts.bundle.replace(/<\/script/gi, "<\\/script");
    parts.push(
      `<script type="text/javascript">(function(define, module, exports) {\n${safe}\n})` +
        `.call(window);</script>`,
    );
  }
  const config = { responsive: true, displaylogo: false, ...(fig.config ?? {}) };
  parts.push(
    `<script type="text/javascript">(function() {
  var fig = ${scriptJson({ data: fig.data, layout: fig.layout ?? {}, config })};
  var tries = 0;
  function draw() {
    if (window.Plotly) { window.Plotly.newPlot("${id}", fig.data, fig.layout, fig.config); return; }
    if (++tries > 400) { throw new Error("plotly.js did not load for ${id}"); }
    setTimeout(draw, 25);
  }
  draw();
})();</script>`,
  );
  return parts.join("\n");
}

/**
 * Displays a figure: in Jupyter as `text/html` (+ `text/plain`), the first one of the kernel
 * session carrying plotly.js; outside Jupyter prints `figureSummary(fig)`.
 */
export async function showPlot(fig: Figure, opts: PlotOptions = {}): Promise<void> {
  checkFigure(fig);
  if (!inJupyter()) {
    await display({ "text/plain": figureSummary(fig) });
    return;
  }
  const bundle = bundleShown ? undefined : await plotlyBundle();
  await display({
    "text/html": plotHtml(fig, { ...opts, bundle }),
    "text/plain": figureSummary(fig),
  });
  bundleShown = true;
}
