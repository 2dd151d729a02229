/**
 * The age-estimation web page as a set of static files, served by `deno task serve` or written to
 * a folder for any static host: `web/index.html`, `app.js` (web/app.ts and the library modules it
 * reuses, bundled by esbuild), plotly.js, a sample photo, the age model (`model.json` and its
 * weights), face-api's two nets and tfjs's WebAssembly binaries. The page fetches only these;
 * the photo never leaves the browser.
 *
 * API:
 * - `bundleApp()`: web/app.ts as one ES module for browsers.
 * - `siteFiles(modelDir)`: every file of the site, by URL path.
 * - `serveSite(files, options)`: an HTTP server for them (GET/HEAD only).
 * - `writeSite(files, dir)`: the site written to a folder.
 *
 * @module
 */
import * as esbuild from "esbuild";
import { dirname, join, normalize } from "node:path";
import { faceApiDir } from "../data/align.ts";
import { NotFoundError } from "../errors.ts";
import { exists } from "../fsutil.ts";
import { nodeModulesPath, repoPath } from "../paths.ts";

/** The page's sources (index.html, app.ts and what app.ts imports from web/). */
export const WEB_DIR: string = repoPath("web");

/** face-api's nets the page runs: SSD-MobileNetV1 (boxes) and the 68-landmark net. */
const FACE_API_NETS = ["ssd_mobilenetv1_model", "face_landmark_68_model"] as const;

/** tfjs-backend-wasm's binaries (plain, SIMD, threaded SIMD: the backend picks one). */
const WASM_FILES = [
  "tfjs-backend-wasm.wasm",
  "tfjs-backend-wasm-simd.wasm",
  "tfjs-backend-wasm-threaded-simd.wasm",
] as const;

/** One file of the site: its content type and where its bytes are. */
export interface SiteFile {
  type: string;
  /** A file on disk, or bytes made in memory (the bundle). */
  path?: string;
  bytes?: Uint8Array<ArrayBuffer>;
}

/** The site: URL path (no leading slash, e.g. `model/model.json`) → file. */
export type Site = Map<string, SiteFile>;

/** Content types by extension. */
const TYPES: Record<string, string> = {
  html: "text/html; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  json: "application/json",
  wasm: "application/wasm",
  jpg: "image/jpeg",
  bin: "application/octet-stream",
};

/** The content type of a file name. */
function typeOf(name: string): string {
  return TYPES[name.split(".").pop() ?? ""] ?? "application/octet-stream";
}

/**
 * What library modules import for the functions only Deno calls (Node built-ins, sharp, and the
 * Deno backend set-up `../backend/mod.ts` that `loadFaceApi` imports): empty modules in the
 * bundle, dropped by tree shaking.
 */
const stubNodeOnly: esbuild.Plugin = {
  name: "stub-node-only",
  setup(build) {
    build.onResolve({ filter: /^(node:.*|sharp|\.\.\/backend\/mod\.ts)$/ }, (args) => ({
      path: args.path,
      namespace: "node-only",
      sideEffects: false,
    }));
    build.onLoad({ filter: /.*/, namespace: "node-only" }, () => ({
      contents: "module.exports = {};",
      loader: "js",
    }));
    // The repository's folders (read from Deno's environment when the module loads): only the
    // functions the page calls are kept, not the module's top-level constants.
    build.onResolve({ filter: /\/paths\.ts$/ }, (args) => ({
      path: join(args.resolveDir, args.path),
      sideEffects: false,
    }));
  },
};

/** web/app.ts bundled for browsers (one minified ES module with tfjs and face-api inside). */
export async function bundleApp(): Promise<Uint8Array<ArrayBuffer>> {
  try {
    const out = await esbuild.build({
      entryPoints: [join(WEB_DIR, "app.ts")],
      bundle: true,
      format: "esm",
      platform: "browser",
      target: "es2022",
      minify: true,
      write: false,
      logLevel: "silent",
      plugins: [stubNodeOnly],
      define: { "process.env.NODE_ENV": '"production"' },
    });
    const js = out.outputFiles[0];
    // A library module the page imports that touches Deno at its top would break the page.
    const deno = js.text.match(/.{0,60}\bDeno\.[a-zA-Z]+.{0,60}/);
    if (deno) throw new Error(`the page's bundle calls Deno, which browsers lack: …${deno[0]}…`);
    return new Uint8Array(js.contents);
  } finally {
    await esbuild.stop();
  }
}

/** A file on disk as a site file; a missing one is a NotFoundError naming `what`. */
async function diskFile(path: string, what: string): Promise<SiteFile> {
  if (!(await exists(path))) throw new NotFoundError(`${what}: ${path} is missing`);
  return { type: typeOf(path), path };
}

