/**
 * Headless-browser check of report pages: each page is loaded in Debian's chromium (driven over
 * the DevTools protocol on a WebSocket, no npm package), with every http(s)/ws request blocked so
 * the page must work offline. A page passes when no script error happened (uncaught exception,
 * `console.error`, or an error log entry other than a blocked external request) and every plot
 * (`div.cen-plot`, see `lib/report/plot.ts`) was drawn by plotly.js (`.js-plotly-plot` with
 * `svg.main-svg`).
 *
 * API:
 * - `findChromium()`: path of a chromium binary (`CEN_CHROMIUM` overrides), or undefined.
 * - `launchChromium(bin?)`: a headless chromium and its DevTools connection (for tests that drive
 *   a page, e.g. tests/web/page_test.ts); close it when done.
 * - `checkPages(paths, opts?)`: `PageCheck[]`, one per page, in order.
 * - `formatCheck(check)`: one line per page for a terminal.
 *
 * @module
 */
import { envSetting } from "../paths.ts";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

/** The verdict on one page. */
export interface PageCheck {
  path: string;
  ok: boolean;
  /** Script errors (uncaught exceptions, console.error, error log entries). */
  errors: string[];
  /** Plot containers on the page (`div.cen-plot`). */
  plots: number;
  /** Of those, how many plotly.js drew. */
  drawn: number;
  /** External URLs the page tried to load (blocked: the page must work offline). */
  blocked: string[];
  /** Milliseconds from navigation to all plots drawn (or to giving up). */
  ms: number;
}

/** Options of `checkPages`. */
export interface CheckOptions {
  /** Chromium binary; default `findChromium()`. */
  chromium?: string;
  /** Per-page limit for loading and drawing, ms (default 30000). */
  timeoutMs?: number;
}

/** Chromium flags: headless, no sandbox (root in CI), nothing that phones home. */
export const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-dev-shm-usage",
  "--mute-audio",
];

/** Finds a chromium binary. */
export async function findChromium(): Promise<string | undefined> {
  const override = envSetting("CEN_CHROMIUM");
  const candidates = override
    ? [override]
    : ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"];
  for (const c of candidates) {
    try {
      if ((await Deno.stat(c)).isFile) return c;
    } catch { /* next */ }
  }
  return undefined;
}

/** A DevTools-protocol message's parameters or result. */
export type Json = Record<string, unknown>;

/** A DevTools-protocol event (with its session, for events of an attached page). */
export interface CdpEvent {
  method: string;
  params: Json;
  sessionId?: string;
}

/** A minimal DevTools-protocol connection: request/response by id, events to listeners. */
export interface Cdp {
  send(method: string, params?: Json, sessionId?: string): Promise<Json>;
  listen(fn: (e: CdpEvent) => void): () => void;
  close(): void;
}

