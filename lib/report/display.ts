/**
 * Showing things from a notebook cell, with a text fallback outside Jupyter (a script or a test
 * prints the `text/plain` form instead), so lib code and notebooks can share the same calls.
 *
 * API (all `async`: always `await` them, or the cell also shows a stray `Promise { undefined }`):
 * - `inJupyter()`: true inside the Deno Jupyter kernel.
 * - `display(bundle)`: shows a MIME bundle (`{"text/html": …, "text/plain": …}`) raw.
 * - `showHtml(html, plain?)`: HTML with a text fallback (default: the HTML without tags).
 * - `showMarkdown(md)`: Markdown (printed as is outside Jupyter).
 * - `showText(text)`: plain text (also what long cells should use for progress: `console.log`).
 * - `htmlToText(html)`: a crude tag stripper for fallbacks.
 *
 * @module
 */

/** A Jupyter MIME bundle: MIME type → content. */
export type MimeBundle = Record<string, unknown>;

/** True when running inside `deno jupyter` (where `Deno.jupyter` exists). */
export function inJupyter(): boolean {
  try {
    return typeof Deno.jupyter?.display === "function";
  } catch {
    return false; // outside the kernel, reading Deno.jupyter throws
  }
}

/** Strips tags, scripts and styles and decodes the basic entities; for text fallbacks. */
export function htmlToText(html: string): string {
  return html
    .replace(/<(script|style)[\s\S]*?<\/\1>/gi, "")
    .replace(/<br\s*\/?>|<\/(p|div|tr|h\d|li|caption)>/gi, "\n")
    .replace(/<\/t[dh]>/gi, "\t")
    .replace(/<[^>]+>/g, "")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&")
    .replace(/[ \t]+\n/g, "\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

/**
 * Shows a MIME bundle. In Jupyter: `Deno.jupyter.display(bundle, {raw: true})`; elsewhere prints
 * `text/plain`, else `text/markdown`, else the text of `text/html`.
 */
export async function display(bundle: MimeBundle): Promise<void> {
  if (inJupyter()) {
    await Deno.jupyter.display(bundle, { raw: true });
    return;
  }
  const plain = bundle["text/plain"] ?? bundle["text/markdown"];
  if (typeof plain === "string") console.log(plain);
  else if (typeof bundle["text/html"] === "string") console.log(htmlToText(bundle["text/html"]));
  else console.log(`[display: ${Object.keys(bundle).join(", ")}]`);
}

/** Shows HTML; `plain` is the text fallback (default: the HTML's text). */
export function showHtml(html: string, plain?: string): Promise<void> {
  return display({ "text/html": html, "text/plain": plain ?? htmlToText(html) });
}

/** Shows Markdown (rendered in Jupyter and the HTML report, printed as is elsewhere). */
export function showMarkdown(md: string): Promise<void> {
  return display({ "text/markdown": md, "text/plain": md });
}

/** Shows plain text. */
export function showText(text: string): Promise<void> {
  return display({ "text/plain": text });
}