/** `model.json` and the weight files its manifest names. */
async function modelFiles(modelDir: string): Promise<[string, SiteFile][]> {
  const json = join(modelDir, "model.json");
  if (!(await exists(json))) {
    throw new NotFoundError(
      `no model in ${modelDir} (model.json missing): pass --run <id|dir>, or restore the ` +
        "shipped model in model/",
    );
  }
  const manifest = JSON.parse(await Deno.readTextFile(json)).weightsManifest as {
    paths: string[];
  }[];
  const out: [string, SiteFile][] = [["model/model.json", { type: typeOf(json), path: json }]];
  for (const p of manifest.flatMap((g) => g.paths)) {
    const rel = normalize(p);
    if (rel.startsWith("..") || rel.startsWith("/")) {
      throw new NotFoundError(`${json}: weight path ${p} points outside the model folder`);
    }
    out.push([`model/${rel}`, await diskFile(join(modelDir, rel), "model weights")]);
  }
  return out;
}

/** face-api's manifests and weight shards of the two nets the page runs. */
async function faceApiFiles(): Promise<[string, SiteFile][]> {
  const dir = join(faceApiDir(), "model");
  const out: [string, SiteFile][] = [];
  for (const net of FACE_API_NETS) {
    const name = `${net}-weights_manifest.json`;
    const manifest = JSON.parse(await Deno.readTextFile(join(dir, name))) as { paths: string[] }[];
    out.push([`face-api/${name}`, { type: "application/json", path: join(dir, name) }]);
    for (const p of manifest.flatMap((g) => g.paths)) {
      out.push([`face-api/${p}`, await diskFile(join(dir, p), "face-api weights")]);
    }
  }
  return out;
}

/**
 * Every file of the site for the model in `modelDir`; `app` is the bundle (default: built now by
 * {@link bundleApp}).
 */
export async function siteFiles(
  modelDir: string,
  app?: Uint8Array<ArrayBuffer>,
): Promise<Site> {
  const wasmDir = nodeModulesPath("@tensorflow", "tfjs-backend-wasm", "dist");
  const entries: [string, SiteFile][] = [
    ["index.html", await diskFile(join(WEB_DIR, "index.html"), "the page")],
    ["app.js", { type: TYPES.js, bytes: app ?? await bundleApp() }],
    [
      "plotly.min.js",
      await diskFile(nodeModulesPath("plotly.js-dist-min", "plotly.min.js"), "plotly"),
    ],
    ["sample.jpg", await diskFile(join(faceApiDir(), "demo", "sample1.jpg"), "sample photo")],
    ...await modelFiles(modelDir),
    ...await faceApiFiles(),
  ];
  for (const w of WASM_FILES) entries.push([`wasm/${w}`, await diskFile(join(wasmDir, w), "tfjs")]);
  return new Map(entries);
}

/** A site file's bytes. */
async function bytesOf(f: SiteFile): Promise<Uint8Array<ArrayBuffer>> {
  return f.bytes ?? await Deno.readFile(f.path!);
}

/** Options of {@link serveSite}. */
export interface ServeOptions {
  /** Port (0: any free port; default 8000). */
  port?: number;
  /** Interface to listen on (default 127.0.0.1: this machine only). */
  hostname?: string;
  /** Stops the server when aborted. */
  signal?: AbortSignal;
  /** Called once listening, with the page's URL. */
  onListen?: (url: string) => void;
}

/** The response to one request: a site file, or 404/405. */
async function respond(site: Site, req: Request): Promise<Response> {
  if (req.method !== "GET" && req.method !== "HEAD") {
    return new Response("method not allowed\n", { status: 405, headers: { allow: "GET, HEAD" } });
  }
  const path = decodeURIComponent(new URL(req.url).pathname).replace(/^\/+/, "") || "index.html";
  const file = site.get(path);
  if (!file) return new Response(`not found: /${path}\n`, { status: 404 });
  const headers = {
    "content-type": file.type,
    "cache-control": "no-cache",
    "x-content-type-options": "nosniff",
  };
  return new Response(req.method === "HEAD" ? null : await bytesOf(file), { headers });
}

/** Serves the site over HTTP until `signal` aborts. */
export function serveSite(site: Site, options: ServeOptions = {}): Deno.HttpServer<Deno.NetAddr> {
  const hostname = options.hostname ?? "127.0.0.1";
  return Deno.serve({
    port: options.port ?? 8000,
    hostname,
    signal: options.signal,
    onListen: ({ port }) => {
      const host = hostname.includes(":") ? `[${hostname}]` : hostname;
      options.onListen?.(`http://${host}:${port}/`);
    },
  }, (req) => respond(site, req));
}

/** Writes the site into `dir` (created if needed), for any static web server. */
export async function writeSite(site: Site, dir: string): Promise<void> {
  for (const [path, file] of site) {
    const to = join(dir, path);
    await Deno.mkdir(dirname(to), { recursive: true });
    await Deno.writeFile(to, await bytesOf(file));
  }
}