function connect(url: string): Promise<Cdp> {
  return new Promise((resolveConn, rejectConn) => {
    const ws = new WebSocket(url);
    let next = 1;
    const pending = new Map<number, { ok: (v: Json) => void; fail: (e: Error) => void }>();
    const listeners = new Set<(e: CdpEvent) => void>();
    ws.onmessage = (m) => {
      const msg = JSON.parse(String(m.data));
      if (typeof msg.id === "number") {
        const p = pending.get(msg.id);
        pending.delete(msg.id);
        if (!p) return;
        if (msg.error) p.fail(new Error(`CDP ${msg.error.message}`));
        else p.ok(msg.result ?? {});
      } else if (msg.method) {
        for (const fn of listeners) fn(msg as CdpEvent);
      }
    };
    ws.onclose = () => {
      for (const p of pending.values()) p.fail(new Error("CDP connection closed"));
      pending.clear();
    };
    ws.onerror = () => rejectConn(new Error(`cannot connect to ${url}`));
    ws.onopen = () =>
      resolveConn({
        send(method, params = {}, sessionId) {
          const id = next++;
          return new Promise((ok, fail) => {
            pending.set(id, { ok, fail });
            ws.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
          });
        },
        listen(fn) {
          listeners.add(fn);
          return () => listeners.delete(fn);
        },
        close() {
          ws.close();
        },
      });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function devtoolsUrl(dir: string, child: Deno.ChildProcess, limitMs: number) {
  const file = `${dir}/DevToolsActivePort`;
  const until = Date.now() + limitMs;
  let exited = false;
  child.status.then(() => exited = true);
  while (Date.now() < until && !exited) {
    try {
      const [port, path] = (await Deno.readTextFile(file)).trim().split("\n");
      if (port && path) return `ws://127.0.0.1:${port}${path}`;
    } catch { /* not yet */ }
    await sleep(100);
  }
  throw new Error(
    exited ? "chromium exited before opening DevTools" : "chromium did not open DevTools in time",
  );
}

const PLOT_PROBE = `(() => {
  const plots = [...document.querySelectorAll("div.cen-plot")];
  const drawn = plots.filter((d) =>
    d.classList.contains("js-plotly-plot") && d.querySelector("svg.main-svg")).length;
  return JSON.stringify({ plots: plots.length, drawn, plotly: typeof window.Plotly !== "undefined" });
})()`;

function describeException(params: Json): string {
  const d = params.exceptionDetails as Json | undefined;
  const ex = d?.exception as Json | undefined;
  const text = (ex?.description as string) ?? (d?.text as string) ?? "exception";
  const where = d?.url ? ` (${d.url}:${d.lineNumber})` : "";
  return `uncaught ${text.split("\n")[0]}${where}`;
}

async function checkOne(cdp: Cdp, path: string, timeoutMs: number): Promise<PageCheck> {
  const abs = resolve(path);
  const { targetId } = await cdp.send("Target.createTarget", { url: "about:blank" });
  const { sessionId } = await cdp.send("Target.attachToTarget", { targetId, flatten: true }) as {
    sessionId: string;
  };
  const errors: string[] = [];
  const blocked: string[] = [];
  let loaded = false;
  const stop = cdp.listen((e) => {
    if (e.sessionId !== sessionId) return;
    const p = e.params;
    if (e.method === "Runtime.exceptionThrown") errors.push(describeException(p));
    else if (e.method === "Runtime.consoleAPICalled" && p.type === "error") {
      const args = (p.args as Json[] ?? []).map((a) => a.value ?? a.description ?? "").join(" ");
      errors.push(`console.error ${args}`.slice(0, 500));
    } else if (e.method === "Log.entryAdded") {
      const entry = p.entry as Json;
      const url = String(entry.url ?? "");
      const external = /^(https?|wss?):/.test(url);
      if (entry.level === "error" && !(entry.source === "network" && external)) {
        errors.push(`log ${entry.source}: ${entry.text} ${url}`.trim().slice(0, 500));
      }
    } else if (e.method === "Network.requestWillBeSent") {
      const url = String((p.request as Json).url);
      if (/^(https?|wss?):/.test(url)) blocked.push(url);
    } else if (e.method === "Page.loadEventFired") loaded = true;
  });
  const t0 = performance.now();
  let plots = 0;
  let drawn = 0;
  try {
    for (const m of ["Runtime.enable", "Log.enable", "Page.enable", "Network.enable"]) {
      await cdp.send(m, {}, sessionId);
    }
    await cdp.send("Network.setBlockedURLs", {
      urls: ["http://*", "https://*", "ws://*", "wss://*"],
    }, sessionId);
    await cdp.send("Page.navigate", { url: pathToFileURL(abs).href }, sessionId);
    while (performance.now() - t0 < timeoutMs) {
      if (loaded) {
        const r = await cdp.send("Runtime.evaluate", { expression: PLOT_PROBE }, sessionId);
        const v = JSON.parse(String((r.result as Json).value));
        plots = v.plots;
        drawn = v.drawn;
        // Loaded without plotly.js (it is inlined, never fetched): nothing more will draw.
        if (drawn === plots || !v.plotly) break;
      }
      await sleep(100);
    }
    if (!loaded) errors.push(`page did not finish loading in ${timeoutMs} ms`);
    await sleep(200); // let late script errors surface
  } finally {
    stop();
    await cdp.send("Target.closeTarget", { targetId }).catch(() => {});
  }
  return {
    path,
    ok: loaded && errors.length === 0 && drawn === plots,
    errors,
    plots,
    drawn,
    blocked: [...new Set(blocked)],
    ms: Math.round(performance.now() - t0),
  };
}

/** A headless chromium started by {@link launchChromium}, driven over the DevTools protocol. */
export interface Chromium {
  cdp: Cdp;
  /** Closes the browser (killed if it does not exit) and removes its profile folder. */
  close(): Promise<void>;
}

/**
 * Starts a headless chromium (`CHROMIUM_FLAGS`, a fresh profile) and connects to it; the caller
 * closes it. Throws when chromium is absent or does not open DevTools within `limitMs`.
 */
export async function launchChromium(
  chromium?: string,
  limitMs = 30_000,
): Promise<Chromium> {
  const bin = chromium ?? await findChromium();
  if (!bin) throw new Error("chromium not found (run: bash tools/setup-system.sh)");
  const dir = await Deno.makeTempDir({ prefix: "cen-chromium-" });
  const child = new Deno.Command(bin, {
    args: [...CHROMIUM_FLAGS, `--user-data-dir=${dir}`, "--remote-debugging-port=0", "about:blank"],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  let cdp: Cdp | undefined;
  const close = async () => {
    if (cdp) {
      await Promise.race([cdp.send("Browser.close").catch(() => {}), sleep(2000)]);
      cdp.close();
    }
    const exited = await Promise.race([child.status.then(() => true), sleep(3000)]);
    if (!exited) {
      try {
        child.kill("SIGKILL");
      } catch { /* already gone */ }
      await child.status;
    }
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  };
  try {
    cdp = await connect(await devtoolsUrl(dir, child, limitMs));
  } catch (e) {
    await close();
    throw e;
  }
  return { cdp, close };
}

/** Loads each page in one headless chromium and checks it (see the module doc). */
export async function checkPages(
  paths: readonly string[],
  opts: CheckOptions = {},
): Promise<PageCheck[]> {
  const browser = await launchChromium(opts.chromium);
  try {
    const out: PageCheck[] = [];
    for (const p of paths) out.push(await checkOne(browser.cdp, p, opts.timeoutMs ?? 30_000));
    return out;
  } finally {
    await browser.close();
  }
}

/** One line per page, e.g. `ok   results/html/_smoke.html: 2/2 plots drawn, 0 errors (812 ms)`. */
export function formatCheck(c: PageCheck): string {
  const head = `${c.ok ? "ok  " : "FAIL"} ${c.path}: ${c.drawn}/${c.plots} plots drawn, ` +
    `${c.errors.length} errors (${c.ms} ms)`;
  const lines = [head, ...c.errors.map((e) => `       ${e}`)];
  if (c.blocked.length) lines.push(`       blocked external: ${c.blocked.join(", ")}`);
  return lines.join("\n");
}
