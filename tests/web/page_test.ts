/**
 * The age-estimation web page in headless Chromium (skipped, with the reason recorded, without
 * Chromium): served from a free port, it is given a real photo with three adults (face-api's
 * sample1.jpg) through its file input, and each face's age must match `deno task predict`'s
 * (`predictFiles`, run here on the same file and model) within 0.5 years, and so must a face chip,
 * a tight crop found once framed and a thumbnail used whole (predict's other paths); the sample
 * button and a dropped file give the photo's ages too, and so does a photo larger than the 2,048 px
 * working size. Bad input — a text file, an empty file, a pixel bomb, a photo with no face — must
 * end in a clear message, never a blank page or a script error. Set `CEN_WEB_SCREENSHOT=<png>` to
 * keep a screenshot of the page with the photo's ages.
 */
import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import { basename } from "node:path";
import { initBackend } from "../../lib/backend/mod.ts";
import { type AgeRow, loadAgeModel, predictFiles } from "../../lib/inference.ts";
import { type Cdp, findChromium, type Json, launchChromium } from "../../lib/publish/browser.ts";
import { serveSite, siteFiles } from "../../lib/web/site.ts";
import { LIMIT, withDeadline } from "../helpers/deadline.ts";
import { NO_CHROMIUM, skipUnless } from "../helpers/skip.ts";
import { inputs, pixelBomb, SAMPLE, testModel } from "../helpers/web.ts";

const chromium = await findChromium();

/** How far the page's ages may be from `deno task predict`'s, years. */
const TOLERANCE = 0.5;

/** One face as the page publishes it (`globalThis.cenResult`, web/app.ts). */
interface PageFace {
  face: number;
  source: string;
  box: { x: number; y: number; width: number; height: number };
  age: number;
  ageLdl: number;
  ageReg: number;
}

/** The page's published result. */
interface PageResult {
  state: string;
  message: string;
  chip?: boolean;
  faces: PageFace[];
}

/** A page open in chromium, and the script errors it has raised so far. */
interface Page {
  cdp: Cdp;
  session: string;
  errors: string[];
}

/** Evaluates `expression` in the page; returns its JSON value. */
async function evaluate<T>(page: Page, expression: string): Promise<T> {
  const r = await page.cdp.send("Runtime.evaluate", {
    expression,
    returnByValue: true,
    awaitPromise: true,
  }, page.session);
  return (r.result as Json).value as T;
}

/** Waits until the page's state is one of `states`; returns it. */
async function waitForState(page: Page, states: readonly string[], ms = 120_000): Promise<string> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    const s = await evaluate<string>(page, "document.body?.dataset.state ?? ''");
    if (states.includes(s)) return s;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the page did not reach ${states.join("/")} within ${ms / 1000} s`);
}

/** Opens `url` in a new tab, collecting uncaught exceptions and console errors. */
async function openPage(cdp: Cdp, url: string): Promise<Page> {
  const { targetId } = await cdp.send("Target.createTarget", { url: "about:blank" });
  const { sessionId } = await cdp.send("Target.attachToTarget", { targetId, flatten: true });
  const page: Page = { cdp, session: String(sessionId), errors: [] };
  cdp.listen((e) => {
    if (e.sessionId !== page.session) return;
    if (e.method === "Runtime.exceptionThrown") {
      page.errors.push(`uncaught ${JSON.stringify(e.params.exceptionDetails).slice(0, 400)}`);
    } else if (e.method === "Runtime.consoleAPICalled" && e.params.type === "error") {
      page.errors.push(`console.error ${JSON.stringify(e.params.args).slice(0, 400)}`);
    }
  });
  for (const m of ["Runtime.enable", "Page.enable", "DOM.enable"]) {
    await cdp.send(m, {}, page.session);
  }
  await cdp.send("Emulation.setDeviceMetricsOverride", {
    width: 1100,
    height: 1400,
    deviceScaleFactor: 1,
    mobile: false,
  }, page.session);
  await cdp.send("Page.navigate", { url }, page.session);
  return page;
}

/** Starts `action` and waits for the page's answer to it (state "done" or "error"). */
async function answer(page: Page, action: () => Promise<unknown>): Promise<PageResult> {
  await evaluate(page, "document.body.dataset.state = 'waiting'");
  await action();
  await waitForState(page, ["done", "error"]);
  return await evaluate<PageResult>(page, "globalThis.cenResult");
}

/** Drops the sample photo on the page, as a user dragging a file onto it does. */
const DROP_SAMPLE = `(async () => {
  const blob = await (await fetch("sample.jpg")).blob();
  const dataTransfer = new DataTransfer();
  dataTransfer.items.add(new File([blob], "dropped.jpg", { type: blob.type }));
  document.dispatchEvent(new DragEvent("drop", { dataTransfer, bubbles: true, cancelable: true }));
})()`;

/** Gives the page a file through its file input, as a user picking one does. */
async function pick(page: Page, path: string): Promise<PageResult> {
  const doc = await page.cdp.send("DOM.getDocument", {}, page.session) as { root: Json };
  const { nodeId } = await page.cdp.send("DOM.querySelector", {
    nodeId: doc.root.nodeId,
    selector: "#file",
  }, page.session);
  return await answer(
    page,
    () => page.cdp.send("DOM.setFileInputFiles", { nodeId, files: [path] }, page.session),
  );
}

/** Saves a screenshot of the whole page. */
async function screenshot(page: Page, path: string): Promise<void> {
  const shot = await page.cdp.send("Page.captureScreenshot", {
    format: "png",
    captureBeyondViewport: true,
  }, page.session);
  await Deno.writeFile(path, Uint8Array.from(atob(String(shot.data)), (c) => c.charCodeAt(0)));
}

/** `deno task predict`'s rows for `file` (its library function, in this process). */
async function predicted(modelDir: string, file: string): Promise<AgeRow[]> {
  const m = await loadAgeModel(modelDir);
  try {
    const { rows, skipped } = await predictFiles([file], m);
    assertEquals(skipped, [], `predict skipped ${file}`);
    return rows;
  } finally {
    m.model.dispose();
  }
}

/** Checks the page's faces against predict's, face by face (both left to right); prints both. */
function compare(what: string, page: PageResult, rows: readonly AgeRow[]): void {
  assertEquals(page.state, "done", page.message);
  assertEquals(page.faces.length, rows.length, `${what}: faces found by the page and predict`);
  console.log(
    `${what}: face  page ŷ  predict ŷ  |Δ|   (ŷ_ldl page/predict, ŷ_reg page/predict; found)`,
  );
  page.faces.forEach((f, i) => {
    const r = rows[i];
    const d = Math.abs(f.age - r.age);
    console.log(
      `  ${String(f.face).padStart(4)}  ${f.age.toFixed(3).padStart(7)}  ` +
        `${r.age.toFixed(3).padStart(9)}  ${d.toFixed(3)}  ` +
        `(${f.ageLdl.toFixed(3)}/${r.ageLdl.toFixed(3)}, ` +
        `${f.ageReg.toFixed(3)}/${r.ageReg.toFixed(3)}; ${r.source})`,
    );
    assertEquals([f.face, f.source], [r.face, r.source]);
    assert(d <= TOLERANCE, `${what}, face ${i}: page ${f.age} vs predict ${r.age}`);
  });
}

Deno.test({
  name: "web page: ages of a real photo's faces as deno task predict's; bad input is explained",
  ignore: skipUnless(chromium !== undefined, NO_CHROMIUM),
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "cen-web-" });
    const stop = new AbortController();
    let server: Deno.HttpServer | undefined;
    try {
      await initBackend();
      const { modelDir, what } = await testModel(dir);
      console.log(`model: ${what}`);
      const files = await inputs(dir);
      const site = await withDeadline(LIMIT.tool, "bundling the page", () => siteFiles(modelDir));
      let url = "";
      server = serveSite(site, { port: 0, signal: stop.signal, onListen: (u) => url = u });
      await withDeadline(LIMIT.notebook, "the page in chromium", async () => {
        const browser = await launchChromium(chromium);
        try {
          const page = await openPage(browser.cdp, url);
          assertEquals(await waitForState(page, ["ready", "error"]), "ready");

          const photo = await pick(page, SAMPLE);
          const shotPath = Deno.env.get("CEN_WEB_SCREENSHOT");
          if (shotPath) await screenshot(page, shotPath);
          compare("sample1.jpg", photo, await predicted(modelDir, SAMPLE));
          assertEquals(photo.faces.length, 3);
          assertEquals(photo.chip, false);
          const drawn = await evaluate<number>(page, "document.querySelectorAll('.face').length");
          assertEquals(drawn, 3, "one card per face");
          const plots = await evaluate<number>(
            page,
            "document.querySelectorAll('.main-svg').length",
          );
          assert(plots >= 3, "each face's distribution is plotted");

          const button = await answer(
            page,
            () => evaluate(page, "document.getElementById('sample').click()"),
          );
          assertEquals(button.faces.map((f) => f.age), photo.faces.map((f) => f.age));
          const dropped = await answer(page, () => evaluate(page, DROP_SAMPLE));
          assertEquals(dropped.faces.map((f) => f.age), photo.faces.map((f) => f.age));

          const chip = await pick(page, files.chip);
          assertEquals(chip.chip, true);
          compare("chip.png", chip, await predicted(modelDir, files.chip));

          // predict's fallbacks (lib/inference.ts): framed by a border, then the whole image; a
          // photo larger than the working size, which both shrink to 2,048 px as they decode it.
          for (const name of ["tight", "tiny", "large"] as const) {
            compare(
              basename(files[name]),
              await pick(page, files[name]),
              await predicted(modelDir, files[name]),
            );
          }

          const text = await pick(page, files.text);
          assertEquals(text.state, "error");
          assertStringIncludes(text.message, "is not an image");
          const bomb = await pick(page, await pixelBomb(dir));
          assertEquals(bomb.state, "error");
          assertStringIncludes(bomb.message, "is too large: 12000×12000 pixels");
          const empty = await pick(page, files.empty);
          assertEquals(empty.state, "error");
          assertStringIncludes(empty.message, "is empty");
          const wall = await pick(page, files.noFace);
          assertEquals(wall.state, "error");
          assertStringIncludes(wall.message, "No face found");
          const shown = await evaluate<string>(page, "document.getElementById('status').innerText");
          assertStringIncludes(shown, "No face found", "the message is on the page");
          const m = await loadAgeModel(modelDir);
          const bad = await predictFiles([files.noFace], m);
          m.model.dispose();
          assertEquals(bad.skipped.map((s) => s.reason), ["no-face"], "predict skips it too");

          assertEquals(page.errors, [], "no script error on the page");
        } finally {
          await browser.close();
        }
      });
    } finally {
      stop.abort();
      await server?.finished;
      await Deno.remove(dir, { recursive: true });
    }
  },
});
